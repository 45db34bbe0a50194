"""The pipeline app's pieces of the v1 API description (shapes of its action routes)."""
