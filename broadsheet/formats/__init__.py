"""Number and date formats where Django's own do not suit a newsroom
(FORMAT_MODULE_PATH; Django's formats fill in whatever a module here leaves out)."""
