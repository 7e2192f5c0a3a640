"""A minimal Django project: one view that says hello, no middleware, no database.

It measures what Django itself costs under Broadsheet's server set-up (granian WSGI,
2 workers), the yardstick for Broadsheet's cached pages.
"""
