"""Blocks of a digital PDF in reading order with pdfplumber: paragraphs, titles, tables, lists, formulas, captions.

Per page: pdfplumber's table finder takes the tables (as Markdown); the other words form lines, lines split at
wide gaps (a column gutter) into segments, and segments stack into blocks while they overlap horizontally, keep
their font size and follow each other closely. Reading order: top to bottom, except where a left and a right
column stand side by side — then the left column, then the right, between the full-width blocks around them.
Per document: the body font size is the most common one (by characters); larger short blocks are titles (the
largest size is level 1); blocks near the top or bottom edge whose text, digits aside, repeats on at least half
the pages (and two) are headers and footers. Memory holds one page's objects and the document's block texts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidb.ops.document_blocks import Block, heading_markdown, is_list_item, list_markdown, markdown_table, table_text

TITLE_SIZE_RATIO = 1.15  # a block this much larger than the body text is a title
# Characters further apart than this fraction of their font size are in different words. pdfplumber's default, a
# fixed 3 pt, runs words together in PDFs that space words by position instead of space characters (LaTeX, DocBook).
WORD_GAP_RATIO = 0.15
TITLE_MAX_WORDS = 30
EDGE_BAND = 0.1  # headers and footers sit in the top or bottom tenth of the page
_MATH_SYMBOLS = set("=≤≥≈≠∑∏∫√±×÷∂∞∈∀∃→⇒^")
_MATH_FONTS = ("math", "cmmi", "cmsy", "cmex", "symbol", "stix")
_CODE_FONTS = ("courier", "mono", "nimbusmon", "cmtt", "consol", "code", "typewriter", "fixed")  # monospaced families
_DOT_LEADERS = re.compile(r"(?:\.\s*){5,}")
_CAPTION = re.compile(r"^(?:figure|fig\.)\s*\d+", re.I)


@dataclass
class _Segment:
    words: list[dict[str, Any]]
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


@dataclass
class _Raw:
    """A block before the document-wide decisions (title, header/footer)."""

    page: int
    kind: str  # 'text', 'table', 'list', 'formula', 'figure_caption'
    segments: list[_Segment] = field(default_factory=list)
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    size: float | None = None
    chars: int = 0
    table: list[list[str | None]] | None = None
    page_height: float = 0.0

    @property
    def text(self) -> str:
        if self.table is not None:
            return table_text(self.table)
        if self.kind == "list":
            return _list_items_text(self.segments)
        return _join_lines([s.text for s in self.segments])


def pdf_blocks(pdf: Any) -> list[Block]:
    """The blocks of an open pdfplumber document, in reading order, page by page."""
    raws: list[_Raw] = []
    sizes: Counter[float] = Counter()
    for page in pdf.pages:
        try:
            page_raws = _page_blocks(page)
        finally:
            page.close()
        for raw in page_raws:
            if raw.size is not None and raw.table is None:
                sizes[raw.size] += raw.chars
        raws.extend(page_raws)
    body = sizes.most_common(1)[0][0] if sizes else None
    repeated = _repeated_edge_texts(raws, len(pdf.pages))
    title_sizes = sorted({r.size for r in raws if _is_title(r, body)}, reverse=True)
    return [_finish(r, body, repeated, title_sizes) for r in raws]


def _page_blocks(page: Any) -> list[_Raw]:
    number, height, middle = page.page_number, float(page.height), float(page.width) / 2
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    words = [w for w in page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=False, x_tolerance_ratio=WORD_GAP_RATIO)
             if not _inside_any(w, boxes)]
    blocks = _stack(_segments(words), number, height)
    for table in tables:
        cells = table.extract()
        chars = [c for c in page.chars if _inside_any(c, [table.bbox])]
        size = _median([c["size"] for c in chars]) if chars else None
        blocks.append(_Raw(number, "table", bbox=tuple(table.bbox), size=size, chars=len(chars), table=cells, page_height=height))
    return _reading_order(_merge_lists(blocks), middle)


def _segments(words: list[dict[str, Any]]) -> list[_Segment]:
    """Words grouped into lines (tops within a third of the font size), lines cut at gaps wider than 1.5 font sizes."""
    segments: list[_Segment] = []
    line: list[dict[str, Any]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if line and abs(word["top"] - line[0]["top"]) > max(line[0]["size"], 1.0) / 3:
            segments.extend(_cut(line))
            line = []
        line.append(word)
    if line:
        segments.extend(_cut(line))
    return segments


def _cut(line: list[dict[str, Any]]) -> list[_Segment]:
    line = sorted(line, key=lambda w: w["x0"])
    pieces: list[list[dict[str, Any]]] = [[line[0]]]
    for word in line[1:]:
        previous = pieces[-1][-1]
        if word["x0"] - previous["x1"] > 1.5 * max(previous["size"], word["size"]) and not is_list_item(previous["text"] + " x"):
            pieces.append([word])
        else:
            pieces[-1].append(word)
    return [
        _Segment(p, min(w["x0"] for w in p), min(w["top"] for w in p), max(w["x1"] for w in p), max(w["bottom"] for w in p),
                 _median([w["size"] for w in p]))
        for p in pieces
    ]


def _stack(segments: list[_Segment], page: int, height: float) -> list[_Raw]:
    """Segments into blocks: a segment joins the open block it overlaps horizontally, right below it, in its font size."""
    open_blocks: list[_Raw] = []
    for segment in sorted(segments, key=lambda s: (s.top, s.x0)):
        target = None
        for block in reversed(open_blocks):
            last = block.segments[-1]
            gap = segment.top - last.bottom
            overlaps = segment.x0 < last.x1 and last.x0 < segment.x1
            if overlaps and -1.0 <= gap <= 0.6 * segment.size and abs(segment.size - last.size) < 0.5 and not is_list_item(segment.text):
                target = block
                break
        if target is None:
            target = _Raw(page, "text", page_height=height)
            open_blocks.append(target)
        target.segments.append(segment)
    for block in open_blocks:
        _measure(block)
        block.kind = _kind(block)
    return open_blocks


def _measure(block: _Raw) -> None:
    segments = block.segments
    block.bbox = (min(s.x0 for s in segments), min(s.top for s in segments), max(s.x1 for s in segments), max(s.bottom for s in segments))
    sizes = [w["size"] for s in segments for w in s.words for _ in w["text"]]
    block.size = round(_median(sizes), 1) if sizes else None
    block.chars = len(sizes)


def _kind(block: _Raw) -> str:
    text = block.text
    if _CAPTION.match(text):
        return "figure_caption"
    if is_list_item(text):
        return "list"
    if len(block.segments) > 3 or _DOT_LEADERS.search(text):  # a table of contents line is not an equation
        return "text"
    fonts = [w["fontname"].lower() for s in block.segments for w in s.words]
    if any(code in name for name in fonts for code in _CODE_FONTS):  # code, grammars, hex dumps: '=' but no maths
        return "text"
    in_math_fonts = sum(any(f in name for f in _MATH_FONTS) for name in fonts)
    return "formula" if in_math_fonts * 2 >= len(fonts) or _looks_like_math(text) else "text"


def _looks_like_math(text: str) -> bool:
    """An equation line: a relation or operator symbol, and few ordinary words among its tokens."""
    if not _MATH_SYMBOLS.intersection(text):
        return False
    tokens = text.split()
    words = [t for t in tokens if t.isalpha() and len(t) >= 4]
    return len(tokens) >= 3 and len(words) / len(tokens) < 0.3


def _merge_lists(blocks: list[_Raw]) -> list[_Raw]:
    """Consecutive list-item blocks of one column (items are spaced like paragraphs) become one list block."""
    merged: list[_Raw] = []
    for block in sorted(blocks, key=lambda b: (b.bbox[1], b.bbox[0])):
        previous = next((m for m in reversed(merged) if m.kind == "list" and abs(m.bbox[0] - block.bbox[0]) < 2.0), None)
        if block.kind == "list" and previous is not None and 0 <= block.bbox[1] - previous.bbox[3] <= 2.5 * (block.size or 10):
            previous.segments.extend(block.segments)
            _measure(previous)
            continue
        merged.append(block)
    return merged


def _reading_order(blocks: list[_Raw], middle: float) -> list[_Raw]:
    """Top to bottom; where left- and right-column blocks stand side by side, the left column first."""
    ordered: list[_Raw] = []
    band: list[_Raw] = []

    def flush() -> None:
        left = [b for b in band if b.bbox[2] <= middle]
        right = [b for b in band if b.bbox[0] >= middle]
        side_by_side = any(lb.bbox[1] < rb.bbox[3] and rb.bbox[1] < lb.bbox[3] for lb in left for rb in right)
        ordered.extend(sorted(left, key=_top) + sorted(right, key=_top) if side_by_side else sorted(band, key=_top))
        band.clear()

    for block in sorted(blocks, key=_top):
        if block.bbox[0] < middle < block.bbox[2]:  # spans both halves: closes the columns above it
            flush()
            ordered.append(block)
        else:
            band.append(block)
    flush()
    return ordered


def _top(block: _Raw) -> tuple[float, float]:
    return block.bbox[1], block.bbox[0]


def _normalised(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _at_edge(block: _Raw) -> bool:
    return block.bbox[3] <= EDGE_BAND * block.page_height or block.bbox[1] >= (1 - EDGE_BAND) * block.page_height


def _repeated_edge_texts(raws: list[_Raw], pages: int) -> set[str]:
    if pages < 2:
        return set()
    seen: dict[str, set[int]] = {}
    for raw in raws:
        if raw.table is None and _at_edge(raw):
            seen.setdefault(_normalised(raw.text), set()).add(raw.page)
    return {text for text, on in seen.items() if len(on) >= max(2, (pages + 1) // 2)}


def _is_title(raw: _Raw, body: float | None) -> bool:
    """A short block in a larger font; a numbered heading ('1. Introduction') looks like a one-line list item."""
    return (
        (raw.kind == "text" or (raw.kind == "list" and len(raw.segments) == 1))
        and body is not None and raw.size is not None and raw.size >= body * TITLE_SIZE_RATIO
        and len(raw.text.split()) <= TITLE_MAX_WORDS
    )


def _finish(raw: _Raw, body: float | None, repeated: set[str], title_sizes: list[float]) -> Block:
    text = raw.text
    kind = raw.kind
    if raw.table is None and _at_edge(raw) and _normalised(text) in repeated:
        kind = "header_footer"
    elif _is_title(raw, body):
        kind = "title"
    if kind == "table":
        markdown = markdown_table(raw.table or [])
    elif kind == "title":
        markdown = heading_markdown(text, title_sizes.index(raw.size) + 1)
    elif kind == "list":
        markdown = list_markdown(text.splitlines())
    elif kind == "figure_caption":
        markdown = f"*{text}*"
    else:
        markdown = text
    return Block(raw.page, kind, text, markdown, raw.bbox, raw.size)


def _list_items_text(segments: list[_Segment]) -> str:
    """One line per item: a segment that starts with a bullet or number opens an item, the others continue it."""
    items: list[list[str]] = []
    for segment in segments:
        if is_list_item(segment.text) or not items:
            items.append([re.sub(r"^\s*\(cid:\d+\)", "•", segment.text)])
        else:
            items[-1].append(segment.text)
    return "\n".join(_join_lines(item) for item in items)


def _join_lines(lines: list[str]) -> str:
    """Lines of a paragraph as one text; a word hyphenated across a line break is joined again."""
    text = ""
    for line in lines:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text


def _inside_any(item: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (item["x0"] + item["x1"]) / 2, (item["top"] + item["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return float(ordered[len(ordered) // 2]) if ordered else 0.0


def read_pdf(path: Path) -> Iterator[Block]:
    """The blocks of the PDF at `path` (pdfplumber; errors are the library's, translated by the caller)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        yield from pdf_blocks(pdf)
