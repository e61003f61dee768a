"""Raw files → DuckDB: the loader, the indicator queries and the one module that talks to DuckDB."""
