"""extract_text: main-text words of pages with boilerplate (precision and recall >= 0.9), metadata, NULLs, workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import aidb
from aidb.demo.pipeline import CORPUS
from aidb.ops import html_text, worker_pool
from aidb.demo.crawl import page_html


def clean_documents(n: int) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["planted"] == "clean"][:n]


def as_page(doc: dict) -> str:
    sentences = doc["text"].replace("\n", " ").split(". ")
    paragraphs = [". ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return page_html(f"Document {doc['id']}", paragraphs)


def words(text: str) -> Counter:
    return Counter(w.strip(".,;:!?\"'()").lower() for w in text.split() if w.strip(".,;:!?\"'()"))


@pytest.mark.parametrize("method", ["trafilatura", "resiliparse"])
def test_main_text_words_precision_and_recall(con, method: str) -> None:
    docs = clean_documents(12)
    rows = con.execute(
        f"SELECT extract_text(html, method := '{method}').text FROM (SELECT unnest(?) AS html)", [[as_page(d) for d in docs]]
    ).fetchall()
    for doc, (text,) in zip(docs, rows):
        expected = words(f"Document {doc['id']} " + doc["text"])
        found = words(text)
        overlap = sum((expected & found).values())
        precision, recall = overlap / sum(found.values()), overlap / sum(expected.values())
        assert precision >= 0.9 and recall >= 0.9, (doc["id"], method, precision, recall)
        assert "cookies" not in text and "Copyright" not in text and "About us" not in text


def test_metadata_and_pages_without_main_text(con) -> None:
    page = (
        "<html lang='fr-CA'><head><title>Le lac</title><meta name='author' content='Marie Curie'>"
        "<meta property='article:published_time' content='2023-05-04T10:00:00Z'></head><body><article>"
        + "".join(f"<p>Le lac était calme ce matin {n}, et les pêcheurs étaient déjà partis sur leurs bateaux avant le lever du soleil.</p>"
                  for n in ("un", "deux", "trois"))
        + "</article></body></html>"
    )
    menu_only = "<html><head><title>Menu</title><script>var menu = [1, 2];</script></head><body><div><img src='a.png'></div></body></html>"
    for method in ("trafilatura", "resiliparse"):
        rows = con.execute(
            f"SELECT e.text, e.title, e.lang_hint, e.author, e.date FROM (SELECT extract_text(h, 'https://example.fr/lac', method := '{method}') AS e "
            "FROM (SELECT unnest(?) AS h, generate_subscripts(?, 1) AS i) ORDER BY i)", [[page, menu_only, None]] * 2,
        ).fetchall()
        text, title, lang, author, date = rows[0]
        assert text.count("Le lac était calme") == 3 and title == "Le lac" and lang == "fr-ca", method
        assert author == "Marie Curie" and date == "2023-05-04", method
        assert rows[1][0] is None and rows[1][1] == "Menu", method  # no main text: NULL text, not an error
        assert rows[2] == (None, None, None, None, None), method


@pytest.mark.parametrize("method", ["trafilatura", "resiliparse"])
def test_empty_broken_and_large_pages_never_raise(con, method: str) -> None:
    article = "".join(f"<p>Paragraph {i} of a long article, with enough words in it to count as body text.</p>" for i in range(3000))
    pages = [
        "", "  \n ",  # empty bodies of a crawl: no text
        "<html><body><div><p>" + "An unclosed paragraph that runs on with its words " * 20,  # tags never closed
        "\x00\x01<<<>>>&&&\ufffd" * 50,  # bytes that are not HTML
        "<html><body><article>" + article + "</article></body></html>",  # ~270 KB
    ]
    rows = con.execute(f"SELECT extract_text(h, method := '{method}').text FROM (SELECT unnest(?) AS h, generate_subscripts(?, 1) AS i) ORDER BY i",
                       [pages, pages]).fetchall()
    assert rows[0] == (None,) and rows[1] == (None,)
    assert rows[2][0].count("An unclosed paragraph") == 20
    assert rows[3][0] is None or "Paragraph" not in rows[3][0]
    assert rows[4][0].count("Paragraph") == 3000 and rows[4][0].startswith("Paragraph 0 of a long article")


def test_text_is_nfc_as_trafilatura_extract_returns_it(con) -> None:
    import trafilatura

    decomposed = "Zoe\u0308 Blade wrote the userdiff driver for Fountain documents, and Nguye\u0302\u0303n reviewed it twice."
    page = page_html("Changes", [decomposed] * 4)
    (text,) = con.execute("SELECT extract_text(?).text", [page]).fetchone()
    assert "Zo\u00eb Blade" in text and "Nguy\u1ec5n" in text and "\u0308" not in text
    assert text == trafilatura.extract(page, favor_precision=True, include_comments=False, deduplicate=False)


def test_bad_method_is_an_error(con) -> None:
    with pytest.raises(aidb.ProgrammingError, match="method must be one of 'trafilatura', 'resiliparse', got 'lxml'"):
        con.execute("SELECT extract_text('<p>x</p>', method := 'lxml')")


def test_worker_processes_give_the_in_process_results(monkeypatch) -> None:
    pages = [as_page(d) for d in clean_documents(6)] * 2
    monkeypatch.setattr(html_text, "PARALLEL_MIN_PAGES", 4)
    monkeypatch.setenv(worker_pool.WORKERS_ENV, "2")
    try:
        assert html_text.extract_pages_parallel(pages, [None] * len(pages), "trafilatura") == html_text.extract_pages(pages, [None] * len(pages), "trafilatura")
    finally:
        worker_pool.stop_workers()  # the rest of the suite runs without idle workers
    monkeypatch.setenv(worker_pool.WORKERS_ENV, "two")
    with pytest.raises(aidb.ProgrammingError, match="AIDB_COLLECT_WORKERS must be a whole number"):
        worker_pool.worker_count()


def test_workers_never_run_the_calling_script_again(tmp_path: Path) -> None:
    script = tmp_path / "no_main_guard.py"  # module-level code, as in many scripts: a spawned worker would rerun it
    script.write_text(
        "from aidb.ops import html_text\n"
        "html_text.PARALLEL_MIN_PAGES = 2\n"
        "print('script ran', flush=True)\n"
        "pages = ['<html><body><article><p>' + 'Words of page %d. ' % i * 30 + '</p></article></body></html>' for i in range(4)]\n"
        "texts = [r[0] for r in html_text.extract_pages_parallel(pages, [None] * 4, 'trafilatura')]\n"
        "print(sum(t.count('Words of page') for t in texts))\n"
    )
    environment = {**os.environ, worker_pool.WORKERS_ENV: "2", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for command in ([sys.executable, str(script)], [sys.executable, "-"]):
        done = subprocess.run(command, input=script.read_text() if command[-1] == "-" else None, capture_output=True,
                              text=True, env=environment, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split("\n")[:2] == ["script ran", "120"], done.stdout
