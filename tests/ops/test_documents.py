"""read_documents: blocks of generated PDFs compared with what the generator put there; Markdown, HTML, Word; bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb
from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.documents import read_documents
from aidb.ops.skipped_inputs import SkippedInputsWarning
from tests.ops.generated_pdfs import CAPTION, FORMULA, HEADER, LIST_ITEMS, TABLE, TITLE, report_pdf


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdfs")
    made = report_pdf(folder / "report.pdf")
    rows = read_documents(str(made.path))[0].to_pylist()
    return made, rows


def _cells(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.splitlines() if not set(line) <= set("|-: ")]
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]


def test_headers_and_footers_on_every_page(report) -> None:
    _, rows = report
    edges = [(r["page"], r["text"]) for r in rows if r["block_type"] == "header_footer"]
    assert edges == [(p, t) for p in (1, 2, 3) for t in (HEADER, f"Page {p}")]
    assert all(r["block_type"] == "header_footer" for r in rows if r["text"] == HEADER)


def test_titles_from_font_size(report) -> None:
    made, rows = report
    titles = [(r["text"], r["markdown"], r["font_size"]) for r in rows if r["block_type"] == "title"]
    assert titles == [(TITLE, f"# {TITLE}", 22.0)] + [(h, f"## {h}", 15.0) for h in made.headings]


def test_reading_order_of_two_columns(report) -> None:
    made, rows = report
    page2 = [r["text"] for r in rows if r["page"] == 2 and r["block_type"] == "text"]
    assert page2 == made.left_paragraphs + made.right_paragraphs
    assert [r["block_no"] for r in rows if r["page"] == 2] == list(range(1, 12))
    heading = next(r for r in rows if r["text"] == made.headings[1])
    left, right = (next(r for r in rows if r["text"] == p) for p in (made.left_paragraphs[0], made.right_paragraphs[0]))
    assert heading["block_no"] < left["block_no"] < right["block_no"] and left["bbox"]["x1"] < right["bbox"]["x0"]


def test_paragraphs_and_formula_in_order(report) -> None:
    made, rows = report
    page1 = [(r["block_type"], r["text"]) for r in rows if r["page"] == 1 and r["block_type"] in ("text", "formula")]
    assert page1 == [("text", made.intro_paragraphs[0]), ("text", made.intro_paragraphs[1]), ("formula", FORMULA),
                     ("text", made.intro_paragraphs[2])]


def test_table_comes_back_as_markdown(report) -> None:
    _, rows = report
    tables = [r for r in rows if r["block_type"] == "table"]
    assert len(tables) == 1 and tables[0]["page"] == 3
    cells = _cells(tables[0]["markdown"])
    expected = [c for row in TABLE for c in row]
    found = [c for row in cells for c in row]
    assert len(found) == len(expected)
    assert sum(a == b for a, b in zip(found, expected)) / len(expected) >= 0.95
    assert tables[0]["markdown"].splitlines()[1] == "|---|---|---|---|"


def test_list_and_caption(report) -> None:
    _, rows = report
    lists = [r for r in rows if r["block_type"] == "list"]
    assert len(lists) == 1 and lists[0]["markdown"] == "\n".join(f"- {item}" for item in LIST_ITEMS)
    captions = [r["text"] for r in rows if r["block_type"] == "figure_caption"]
    assert captions == [CAPTION]


def test_boxes_lie_on_the_page(report) -> None:
    _, rows = report
    for r in rows:
        box = r["bbox"]
        assert 0 <= box["x0"] < box["x1"] <= 596 and 0 <= box["y0"] < box["y1"] <= 842, r


def test_encrypted_corrupt_cut_off_and_empty_pdfs(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    locked = canvas.Canvas(str(tmp_path / "locked.pdf"), encrypt="secret")
    locked.drawString(72, 720, "hidden text")
    locked.save()
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a PDF\n")
    whole = report_pdf(tmp_path / "good.pdf").path.read_bytes()
    (tmp_path / "cut.pdf").write_bytes(whole[: len(whole) // 2])  # a download that stopped half way
    (tmp_path / "zero.pdf").write_bytes(b"")
    with pytest.raises(DataError, match=r"locked.pdf: the PDF is encrypted"):
        read_documents(str(tmp_path / "locked.pdf"))
    for name in ("broken.pdf", "cut.pdf", "zero.pdf"):
        with pytest.raises(DataError, match=rf"cannot parse .*{name}: "):
            read_documents(str(tmp_path / name))
    rows, skipped = read_documents(str(tmp_path / "*.pdf"), on_error="skip")
    assert set(rows.column("path").to_pylist()) == {str(tmp_path / "good.pdf")}
    assert [(Path(s.file).name, s.place) for s in skipped] == [
        ("broken.pdf", "the whole file"), ("cut.pdf", "the whole file"), ("locked.pdf", "the whole file"), ("zero.pdf", "the whole file")]


def test_a_missing_path_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match=r"read_documents\(\): file '.*none.pdf' does not exist"):
        read_documents(str(tmp_path / "none.pdf"))
    with pytest.raises(OperationalError, match=r"is a folder; name its files with a glob"):
        read_documents(str(tmp_path))


def test_markdown_html_and_word(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "# Guide\n\nSome text\nover two lines.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n$$\nE = m c^2\n$$\n"
    )
    rows = read_documents(str(tmp_path / "a.md"))[0].to_pylist()
    assert [(r["block_type"], r["text"]) for r in rows] == [
        ("title", "Guide"), ("text", "Some text over two lines."), ("list", "- one\n- two"), ("table", "a\tb\n1\t2"), ("formula", "E = m c^2")]
    assert rows[0]["bbox"] is None and rows[0]["page"] == 1
    (tmp_path / "b.html").write_text(
        "<html><body><header><p>Site name</p></header><h2>Part</h2><p>Body <b>text</b>.</p><ul><li>x</li><li>y</li></ul>"
        "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table><figure><figcaption>Figure 2: A</figcaption></figure>"
        "<script>var x;</script></body></html>"
    )
    rows = read_documents(str(tmp_path / "b.html"))[0].to_pylist()
    assert [(r["block_type"], r["markdown"]) for r in rows] == [
        ("header_footer", "Site name"), ("title", "## Part"), ("text", "Body text."), ("list", "- x\n- y"),
        ("table", "| k | v |\n|---|---|\n| 1 | 2 |"), ("figure_caption", "*Figure 2: A*")]
    (tmp_path / "x.html").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                                     "<h1>XHTML</h1><p>Declared.</p></body></html>")
    assert [(r["block_type"], r["text"]) for r in read_documents(str(tmp_path / "x.html"))[0].to_pylist()] == [
        ("title", "XHTML"), ("text", "Declared.")]
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Company report"
    document.add_heading("Summary", level=1)
    document.add_paragraph("Plain paragraph.")
    document.add_paragraph("first point", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for i, text in enumerate(["h1", "h2", "c1", "c2"]):
        table.cell(i // 2, i % 2).text = text
    document.save(str(tmp_path / "c.docx"))
    rows = read_documents(str(tmp_path / "c.docx"))[0].to_pylist()
    assert [(r["block_type"], r["markdown"]) for r in rows] == [
        ("header_footer", "Company report"), ("title", "## Summary"), ("text", "Plain paragraph."), ("list", "- first point"),
        ("table", "| h1 | h2 |\n|---|---|\n| c1 | c2 |")]


def test_numbered_headings_spaced_words_code_and_contents_lines(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    sheet = canvas.Canvas(str(tmp_path / "typeset.pdf"))
    sheet.setFont("Helvetica-Bold", 16)
    sheet.drawString(72, 760, "1. Introduction")
    sheet.setFont("Helvetica", 10)
    for line, y in enumerate((730, 717, 704)):  # words placed apart, no space characters (as TeX and DocBook do)
        x = 72.0
        for word in f"line {line} of words placed by position with no space characters between".split():
            sheet.drawString(x, y, word)
            x += sheet.stringWidth(word, "Helvetica", 10) + 2.5
    sheet.drawString(72, 670, "2 Method . . . . . . . . . . . . . . . . 5")
    sheet.setFont("Courier", 10)
    sheet.drawString(72, 640, "total = price * count + 1")
    sheet.setFont("Times-Italic", 11)
    sheet.drawString(120, 610, "E = m x c ^ 2")
    sheet.save()
    rows = read_documents(str(tmp_path / "typeset.pdf"))[0].to_pylist()
    assert [(r["block_type"], r["text"]) for r in rows] == [
        ("title", "1. Introduction"),
        ("text", " ".join(f"line {n} of words placed by position with no space characters between" for n in range(3))),
        ("text", "2 Method . . . . . . . . . . . . . . . . 5"),
        ("text", "total = price * count + 1"),
        ("formula", "E = m x c ^ 2"),
    ]


def test_bad_arguments_and_missing_parsers(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"notes.txt: unsupported file type '.txt'"):
        read_documents(str(tmp_path / "notes.txt"))
    with pytest.raises(ProgrammingError, match="parser must be one of 'pdfplumber', 'mineru', 'docling'"):
        read_documents(str(tmp_path / "*.pdf"), parser="pymupdf")
    with pytest.raises(OperationalError, match=r"no file matches"):
        read_documents(str(tmp_path / "*.pdf"))
    for parser, install in (("mineru", r'pip install "mineru\[core\]>=2,<4"'), ("docling", "pip install docling")):
        with pytest.raises(OperationalError, match=install):
            read_documents(str(tmp_path / "*.pdf"), parser=parser)


def test_progress_moves_a_file_at_a_time(report) -> None:
    made, _ = report
    reports = []
    read_documents(str(made.path.parent / "*.pdf"), progress=lambda stage, done, total: reports.append((stage, done, total)))
    assert reports == [("read_documents: 1 file(s)", 0, 1), ("read_documents: 1 file(s)", 1, 1)]


def test_worker_processes_give_the_same_rows_and_skips(tmp_path: Path, monkeypatch) -> None:
    from aidb.ops import documents, worker_pool

    report_pdf(tmp_path / "a.pdf")
    (tmp_path / "b.pdf").write_bytes(b"not a pdf")
    report_pdf(tmp_path / "c.pdf")
    alone, alone_skipped = read_documents(str(tmp_path / "*.pdf"), on_error="skip")
    monkeypatch.setattr(documents, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setenv(worker_pool.WORKERS_ENV, "2")
    try:
        spread, spread_skipped = read_documents(str(tmp_path / "*.pdf"), on_error="skip")
        with pytest.raises(DataError, match="b.pdf"):
            read_documents(str(tmp_path / "*.pdf"))
    finally:
        worker_pool.stop_workers()
    assert spread.equals(alone) and spread.num_rows > 0
    assert spread_skipped == alone_skipped and [Path(s.file).name for s in spread_skipped] == ["b.pdf"]


def test_read_documents_in_sql(con, report, tmp_path: Path) -> None:
    made, _ = report
    con.execute(f"CREATE TABLE blocks AS SELECT * FROM read_documents('{made.path}')")
    assert con.execute("SELECT markdown FROM blocks WHERE block_type = 'title' ORDER BY page, block_no LIMIT 1").fetchone() == (f"# {TITLE}",)
    assert con.execute("SELECT count(*) FROM blocks WHERE page = 2 AND block_type = 'text' AND bbox.x0 > 300").fetchone() == (4,)
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf")
    with pytest.warns(SkippedInputsWarning, match=r"skipped 1 unreadable file\(s\): .*bad.pdf"):
        con.execute(f"SELECT count(*) FROM read_documents('{tmp_path}/*.pdf', on_error := 'skip')").fetchall()
    with pytest.raises(aidb.DataError, match="bad.pdf"):
        con.execute(f"SELECT * FROM read_documents('{tmp_path}/bad.pdf')")
    with pytest.warns(SkippedInputsWarning):
        con.execute(f"CREATE TABLE ok AS SELECT * FROM read_documents('{tmp_path}/*.pdf', on_error := 'skip', skipped := 'pdf_skipped')")
    assert con.execute("SELECT file, place FROM pdf_skipped").fetchall() == [(str(tmp_path / "bad.pdf"), "the whole file")]
