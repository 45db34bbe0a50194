"""The plugin app's pieces of the v1 API, registered from plugin/apps.py."""
