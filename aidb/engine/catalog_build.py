"""Build the catalog view the rewrite passes and functions read: functions, macros, models and vector tables as data."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aidb.functions.registry import load_function_modules
from aidb.models.loaders import BUILTIN_DEFAULTS, load_loader_modules
from aidb.ops.operator_registry import load_operator_modules
from aidb.settings import Settings
from aidb.sql.catalog_view import CatalogView, FunctionInfo, ParamInfo
from aidb.storage.catalog import read_models, read_removal_tables
from aidb.storage.macros import macro_docs
from aidb.storage.vector_tables import read_vector_tables


def build_catalog(duck: duckdb.DuckDBPyConnection, lance_folder: Path, settings: Settings) -> CatalogView:
    """The catalog of the database open on `duck`, whose Lance datasets live in `lance_folder`, with the connection's settings."""
    load_loader_modules()
    return CatalogView(
        functions=function_infos(duck),
        models={m.name: m for m in read_models(duck)},
        builtin_models=dict(BUILTIN_DEFAULTS),
        vector_tables=read_vector_tables(duck, lance_folder),
        removal_tables=tuple(read_removal_tables(duck)),
        settings=settings,
    )


def function_infos(duck: duckdb.DuckDBPyConnection) -> dict[str, FunctionInfo]:
    """aidb's Python functions (the registry), operator table functions (aidb/ops) and SQL macros (sql_functions/)."""
    infos = {
        f.name: FunctionInfo(
            name=f.name,
            kind="udf",
            family=f.family,
            params=tuple(ParamInfo(p.name, p.type, p.required, None if p.required else p.default) for p in f.params),
            returns=f.returns,
            doc=f.doc,
            signature=f.signature,
            model_kind=f.model_kind,
            one_thread=f.one_thread,
        )
        for f in load_function_modules().values()
    }
    for op in load_operator_modules().values():
        infos[op.name] = FunctionInfo(
            name=op.name,
            kind="operator",
            family=op.run.__module__.rsplit(".", 1)[-1],
            params=tuple(ParamInfo(p.name, p.kind, p.required, None if p.required else p.default) for p in op.params),
            returns="TABLE",
            doc=op.doc,
            signature=op.signature,
        )
    docs = macro_docs()
    rows = duck.execute(
        "SELECT function_name, parameters, function_type FROM duckdb_functions() "
        "WHERE function_type IN ('macro', 'table_macro') AND database_name = 'temp' AND list_contains(?, function_name)",
        [list(docs)],
    ).fetchall()
    for name, parameters, function_type in rows:
        params = tuple(ParamInfo(p, "ANY", True) for p in parameters)
        returns = "TABLE" if function_type == "table_macro" else "ANY"
        infos[name] = FunctionInfo(
            name=name,
            kind="macro",
            family=docs[name].file.removesuffix(".sql"),
            params=params,
            returns=returns,
            doc=docs[name].doc,
            signature=f"{name}({', '.join(parameters)}) -> {returns}",
        )
    return infos
