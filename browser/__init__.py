"""The Torrent Browser: server-rendered pages for lab staff (Home, Plan, Monitor, Data, Configure).

A top-level app rather than part of rundb: the pages show plugin pages and plugin output
(plugin/), so it sits above rundb, plugin and pipeline; rundb never imports it.
"""
