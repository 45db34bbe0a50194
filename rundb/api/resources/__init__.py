"""Resource classes, one module per domain; `rundb.api.urls` registers them."""
