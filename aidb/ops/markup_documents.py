"""Blocks of Markdown, HTML and Word (.docx) documents, in the rows PDFs give (no pages: page 1, no bbox or font size).

Markdown: ATX headings are titles, `-`/`*`/`1.` runs are lists, pipe tables are tables, `$$ ... $$` formulas,
fenced code and other paragraphs text. HTML: h1-h6, p, ul/ol, table, figcaption, header/footer, math, in document
order (lxml). Word: paragraphs by style (Title, Heading n, List ...), tables, the sections' headers and footers
(python-docx).
"""

from __future__ import annotations

import re
from pathlib import Path

from aidb.ops.document_blocks import Block, heading_markdown, is_list_item, list_markdown, markdown_table, table_text

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in _markdown_chunks(text):
        first = chunk[0]
        heading = _ATX.match(first)
        joined = "\n".join(chunk)
        if heading and len(chunk) == 1:
            blocks.append(Block(1, "title", heading.group(2), heading_markdown(heading.group(2), len(heading.group(1)))))
        elif len(chunk) >= 2 and "|" in first and _TABLE_RULE.match(chunk[1]):
            rows = [_pipe_cells(line) for line in chunk if not _TABLE_RULE.match(line)]
            blocks.append(Block(1, "table", table_text(rows), markdown_table(rows)))
        elif first.strip().startswith("$$"):
            formula = joined.strip().strip("$").strip()
            blocks.append(Block(1, "formula", formula, joined.strip()))
        elif all(is_list_item(line) or line.startswith((" ", "\t")) for line in chunk) and is_list_item(first):
            items = _list_items(chunk)
            blocks.append(Block(1, "list", "\n".join(items), list_markdown(items)))
        elif re.match(r"^(?:\*|_)?(?:figure|fig\.)\s*\d+", first, re.I):
            blocks.append(Block(1, "figure_caption", joined.strip("*_ "), joined))
        else:
            blocks.append(Block(1, "text", " ".join(joined.split()) if not first.startswith("```") else joined, joined))
    return blocks


def _markdown_chunks(text: str) -> list[list[str]]:
    """Blank-line separated chunks; a heading line is a chunk of its own; fenced code and $$ blocks stay whole."""
    chunks: list[list[str]] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is not None:
            current.append(line)
            if stripped.startswith(fence) and len(current) > 1:
                chunks.append(current)
                current, fence = [], None
            continue
        if stripped.startswith(("```", "$$")) and not (stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4):
            if current:
                chunks.append(current)
            current, fence = [line], stripped[:3] if stripped.startswith("```") else "$$"
            continue
        if not stripped or _ATX.match(line):
            if current:
                chunks.append(current)
            current = []
            if stripped:
                chunks.append([line])
            continue
        current.append(line)
    if current:
        chunks.append(current)
    return chunks


def _pipe_cells(line: str) -> list[str]:
    cells = line.strip().strip("|").split("|")
    return [c.strip() for c in cells]


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if is_list_item(line) or not items:
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    return items


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "table", "figcaption", "pre", "blockquote", "math"}


def html_blocks(html: str) -> list[Block]:
    import lxml.html

    # lxml refuses a str that still declares its encoding (XHTML's <?xml ... encoding="UTF-8"?>): it is decoded already
    root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1) or "<html></html>")
    for unwanted in root.xpath("//script|//style|//noscript|//template"):
        unwanted.drop_tree()
    blocks: list[Block] = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in _HTML_BLOCKS or any(a.tag in _HTML_BLOCKS for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if not text:
            continue
        edge = any(a.tag in ("header", "footer", "nav") for a in element.iterancestors())
        if edge:
            blocks.append(Block(1, "header_footer", text, text))
        elif tag[0] == "h" and tag[1:].isdigit():
            blocks.append(Block(1, "title", text, heading_markdown(text, int(tag[1]))))
        elif tag in ("ul", "ol"):
            items = [" ".join(li.text_content().split()) for li in element.iterchildren("li")]
            items = [i for i in items if i]
            blocks.append(Block(1, "list", "\n".join(items), list_markdown(items)))
        elif tag == "table":
            rows = [[" ".join(c.text_content().split()) for c in tr.iterchildren("td", "th")] for tr in element.iter("tr")]
            rows = [r for r in rows if r]
            blocks.append(Block(1, "table", table_text(rows), markdown_table(rows)))
        elif tag == "figcaption":
            blocks.append(Block(1, "figure_caption", text, f"*{text}*"))
        elif tag == "math":
            blocks.append(Block(1, "formula", text, text))
        else:
            blocks.append(Block(1, "text", text, text))
    return blocks


def docx_blocks(path: Path) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    headers: list[str] = []
    footers: list[str] = []
    for section in document.sections:
        for part, found in ((section.header, headers), (section.footer, footers)):
            text = " ".join(p.text.strip() for p in part.paragraphs if p.text.strip())
            if text and text not in found:
                found.append(text)
    blocks = [Block(1, "header_footer", t, t) for t in headers]
    items: list[str] = []

    def close_list() -> None:
        if items:
            blocks.append(Block(1, "list", "\n".join(items), list_markdown(items)))
            items.clear()

    for child in document.element.body.iterchildren():
        if child.tag.endswith("}tbl"):
            close_list()
            rows = [[cell.text for cell in row.cells] for row in Table(child, document).rows]
            blocks.append(Block(1, "table", table_text(rows), markdown_table(rows)))
            continue
        if not child.tag.endswith("}p"):
            continue
        paragraph = Paragraph(child, document)
        text = " ".join(paragraph.text.split())
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not text:
            continue
        if style.startswith("List") or is_list_item(text):
            items.append(text)
            continue
        close_list()
        level = 1 if style == "Title" else int(style.split()[-1]) + 1 if style.startswith("Heading") and style.split()[-1].isdigit() else 0
        if level:
            blocks.append(Block(1, "title", text, heading_markdown(text, level)))
        elif style == "Caption" or re.match(r"^(?:figure|fig\.)\s*\d+", text, re.I):
            blocks.append(Block(1, "figure_caption", text, f"*{text}*"))
        else:
            blocks.append(Block(1, "text", text, text))
    close_list()
    blocks += [Block(1, "header_footer", t, t) for t in footers]
    return blocks
