"""aidb's version (a leaf module: the engine records it in `aidb.runs` without importing the package's surfaces)."""

__version__ = "0.1.0"
