"""Deterministic generator for the demo's PDF (``aidb/demo/data/report.pdf``); not part of the package. Needs reportlab.

A two-page report on the bundled corpus: a title, paragraphs, a table of documents per domain and planted kind
(counted from ``aidb/demo/data/corpus.jsonl``) and a running footer, so that ``aidb demo`` can show
read_documents() bringing the table back as Markdown. ``invariant=1`` makes reportlab write the same bytes each run.

    python tools/make_demo_pdf.py            # rewrites aidb/demo/data/report.pdf
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "aidb" / "demo" / "data"


def corpus_table() -> list[list[str]]:
    docs = [json.loads(line) for line in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    kinds = Counter(("clean" if d["planted"] == "clean" else "duplicate" if d["planted"].endswith("dup") else "junk", d["domain"]) for d in docs)
    domains = sorted({d["domain"] for d in docs})
    rows = [["Domain", "Clean", "Duplicates", "Junk", "Total"]]
    for domain in domains:
        counts = [kinds[(kind, domain)] for kind in ("clean", "duplicate", "junk")]
        rows.append([domain, *map(str, counts), str(sum(counts))])
    return rows


def write_report(path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=8)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=20, leading=24, spaceAfter=12)
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=14, leading=17, spaceAfter=8)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, 30, "aidb demo corpus report")
        canvas.drawRightString(A4[0] - 72, 30, f"Page {doc.page}")
        canvas.restoreState()

    table = Table(corpus_table())
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 10)]))
    story = [
        Paragraph("The demo corpus", title),
        Paragraph("The bundled corpus holds four hundred documents the project generated, with duplicates and junk "
                  "planted among clean prose so that every pipeline step can be checked against a known answer.", body),
        Paragraph("1 Where the documents come from", heading),
        Paragraph("Each domain mixes clean documents with planted exact and near duplicates and with junk pages: "
                  "boilerplate, bullet lists, ellipsis lines, symbol spam, gibberish and very short texts.", body),
        PageBreak(),
        Paragraph("2 Documents per domain", heading),
        table,
    ]
    SimpleDocTemplate(str(path), pagesize=A4, title="aidb demo corpus report", invariant=1).build(
        story, onFirstPage=footer, onLaterPages=footer)


if __name__ == "__main__":
    write_report(DATA / "report.pdf")
    print(f"wrote {DATA / 'report.pdf'}")
