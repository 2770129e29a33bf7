"""SHOW MODELS: the catalog's models plus the built-in defaults aidb ships (marked `builtin`)."""

from __future__ import annotations

from aidb.sql.catalog_view import CatalogView

_COLUMNS = "name, type, source, fingerprint, dimension, is_default, options, created_at, builtin"


def show_models_query(catalog: CatalogView) -> tuple[str, list[object]]:
    """SQL and parameters listing every model; a built-in one is the default of its kind unless the catalog names one."""
    sql = (
        "SELECT name, kind AS type, source, fingerprint, dimension, is_default, options, created_at, false AS builtin "
        "FROM aidb.models"
    )
    parameters: list[object] = []
    for kind, record in sorted(catalog.builtin_models.items()):
        if record.name in catalog.models:
            continue  # a catalog model of the same name hides the built-in one
        sql += " UNION ALL SELECT ?, ?, ?, ?, ?::INTEGER, ?, ?, NULL::TIMESTAMP, true"
        parameters += [record.name, kind, record.source, record.fingerprint, record.dimension, catalog.default_model(kind) is None, record.options]
    return f"SELECT {_COLUMNS} FROM ({sql}) ORDER BY type, builtin, name", parameters
