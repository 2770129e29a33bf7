"""Benchmark: collection functions vs the libraries a user would call — extract_text, resiliparse, read_documents.

Pages: real text of this machine (`bench.corpus.doc_texts(n, "long")`, ~4,000 characters each, cut into paragraphs)
inside the boilerplate of `aidb.demo.crawl.page_html` (navigation, cookie banner, sidebar, footer, scripts).
- extract_text vs a plain trafilatura loop with FineWeb's options (`trafilatura.extract(html, favor_precision=True,
  include_comments=False, deduplicate=False)`), one process (AIDB_COLLECT_WORKERS=1) and with the worker pool
  (2 processes, started before timing; their CPU read from /proc); the texts must be the same (asserted).
  Beside it, what the machine itself gives: a pure-Python loop once alone and twice at once in 2 processes (the
  ceiling for any 2-process speed-up here), and the CPU other processes used while the pages were extracted.
- resiliparse vs trafilatura on the same pages: speed, word-F1 between the two extractions, and each one's word
  precision/recall against the paragraphs the page was made of.
- read_documents (one process, and 2 worker processes) vs pdfplumber directly (`page.extract_text()` and `page.extract_tables()` on every page) on
  reportlab PDFs of `tests/ops/generated_pdfs.py` (3 pages: two columns, a table, a list, a formula); the words
  must agree (asserted >= 99%).
Figures go to bench/results/collect.json.

    python -m bench.collect                       # 1,000 pages, 40 PDFs (120 PDF pages)
    python -m bench.collect --pages 10000 --parts extract --repeat 2    # one part per run keeps a run short
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aidb
from aidb.demo.crawl import page_html
from bench.corpus import doc_texts
from bench.measure import alternate, ratio, summarise, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.ops.generated_pdfs import report_pdf  # noqa: E402  (reportlab, the dev extra)

_WORD = re.compile(r"\w+")


def make_pages(count: int) -> tuple[list[str], list[str]]:
    """(html, main text) per page: each text's paragraphs as <p> between the demo crawl's boilerplate."""
    texts = doc_texts(count, "long")
    pages = []
    for number, text in enumerate(texts):
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
        paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
        pages.append(page_html(f"Document {number}", paragraphs, heading=False))
    return pages, texts


def trafilatura_loop(pages: list[str]) -> list[str | None]:
    import trafilatura

    return [trafilatura.extract(html, favor_precision=True, include_comments=False, deduplicate=False) for html in pages]


def resiliparse_loop(pages: list[str]) -> list[str | None]:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return [extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False, links=False).strip() or None for html in pages]


def aidb_texts(con: aidb.Connection, method: str) -> list[str | None]:
    return [r[0] for r in con.execute(f"SELECT extract_text(html, method := '{method}').text FROM pages ORDER BY i").fetchall()]


def words(text: str | None) -> Counter:
    return Counter(w.lower() for w in _WORD.findall(text or ""))


def f1(found: Counter, expected: Counter) -> tuple[float, float, float]:
    overlap = sum((found & expected).values())
    precision = overlap / max(1, sum(found.values()))
    recall = overlap / max(1, sum(expected.values()))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def mean(values: list[float]) -> float:
    return round(sum(values) / max(1, len(values)), 4)


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine spent so far (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat", encoding="ascii") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


def with_worker_cpu(call: Callable[[], list], spent: list[float]) -> Callable[[], list]:
    """`call`, appending to `spent` the CPU seconds the collection worker processes used during each call."""
    from aidb.ops.worker_pool import worker_pids

    def measured() -> list:
        before = {pid: process_cpu_seconds(pid) for pid in worker_pids()}
        result = call()
        spent.append(sum(process_cpu_seconds(pid) - cpu for pid, cpu in before.items()))
        return result
    return measured


def spin(iterations: int) -> int:
    total = 0
    for i in range(iterations):
        total += i * i % 7
    return total


def machine_scaling(iterations: int = 8_000_000, repeat: int = 5) -> dict:
    """The best speed-up any 2 Python processes can have here: one loop alone vs the same loop twice at once."""
    alone, together = [], []
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(spin, [10, 10]))
        for _ in range(repeat):
            start = time.perf_counter()
            spin(iterations)
            alone.append(time.perf_counter() - start)
            start = time.perf_counter()
            list(pool.map(spin, [iterations] * 2))
            together.append(time.perf_counter() - start)
    return {"alone_s": [round(s, 3) for s in alone], "two_at_once_s": [round(s, 3) for s in together],
            "speedup_of_2_processes": round(2 * min(alone) / min(together), 3)}


def bench_extract(count: int, repeat: int) -> dict:
    pages, texts = make_pages(count)
    con = aidb.connect(autocommit=True)
    con.execute("CREATE TABLE pages AS SELECT * FROM unnest(?) WITH ORDINALITY AS t(html, i)", [pages])
    os.environ["AIDB_COLLECT_WORKERS"] = "1"
    trafilatura_loop(pages[:20]), resiliparse_loop(pages[:20])  # imports, untimed
    con.execute("SELECT extract_text(html).text FROM pages WHERE i <= 20").fetchall()
    busy_before, own_before = machine_busy_seconds(), time.process_time()
    runs = alternate({
        "trafilatura": lambda: trafilatura_loop(pages),
        "aidb_1_process": lambda: aidb_texts(con, "trafilatura"),
    }, repeat=repeat, warm_up=False)
    assert runs["trafilatura"].result == runs["aidb_1_process"].result, "extract_text and trafilatura.extract differ"
    workers = min(2, len(os.sched_getaffinity(0)))
    os.environ["AIDB_COLLECT_WORKERS"] = str(workers)
    from aidb.ops import html_text
    from aidb.ops.worker_pool import worker_pids

    html_text.extract_pages_parallel(pages[:html_text.PARALLEL_MIN_PAGES], [None] * html_text.PARALLEL_MIN_PAGES, "trafilatura")  # start the pool
    worker_cpu: list[float] = []
    workers_before = sum(map(process_cpu_seconds, worker_pids()))
    parallel = alternate({f"aidb_{workers}_processes": with_worker_cpu(lambda: aidb_texts(con, "trafilatura"), worker_cpu)},
                         repeat=repeat, warm_up=False)
    workers_spent = sum(map(process_cpu_seconds, worker_pids())) - workers_before
    assert parallel[f"aidb_{workers}_processes"].result == runs["trafilatura"].result
    best = parallel[f"aidb_{workers}_processes"].wall.index(parallel[f"aidb_{workers}_processes"].best_wall)
    fast = alternate({"resiliparse": lambda: resiliparse_loop(pages), "aidb_resiliparse": lambda: aidb_texts(con, "resiliparse")},
                     repeat=repeat, warm_up=False)
    assert fast["resiliparse"].result == fast["aidb_resiliparse"].result
    others = machine_busy_seconds() - busy_before - (time.process_time() - own_before) - workers_spent
    runs.update(parallel)
    runs.update(fast)
    truth = [words(t) for t in texts]
    trafilatura_found = [words(t) for t in runs["trafilatura"].result]
    resiliparse_found = [words(t) for t in fast["resiliparse"].result]
    quality = {
        name: {"precision": mean([f1(f, t)[0] for f, t in zip(found, truth)]), "recall": mean([f1(f, t)[1] for f, t in zip(found, truth)])}
        for name, found in (("trafilatura", trafilatura_found), ("resiliparse", resiliparse_found))
    }
    return {
        "pages": len(pages), "mean_html_chars": round(sum(map(len, pages)) / len(pages)),
        "sides": summarise(runs, items=len(pages)),
        "aidb_1_process_vs_trafilatura": ratio(runs, "trafilatura", "aidb_1_process"),
        # CPU counted in the caller and in its workers
        f"aidb_{workers}_processes_vs_trafilatura": {
            "wall": ratio(runs, "trafilatura", f"aidb_{workers}_processes")["wall"],
            "cpu": round(runs["trafilatura"].best_cpu / (runs[f"aidb_{workers}_processes"].cpu[best] + worker_cpu[best]), 4)},
        f"aidb_{workers}_processes_vs_1_process_wall": round(runs["aidb_1_process"].best_wall / runs[f"aidb_{workers}_processes"].best_wall, 4),
        f"aidb_{workers}_processes_cpu_s_at_best": {"caller": round(runs[f"aidb_{workers}_processes"].cpu[best], 3),
                                                    "workers": round(worker_cpu[best], 3)},
        "other_processes_cpu_s_during_extraction": round(others, 2),
        "machine": machine_scaling(),
        "resiliparse_vs_trafilatura": ratio(runs, "trafilatura", "resiliparse"),
        "aidb_resiliparse_vs_resiliparse": ratio(runs, "resiliparse", "aidb_resiliparse"),
        "agreement_word_f1_resiliparse_trafilatura": mean([f1(a, b)[2] for a, b in zip(resiliparse_found, trafilatura_found)]),
        "main_text_words_vs_truth": quality,
    }


def pdfplumber_direct(paths: list[Path]) -> tuple[list[str], list]:
    """Every page's text and tables, as pdfplumber's own calls give them."""
    import pdfplumber

    texts, tables = [], []
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                tables.extend(page.extract_tables())
                page.close()
    return texts, tables


def bench_documents(count: int, repeat: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="aidb-bench-pdfs-"))
    paths = [report_pdf(folder / f"report{i:03d}.pdf").path for i in range(count)]
    con = aidb.connect(autocommit=True)
    pattern = (folder / "*.pdf").as_posix()

    def ours(workers: int) -> list[str]:
        os.environ["AIDB_COLLECT_WORKERS"] = str(workers)
        return [r[0] for r in con.execute(f"SELECT text FROM read_documents('{pattern}') ORDER BY path, page, block_no").fetchall()]

    workers = min(2, len(os.sched_getaffinity(0)))
    worker_cpu: list[float] = []
    spread = f"aidb_{workers}_processes"
    runs = alternate({"pdfplumber": lambda: pdfplumber_direct(paths), "aidb": lambda: ours(1),
                      spread: with_worker_cpu(lambda: ours(workers), worker_cpu)}, repeat=repeat)
    assert runs["aidb"].result == runs[spread].result
    best = runs[spread].wall.index(runs[spread].best_wall)
    worker_cpu = worker_cpu[-repeat:]  # the warm-up call started the pool and was measured too
    # pdfplumber's page text holds the tables' words too; a bullet glyph it cannot map reads '(cid:127)' there, '•' here
    theirs = words(re.sub(r"\(cid:\d+\)", " ", " ".join(runs["pdfplumber"].result[0])))
    aidb_words = words(" ".join(runs["aidb"].result))
    agreement = f1(aidb_words, theirs)[2]
    assert agreement >= 0.99, f"read_documents and pdfplumber see different words (F1 {agreement:.3f})"
    pages = 3 * count
    return {"pdfs": count, "pages": pages, "sides": summarise(runs, items=pages), "aidb_vs_pdfplumber": ratio(runs, "pdfplumber", "aidb"),
            f"{spread}_vs_pdfplumber": {"wall": ratio(runs, "pdfplumber", spread)["wall"],  # CPU: the caller's and its workers'
                                        "cpu": round(runs["pdfplumber"].best_cpu / (runs[spread].cpu[best] + worker_cpu[best]), 4)},
            f"{spread}_vs_1_process_wall": round(runs["aidb"].best_wall / runs[spread].best_wall, 4),
            f"{spread}_cpu_s_at_best": {"caller": round(runs[spread].cpu[best], 3), "workers": round(worker_cpu[best], 3)},
            "word_f1": round(agreement, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--parts", default="extract,documents", help="extract, documents or both (comma-separated)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not parts or parts - {"extract", "documents"}:
        parser.error(f"--parts takes extract and/or documents, got {args.parts!r}")
    figures = {}
    if "extract" in parts:
        figures["extract_text"] = bench_extract(args.pages, args.repeat)
    if "documents" in parts:
        figures["read_documents"] = bench_documents(args.pdfs, args.repeat)
    for name, part in figures.items():
        print(name, {k: v for k, v in part.items() if k != "sides"})
    write_results("collect" if parts == {"extract", "documents"} else f"collect_{'_'.join(sorted(parts))}", figures)


if __name__ == "__main__":
    main()
