"""Broadsheet's own export, and exports for the peers a newsroom may move to.

- ``jsonl``: the site's discussions (and, with articles, its publication) as versioned
  JSON Lines, written as a stream (``writer``) and read back losslessly by
  ``import_site`` (``restore``); the format is in docs/export-format.md.
- ``disqus``: the Disqus XML export, as Disqus writes it.
- ``wxr``: WordPress's WXR 1.2, posts with their comments.
"""
