"""Benchmark: `SELECT perplexity(text) FROM t` through aidb vs a raw `kenlm.Model.score` loop over the same documents.

Model: the built-in default (5-gram Kneser-Ney of CPython's doc topics). Documents: 5 real docstring
paragraphs each (bench.minhash.real_paragraphs), one paragraph per line. Two peers, in the same process:
- `kenlm raw`: `model.score(line)` over every line already tokenised by aidb (scoring alone, the floor);
- `kenlm+ccnet`: CCNet's DocLM loop in Python - split lines, normalise and tokenise (`re`/`unicodedata`,
  the documented tokenisation), `model.score`, pp = 10 ** (-sum / (tokens + lines)) - whose values aidb must match.
Each side runs `--repeat` times alternately; the best time of each is reported.

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


def run_raw_loop(model, lines: list[str]) -> float:
    start = time.perf_counter()
    score = model.score
    for line in lines:
        score(line)
    return time.perf_counter() - start


def run_sql(con) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    table = con.execute("SELECT perplexity(text) AS p FROM t ORDER BY id").arrow()
    return time.perf_counter() - start, table.column("p").to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="documents")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paragraphs = real_paragraphs(args.n * LINES_PER_DOC)
    docs = ["\n".join(paragraphs[i : i + LINES_PER_DOC]) for i in range(0, len(paragraphs), LINES_PER_DOC)]
    model = open_kenlm(default_model_path())
    tokenised = tokenise_documents(pa.array(docs)).lines
    con = aidb.connect(":memory:", autocommit=True)
    con.execute("CREATE TABLE t AS SELECT * FROM (SELECT unnest(?) AS text, generate_subscripts(?, 1) AS id)", [docs, docs])
    run_sql(con)  # warm-up: loads the model once per process, as any first query does
    times: dict[str, list[float]] = {"aidb": [], "ccnet": [], "raw": []}
    for _ in range(args.repeat):
        elapsed, aidb_values = run_sql(con)
        times["aidb"].append(elapsed)
        elapsed, peer_values = run_ccnet_loop(model, docs)
        times["ccnet"].append(elapsed)
        times["raw"].append(run_raw_loop(model, tokenised))
    words = sum(line.count(" ") + 1 for line in tokenised)
    print(f"{len(docs)} documents, {len(tokenised)} lines, {words} tokens; model {default_model_path().name}")
    best = {name: min(values) for name, values in times.items()}
    for name, label in (("raw", "kenlm raw score loop (pre-tokenised)"), ("ccnet", "kenlm + CCNet loop in Python"), ("aidb", "aidb SELECT perplexity(text)")):
        print(f"{label:40s} {best[name]:7.3f} s  {len(docs) / best[name]:10.0f} docs/s")
    print(f"aidb / kenlm raw     docs/s ratio: {best['raw'] / best['aidb']:.2f}x")
    print(f"aidb / kenlm+ccnet   docs/s ratio: {best['ccnet'] / best['aidb']:.2f}x")
    print(f"max relative difference aidb vs CCNet loop: {np.max(np.abs(aidb_values / peer_values - 1)):.2e}")


if __name__ == "__main__":
    main()
