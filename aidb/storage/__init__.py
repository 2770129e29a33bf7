"""Storage: the DuckDB file, the Lance folder beside it, the catalog and its migrations."""
