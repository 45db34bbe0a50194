"""Run ingest: explog parsing (`explog`), explog -> database values (`mapping`), transfer
state / ftpStatus (`transfer`), one run folder (`runs`), and the crawler (`crawler`).

Import the Django-using modules (`runs`, `crawler`) explicitly; this package stays import-light.
"""
