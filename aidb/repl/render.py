"""Render a statement's result for the REPL: aligned tables (rich or plain text), CSV, JSON or Markdown."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TextIO

MODES = ("table", "csv", "json", "markdown")

# Like the DuckDB CLI: show the head and tail of a long result, and clip wide cells.
MAX_ROWS = 40
MAX_CELL_WIDTH = 40
# The last column pushes no other column aside, so it keeps whole lines of prose (SHOW AIDB FUNCTIONS' doc
# lines); the rich table folds it to the terminal's width.
MAX_LAST_CELL_WIDTH = 240


@dataclass
class Result:
    """The rows a statement produced, cut to what is shown, plus how many there were in all."""

    columns: list[str]
    types: list[str]
    head: list[tuple[Any, ...]]
    tail: list[tuple[Any, ...]]
    total_rows: int

    @property
    def shown_rows(self) -> list[tuple[Any, ...]]:
        return self.head + self.tail

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.head) + len(self.tail)


def collect(cursor: Any, limit: int | None = MAX_ROWS) -> Result:
    """Fetch the cursor's rows; with a `limit`, keep only its first and last limit/2 rows but count them all."""
    columns = [d[0] for d in cursor.description]
    types = [str(d[1]) for d in cursor.description]
    if limit is None:
        rows = cursor.fetchall()
        return Result(columns, types, rows, [], len(rows))
    head = cursor.fetchmany(limit + 1)
    if len(head) <= limit:
        return Result(columns, types, head, [], len(head))
    half = limit // 2
    tail = head[half:]
    head = head[:half]
    total = half + len(tail)
    while batch := cursor.fetchmany(10_000):
        total += len(batch)
        tail = (tail + batch)[-half:]
    return Result(columns, types, head, tail[-half:], total)


def render(result: Result, mode: str, out: TextIO, rich_console: Any = None) -> None:
    """Write `result` to `out` in `mode`; a rich console (interactive use) draws the table with colour and boxes."""
    if mode == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[_csv_cell(v) for v in row] for row in result.shown_rows])
    elif mode == "json":
        records = [dict(zip(result.columns, map(_json_cell, row))) for row in result.shown_rows]
        out.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    elif mode == "markdown":
        out.write(markdown_table(result) + "\n")
    elif rich_console is not None:
        rich_console.print(rich_table(result))
    else:
        out.write(plain_table(result) + "\n")
    if result.truncated and mode == "table":
        out.write(f"({result.total_rows} rows, {len(result.shown_rows)} shown; use .mode csv or .output FILE for all)\n")


def cell_text(value: Any, width: int | None = MAX_CELL_WIDTH) -> str:
    text = "NULL" if value is None else str(value)
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _cells(row: tuple[Any, ...]) -> list[str]:
    return [cell_text(v, MAX_LAST_CELL_WIDTH if i == len(row) - 1 else MAX_CELL_WIDTH) for i, v in enumerate(row)]


def _is_numeric(type_name: str) -> bool:
    return type_name.split("(")[0] in {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
        "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
    }  # fmt: skip


def plain_table(result: Result) -> str:
    """An aligned text table with a header rule and a row count, for pipes and scripts."""
    cells = [_cells(row) for row in result.head]
    tail = [_cells(row) for row in result.tail]
    everything = [result.columns, *cells, *tail]
    widths = [max(len(r[i]) for r in everything) for i in range(len(result.columns))]
    numeric = [_is_numeric(t) for t in result.types]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric)).rstrip()

    lines = [line(result.columns), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    if result.truncated:
        lines.append("  ".join("·".center(w) for w in widths).rstrip())
    lines += [line(r) for r in tail]
    lines.append(_row_count(result))
    return "\n".join(lines)


def rich_table(result: Result) -> Any:
    from rich.table import Table

    table = Table(caption=_row_count(result), caption_justify="left", header_style="bold")
    for i, (name, type_name) in enumerate(zip(result.columns, result.types)):
        justify = "right" if _is_numeric(type_name) else "left"
        last = i == len(result.columns) - 1
        table.add_column(
            f"{name}\n[dim]{type_name.lower()}[/dim]", justify=justify, overflow="fold" if last else "ellipsis", no_wrap=not last
        )
    for row in result.head:
        table.add_row(*_rich_cells(row))
    if result.truncated:
        table.add_row(*("·" for _ in result.columns))
    for row in result.tail:
        table.add_row(*_rich_cells(row))
    return table


def _rich_cells(row: tuple[Any, ...]) -> list[Any]:
    from rich.text import Text

    return [Text("NULL", style="dim") if value is None else Text(text) for value, text in zip(row, _cells(row))]


def markdown_table(result: Result) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(escape(c) for c in result.columns) + " |"]
    lines.append("|" + "|".join("---:" if _is_numeric(t) else "---" for t in result.types) + "|")
    for row in result.shown_rows:
        lines.append("| " + " | ".join(escape(cell_text(v, None)) for v in row) + " |")
    return "\n".join(lines)


def _row_count(result: Result) -> str:
    noun = "row" if result.total_rows == 1 else "rows"
    return f"({result.total_rows} {noun})"


def _csv_cell(value: Any) -> Any:
    return "" if value is None else value


def _json_cell(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _json_cell(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_cell(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def render_to_string(result: Result, mode: str) -> str:
    buffer = io.StringIO()
    render(result, mode, buffer)
    return buffer.getvalue()
