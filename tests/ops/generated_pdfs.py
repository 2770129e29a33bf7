"""PDFs for the document tests, generated with reportlab: what is on each page is known, block by block.

`report_pdf` writes three pages with a running header and a page-number footer: a title, a section heading,
paragraphs and a formula line (page 1); a heading over two columns of paragraphs (page 2); a table with known
cells, a list and a figure caption (page 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HEADER = "ACME Research Quarterly"
TITLE = "Collecting Text for Language Models"
FORMULA = "score(d) = 0.5 x log p(d) + 0.25 x len(d) / 100"
TABLE = [
    ["Source", "Documents", "Tokens (B)", "Licence"],
    ["Common Crawl", "2,400,000", "310.5", "mixed"],
    ["Wikipedia", "6,100,000", "4.2", "CC BY-SA"],
    ["Books", "28,000", "26.0", "public domain"],
    ["Code", "1,200,000", "55.7", "permissive"],
]
LIST_ITEMS = ["Remove boilerplate lines.", "Drop near-duplicate pages.", "Keep pages in the target languages."]
CAPTION = "Figure 1: Documents kept at each step of the pipeline."
LEFT_WORDS = "left column sentence about crawling the public web with polite rate limits and robots rules".split()
RIGHT_WORDS = "right column sentence about parsing documents into blocks with their layout and reading order".split()


@dataclass
class ReportPdf:
    path: Path
    headings: list[str] = field(default_factory=list)
    left_paragraphs: list[str] = field(default_factory=list)
    right_paragraphs: list[str] = field(default_factory=list)
    intro_paragraphs: list[str] = field(default_factory=list)


def _sentences(words: list[str], count: int, tag: str) -> list[str]:
    return [f"{tag} {n + 1}: " + " ".join(words[(n + i) % len(words)] for i in range(40)) + "." for n in range(count)]


def report_pdf(path: Path) -> ReportPdf:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (BaseDocTemplate, Frame, FrameBreak, ListFlowable, ListItem, NextPageTemplate,
                                    PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle)

    width, height = A4
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=8)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=22, leading=26, spaceAfter=14)
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=15, leading=18, spaceAfter=8)
    formula = ParagraphStyle("formula", fontName="Times-Italic", fontSize=11, leading=14, spaceAfter=10, leftIndent=60)
    caption = ParagraphStyle("caption", fontName="Helvetica-Oblique", fontSize=9, leading=11, spaceBefore=6)
    result = ReportPdf(path, headings=["1 Introduction", "2 Method", "3 Results"])

    def header_and_footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, height - 40, HEADER)
        canvas.drawRightString(width - 72, 30, f"Page {doc.page}")
        canvas.restoreState()

    margin = 72
    full = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="full")
    gap = 24
    column = (width - 2 * margin - gap) / 2
    top = Frame(margin, height - margin - 60, width - 2 * margin, 60, id="top")
    left = Frame(margin, margin, column, height - 2 * margin - 60, id="left")
    right = Frame(margin + column + gap, margin, column, height - 2 * margin - 60, id="right")
    doc = BaseDocTemplate(str(path), pagesize=A4, title=TITLE)
    doc.addPageTemplates([PageTemplate("one", [full], onPage=header_and_footer),
                          PageTemplate("two", [top, left, right], onPage=header_and_footer)])
    result.intro_paragraphs = _sentences("data for training language models comes from many sources and must be cleaned".split(), 3, "Intro")
    result.left_paragraphs = _sentences(LEFT_WORDS, 4, "Left")
    result.right_paragraphs = _sentences(RIGHT_WORDS, 4, "Right")
    story = [Paragraph(TITLE, title), Paragraph(result.headings[0], heading)]
    story += [Paragraph(p, body) for p in result.intro_paragraphs[:2]]
    story += [Paragraph(FORMULA, formula), Paragraph(result.intro_paragraphs[2], body)]
    story += [NextPageTemplate("two"), PageBreak(), Paragraph(result.headings[1], heading), FrameBreak()]
    story += [Paragraph(p, body) for p in result.left_paragraphs] + [FrameBreak()]
    story += [Paragraph(p, body) for p in result.right_paragraphs]
    story += [NextPageTemplate("one"), PageBreak(), Paragraph(result.headings[2], heading)]
    table = Table(TABLE)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), "Helvetica", 10)]))
    story += [table, Spacer(1, 16)]
    story += [ListFlowable([ListItem(Paragraph(t, body)) for t in LIST_ITEMS], bulletType="bullet", start="•")]
    story += [Spacer(1, 40), Paragraph(CAPTION, caption)]
    doc.build(story)
    return result
