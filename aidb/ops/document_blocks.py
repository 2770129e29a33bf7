"""The block rows every document parser produces (read_documents' output) and the Markdown they carry.

One row per block in reading order: (path, page, block_no, block_type, text, markdown, bbox, font_size). bbox is
in PDF points from the page's top-left corner (pdfplumber's convention; NULL for formats without pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

BLOCK_TYPES = ("title", "text", "table", "formula", "figure_caption", "list", "header_footer")
BBOX_TYPE = pa.struct([("x0", pa.float64()), ("y0", pa.float64()), ("x1", pa.float64()), ("y1", pa.float64())])
SCHEMA = pa.schema([
    ("path", pa.string()), ("page", pa.int32()), ("block_no", pa.int32()), ("block_type", pa.string()),
    ("text", pa.string()), ("markdown", pa.string()), ("bbox", BBOX_TYPE), ("font_size", pa.float64()),
])
# A list item's marker: a bullet sign, "1." / "(a)", or "(cid:N)", pdfminer's name for a glyph it cannot map (a
# bullet drawn from a symbol font).
_BULLET = re.compile(r"^\s*(?:[•◦▪▫●○■□‣⁃∙·*–—-]|\(?\d{1,3}[.)]|\(?[a-z][.)]|\(cid:\d+\))\s+")


@dataclass
class Block:
    page: int
    block_type: str
    text: str
    markdown: str
    bbox: tuple[float, float, float, float] | None = None
    font_size: float | None = None


def blocks_table(path: str, blocks: list[Block]) -> pa.Table:
    """The rows of one document's blocks, numbered 1.. within each page in the order given."""
    numbers: dict[int, int] = {}
    rows = []
    for block in blocks:
        numbers[block.page] = numbers.get(block.page, 0) + 1
        box = None if block.bbox is None else dict(zip(("x0", "y0", "x1", "y1"), (round(v, 2) for v in block.bbox)))
        rows.append({
            "path": path, "page": block.page, "block_no": numbers[block.page], "block_type": block.block_type,
            "text": block.text, "markdown": block.markdown, "bbox": box,
            "font_size": None if block.font_size is None else round(block.font_size, 2),
        })
    return pa.Table.from_pylist(rows, SCHEMA)


def markdown_table(rows: list[list[str | None]]) -> str:
    """A GitHub-flavoured Markdown table; the first row is the header, ragged rows are padded."""
    width = max((len(r) for r in rows), default=0)
    if not width:
        return ""
    cells = [[_cell(c) for c in row] + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def table_text(rows: list[list[str | None]]) -> str:
    """A table as plain text: cells separated by tabs, rows by newlines."""
    return "\n".join("\t".join(" ".join((c or "").split()) for c in row) for row in rows)


def is_list_item(text: str) -> bool:
    return bool(_BULLET.match(text))


def list_markdown(items: list[str]) -> str:
    return "\n".join("- " + _BULLET.sub("", item, count=1).strip() for item in items)


def heading_markdown(text: str, level: int) -> str:
    return "#" * max(1, min(level, 6)) + " " + " ".join(text.split())


def _cell(value: str | None) -> str:
    return " ".join((value or "").split()).replace("|", "\\|")
