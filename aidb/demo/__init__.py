"""Bundled demo material for ``aidb demo`` and the test suite."""
