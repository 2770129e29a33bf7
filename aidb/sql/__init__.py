"""The SQL front end: the aidb dialect of sqlglot, statement splitting and the rewrite passes (no I/O)."""
