"""The distance metrics of vector search: their exact DuckDB functions and Lance's units, read from SQL arguments."""

from __future__ import annotations

from sqlglot import exp

from aidb.errors import ProgrammingError

METRIC_FUNCTIONS = {"cosine": "array_cosine_distance", "l2": "array_distance", "dot": "array_negative_inner_product"}
DEFAULT_METRIC = "cosine"
# `built_with` of an index that pylance built (CREATE VECTOR INDEX): searched through pylance (storage/lance_search.py)
PYLANCE = "pylance"


def lance_distance(metric: str, distance: exp.Expression) -> exp.Expression:
    """Lance's `_distance` in the units of DuckDB's function of the same metric (Lance: squared L2, 1 - dot)."""
    if metric == "l2":
        return exp.Anonymous(this="sqrt", expressions=[distance])
    if metric == "dot":
        return exp.Sub(this=distance, expression=exp.Literal.number(1))
    return distance


def metric_argument(node: exp.Expression) -> str:
    metric = node.name.lower() if isinstance(node, exp.Literal) else node.sql().lower()
    if metric not in METRIC_FUNCTIONS:
        raise ProgrammingError(f"unknown metric {metric!r}; expected one of {', '.join(METRIC_FUNCTIONS)}")
    return metric
