"""SQL functions: one module per family, each function declared once with `@sql_function`."""
