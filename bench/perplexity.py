"""Benchmark: `SELECT perplexity(text) FROM t` through aidb vs a raw `kenlm.Model.score` loop over the same documents.

Model: the built-in default (5-gram Kneser-Ney of CPython's doc topics). Documents: 5 real docstring
paragraphs each (bench.minhash.real_paragraphs), one paragraph per line. Two pairs, in the same process:
- pre-tokenised: the documents already normalised and tokenised (lines of space-separated tokens).
  Peer: `kenlm raw`, CCNet's per-document formula with nothing but `model.score(line)` per line.
  aidb: the same ARPA file as a catalog model WITH (normalise = false).
- raw text: peer `kenlm+ccnet`, CCNet's DocLM loop in Python - split lines, normalise and tokenise
  (`re`/`unicodedata`, the documented tokenisation), `model.score` - vs aidb `perplexity(text)` with the default model.
Values are checked equal. Each side runs `--repeat` times alternately; the best time of each is reported.

    .venv/bin/python -m bench.perplexity              # 20k documents
    .venv/bin/python -m bench.perplexity --n 5000     # quicker
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata

import numpy as np
import pyarrow as pa

import aidb
from aidb.models.default_language_model import default_model_path
from aidb.models.kenlm_scoring import open_kenlm
from aidb.models.lm_tokens import tokenise_documents
from bench.minhash import real_paragraphs

LINES_PER_DOC = 5
_TOKEN = re.compile(r"\w+|[^\w\s]")


def ccnet_tokens(line: str) -> str:
    line = line.lower()
    if not line.isascii():
        line = "".join(c for c in unicodedata.normalize("NFD", line) if unicodedata.category(c) != "Mn")
    return " ".join(_TOKEN.findall(re.sub(r"[0-9]", "0", line)))


def run_ccnet_loop(model, docs: list[str]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = np.empty(len(docs))
    for i, doc in enumerate(docs):
        log_score, length = 0.0, 0
        for line in doc.split("\n"):
            tokens = ccnet_tokens(line)
            if tokens:
                log_score += model.score(tokens)
                length += tokens.count(" ") + 2
        result[i] = 10.0 ** (-log_score / length)
    return time.perf_counter() - start, result


def run_raw_loop(model, docs: list[str]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    score = model.score
    result = np.empty(len(docs))
    for i, doc in enumerate(docs):
        lines = doc.split("\n")
        log_score = sum(score(line) for line in lines)
        length = sum(line.count(" ") + 2 for line in lines)
        result[i] = 10.0 ** (-log_score / length)
    return time.perf_counter() - start, result


def run_sql(con, table: str, model: str | None) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    argument = f", '{model}'" if model else ""
    result = con.execute(f"SELECT id, perplexity(text{argument}) AS p FROM {table}").arrow()
    values = np.empty(len(result))
    values[result.column("id").to_numpy() - 1] = result.column("p").to_numpy()  # rows back in document order
    return time.perf_counter() - start, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="documents")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paragraphs = real_paragraphs(args.n * LINES_PER_DOC)
    docs = ["\n".join(paragraphs[i : i + LINES_PER_DOC]) for i in range(0, len(paragraphs), LINES_PER_DOC)]
    model = open_kenlm(default_model_path())
    chunk = tokenise_documents(pa.array(docs))
    tokenised = ["\n".join(" ".join(line.split()) for line in group) for group in _by_document(chunk.lines, chunk.document)]
    con = aidb.connect(":memory:", autocommit=True)
    for table, texts in (("t", docs), ("t_tok", tokenised)):
        con.execute(f"CREATE TABLE {table} AS SELECT unnest(?) AS text, generate_subscripts(?, 1) AS id", [texts, texts])
    con.execute(f"CREATE LANGUAGE MODEL pydoc_tokenised FROM '{default_model_path()}' WITH (normalise = false)")
    run_sql(con, "t", "pydoc_en")  # warm-up: loads the models once per process, as any first query does
    run_sql(con, "t_tok", "pydoc_tokenised")
    times: dict[str, list[float]] = {name: [] for name in ("raw", "aidb_tok", "ccnet", "aidb")}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    values: dict[str, np.ndarray] = {}
    for _ in range(args.repeat):
        for name, run in (
            ("raw", lambda: run_raw_loop(model, tokenised)),
            ("aidb_tok", lambda: run_sql(con, "t_tok", "pydoc_tokenised")),
            ("ccnet", lambda: run_ccnet_loop(model, docs)),
            ("aidb", lambda: run_sql(con, "t", "pydoc_en")),
        ):
            cpu_start = time.process_time()  # all threads of the process: steadier than wall time on a shared host
            elapsed, values[name] = run()
            times[name].append(elapsed)
            cpu[name].append(time.process_time() - cpu_start)
    tokens = int(chunk.tokens.sum())
    print(f"{len(docs)} documents, {len(chunk.lines)} lines, {tokens} tokens; model {default_model_path().name}; best of {args.repeat}")
    best = {name: min(values_) for name, values_ in times.items()}
    best_cpu = {name: min(values_) for name, values_ in cpu.items()}
    labels = {
        "raw": "kenlm raw score loop (pre-tokenised)",
        "aidb_tok": "aidb perplexity (pre-tokenised)",
        "ccnet": "kenlm + CCNet tokenisation loop (text)",
        "aidb": "aidb perplexity(text)",
    }
    for name, label in labels.items():
        print(f"{label:40s} {best[name]:7.3f} s wall {len(docs) / best[name]:8.0f} docs/s | {best_cpu[name]:7.3f} CPU-s")
    for title, aidb_name, peer in (("pre-tokenised: aidb / kenlm raw  ", "aidb_tok", "raw"), ("raw text:      aidb / kenlm+ccnet", "aidb", "ccnet")):
        print(f"{title} docs/s ratio {best[peer] / best[aidb_name]:.2f}x wall, {best_cpu[peer] / best_cpu[aidb_name]:.2f}x CPU; "
              f"max rel. diff {np.max(np.abs(values[aidb_name] / values[peer] - 1)):.1e}")


def _by_document(lines: list[str], document: np.ndarray) -> list[list[str]]:
    groups: dict[int, list[str]] = {}
    for line, index in zip(lines, document.tolist()):
        groups.setdefault(index, []).append(line)
    return [groups[i] for i in sorted(groups)]

if __name__ == "__main__":
    main()
