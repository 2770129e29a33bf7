"""extract_text(html [, url, method]): the main text and metadata of web pages, for crawls read with read_warc()."""

from __future__ import annotations

import pyarrow as pa

from aidb.functions.registry import FunctionContext, Param, constant_argument, sql_function
from aidb.ops.html_text import FIELDS, check_method, extract_pages_parallel

RETURNS = "STRUCT(" + ", ".join(f"{name} VARCHAR" for name in FIELDS) + ")"
_STRUCT = pa.struct([(name, pa.string()) for name in FIELDS])


@sql_function(
    params=[Param("html", "VARCHAR"), Param("url", "VARCHAR", None), Param("method", "VARCHAR", "trafilatura")],
    returns=RETURNS,
    one_thread=True,  # the work runs in aidb's worker processes; DuckDB's threads would only wait for them
)
def extract_text(ctx: FunctionContext, html: pa.Array, url: pa.Array, method: pa.Array) -> pa.Array:
    """Main text, title, declared language, author and date of an HTML page (trafilatura, or resiliparse); NULL text when there is none."""
    chosen = constant_argument("extract_text", method, "method", allow_null=False)
    check_method(chosen)
    results = extract_pages_parallel(html.to_pylist(), url.to_pylist(), chosen)
    empty = (None,) * len(FIELDS)
    columns = [pa.array([(r or empty)[i] for r in results], pa.string()) for i in range(len(FIELDS))]
    mask = pa.array([r is None for r in results])
    return pa.StructArray.from_arrays(columns, fields=list(_STRUCT), mask=mask if any(r is None for r in results) else None)
