"""Plugin framework services: install/upgrade/rescan, launching runs on a report
(startplugin.json, barcodes.json, the launch script, job rows), run levels, the report's
plugin listing and extend.py calls. Views, management commands, Celery tasks and the
pipeline call these plain functions; none of them imports plugin code."""
