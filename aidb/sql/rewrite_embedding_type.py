"""Pass: give vector-returning model functions their model's width: `embed(x, 'm')` becomes `CAST(embed(x, 'm') AS FLOAT[n])`.

A Python UDF has one fixed return type (`FLOAT[]`, a variable-length list); the width depends on the
model, which the catalog knows. The cast makes the result a DuckDB ARRAY, which `array_cosine_distance`,
`array_inner_product` and FLOAT[n] columns need. Runs after `function_arguments`, so every call has its
model argument in place (a NULL there means the default model).
"""

from __future__ import annotations

from sqlglot import exp

from aidb.sql.catalog_view import CatalogView
from aidb.sql.model_arguments import model_of_call

VECTOR_RETURN = "FLOAT[]"


def rewrite_embedding_type(tree: exp.Expression, catalog: CatalogView) -> exp.Expression:
    vector_functions = {
        name: f for name, f in catalog.functions.items() if f.kind == "udf" and f.model_kind and f.returns.upper() == VECTOR_RETURN
    }
    if not vector_functions:
        return tree

    def add_width(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Anonymous) or node.name.lower() not in vector_functions:
            return node
        record = model_of_call(node, vector_functions[node.name.lower()], catalog)
        if record is None or not record.dimension:
            return node
        width = exp.DataType.build(f"FLOAT[{record.dimension}]", dialect="duckdb")
        if isinstance(node.parent, exp.Cast) and node.parent.to == width:
            return node  # already typed (the pass ran before, or the user wrote the cast)
        return exp.Cast(this=node, to=width)

    return tree.transform(add_width)

