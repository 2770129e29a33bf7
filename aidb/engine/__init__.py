"""The engine: one open database — its DuckDB connection, catalog, functions — and statement execution."""
