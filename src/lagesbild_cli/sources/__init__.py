"""One module per data source: ``fetch`` writes raw bytes to ``data/raw/<source>/``, ``parse`` is a
pure function from bytes to tidy polars frames."""
