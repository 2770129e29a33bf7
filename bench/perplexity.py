"""Benchmark: `SELECT perplexity(text) FROM t` through aidb vs KenLM's Python `Model.score` fed the fastest way.

Model: the built-in default (5-gram Kneser-Ney of CPython's doc topics). Documents: real English from this machine
(bench/corpus.py), short (~240 characters, one line) and long (~4,000 characters, paragraphs as lines). Per length:
- pre-tokenised: documents already normalised and tokenised (lines of space-separated tokens). aidb scores them
  with the same ARPA file as a catalog model WITH (normalise = false). Peers: CCNet's per-document formula over
  `model.score(line)` mapped over all lines at once, fed `bytes` (`kenlm_bytes`: aidb hands KenLM UTF-8 bytes from
  Arrow, and `score` encodes every `str` it gets, so bytes is its fastest input) and fed `str` (`kenlm_str`: as
  KenLM's README shows); the documents are given to each peer in that type.
- raw text: aidb `perplexity(text)` vs `ccnet`, CCNet's DocLM loop in Python: split lines, normalise and tokenise
  (`re`/`unicodedata`, aidb's documented tokenisation), `model.score`.
Perplexities are asserted equal within 1e-6 (relative) between aidb and every peer. Sides alternate run by run;
best of `--repeat`. Figures go to bench/results/perplexity.json.

    python -m bench.perplexity                          # 20,000 short and 2,000 long documents
    python -m bench.perplexity --short 5000 --long 500 --repeat 2
"""

from __future__ import annotations

import argparse
import re
import unicodedata

import numpy as np
import pyarrow as pa

import aidb
from aidb.models.default_language_model import default_model_path
from aidb.models.kenlm_scoring import open_kenlm
from aidb.models.lm_tokens import tokenise_documents
from bench.corpus import doc_texts
from bench.measure import alternate, ratio, summarise, write_results

TOLERANCE = 1e-6
_TOKEN = re.compile(r"[^\W_]+|_+|[^\w\s]")  # words (letters, digits), runs of '_', single other characters


def ccnet_tokens(line: str) -> str:
    """aidb's normalisation and tokenisation of one line, in Python (aidb/models/lm_tokens.py)."""
    line = line.lower()
    if not line.isascii():
        line = "".join(c for c in unicodedata.normalize("NFD", line) if unicodedata.category(c) != "Mn")
        line = "".join(" " if unicodedata.category(c)[0] in "CZ" else "0" if unicodedata.category(c) == "Nd" else c for c in line)
    line = re.sub(r"[0-9]", "0", line)
    return " ".join(re.sub(r"([^\w\s])", r" \1 ", line).split())


def ccnet_loop(model, docs: list[str]) -> np.ndarray:
    """CCNet's DocLM: per document, per line, normalise + tokenise in Python and score."""
    result = np.empty(len(docs))
    for i, doc in enumerate(docs):
        log_score, length = 0.0, 0
        for line in doc.split("\n"):
            tokens = ccnet_tokens(line)
            if tokens:
                log_score += model.score(tokens)
                length += tokens.count(" ") + 2
        result[i] = 10.0 ** (-log_score / length)
    return result


def kenlm_mapped(model, docs: list) -> np.ndarray:
    """CCNet's formula over pre-tokenised documents (str or bytes), `model.score` mapped over all lines at once."""
    newline = b"\n" if docs and isinstance(docs[0], bytes) else "\n"
    lines, owner = [], []
    for i, doc in enumerate(docs):
        doc_lines = doc.split(newline)
        lines += doc_lines
        owner += [i] * len(doc_lines)
    logprob = np.fromiter(map(model.score, lines), dtype=np.float64, count=len(lines))
    tokens = np.fromiter((line.count(b" " if newline == b"\n" else " ") + 2 for line in lines), dtype=np.float64, count=len(lines))
    index = np.array(owner)
    return 10.0 ** (-np.bincount(index, logprob, len(docs)) / np.bincount(index, tokens, len(docs)))


def sql_perplexities(con, table: str, model: str) -> np.ndarray:
    result = con.execute(f"SELECT id, perplexity(text, '{model}') AS p FROM {table}").arrow()
    values = np.empty(len(result))
    values[result.column("id").to_numpy()] = result.column("p").to_numpy()  # rows back in document order
    return values


def pretokenised(docs: list[str]) -> list[str]:
    """Each document as aidb's tokeniser sees it: non-blank lines of single-space-separated tokens."""
    chunk = tokenise_documents(pa.array(docs))
    groups: list[list[str]] = [[] for _ in docs]
    for line, index in zip(chunk.lines, chunk.document.tolist()):
        groups[index].append(" ".join(line.split()))
    return ["\n".join(group) for group in groups]


def measure(label: str, docs: list[str], repeat: int, model) -> dict:
    tokenised = pretokenised(docs)
    assert all(tokenised), "every benchmark document has at least one token"
    encoded = [doc.encode("utf-8") for doc in tokenised]
    con = aidb.connect(":memory:", autocommit=True)
    for table, texts in (("t", docs), ("t_tok", tokenised)):
        con.execute(f"CREATE TABLE {table} AS SELECT unnest(?) AS text, generate_subscripts(?, 1) - 1 AS id", [texts, texts])
    con.execute(f"CREATE LANGUAGE MODEL pydoc_tokenised FROM '{default_model_path()}' WITH (normalise = false)")
    sides = {
        "kenlm_bytes": lambda: kenlm_mapped(model, encoded),
        "kenlm_str": lambda: kenlm_mapped(model, tokenised),
        "aidb_pretokenised": lambda: sql_perplexities(con, "t_tok", "pydoc_tokenised"),
        "ccnet": lambda: ccnet_loop(model, docs),
        "aidb": lambda: sql_perplexities(con, "t", "pydoc_en"),
    }
    chars = sum(map(len, docs)) / len(docs)
    print(f"\n{label}: {len(docs)} documents, {chars:.0f} characters, {sum(d.count(chr(10)) + 1 for d in tokenised)} non-blank lines")
    runs = alternate(sides, repeat)  # the warm-up loads the models once per process, as any first query does
    con.close()
    differences = {}
    for aidb_side, peers in (("aidb_pretokenised", ("kenlm_bytes", "kenlm_str")), ("aidb", ("ccnet",))):
        for peer in peers:
            difference = float(np.max(np.abs(runs[aidb_side].result / runs[peer].result - 1)))
            assert difference <= TOLERANCE, f"{label}: {aidb_side} and {peer} differ by {difference:.2e} (relative)"
            differences[f"{aidb_side}_vs_{peer}"] = difference
    fastest_kenlm = min(("kenlm_bytes", "kenlm_str"), key=lambda name: runs[name].best_cpu)
    print(f"{'(best of ' + str(repeat) + ')':<22}{'wall s':>9}{'docs/s':>10}{'cpu s':>9}")
    for name, side in runs.items():
        print(f"{name:<22}{side.best_wall:>9.3f}{len(docs) / side.best_wall:>10,.0f}{side.best_cpu:>9.3f}")
    ratios = {
        f"aidb_pretokenised_vs_{fastest_kenlm}": ratio(runs, fastest_kenlm, "aidb_pretokenised"),
        "aidb_vs_ccnet": ratio(runs, "ccnet", "aidb"),
    }
    for name, value in ratios.items():
        print(f"{name}: {value['wall']:.2f}x wall, {value['cpu']:.2f}x cpu (above 1: aidb faster)")
    print("max relative difference: " + ", ".join(f"{k} {v:.1e}" for k, v in differences.items()))
    return {
        "documents": len(docs),
        "mean_chars": round(chars, 1),
        "sides": summarise(runs, len(docs)),
        "ratios": ratios,
        "max_relative_difference": differences,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20_000, help="short documents (~240 characters); 0 to skip")
    parser.add_argument("--long", type=int, default=2_000, help="long documents (~4,000 characters); 0 to skip")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = open_kenlm(default_model_path())
    figures = {}
    for length, count in (("short", args.short), ("long", args.long)):
        if count:
            figures[length] = measure(length, doc_texts(count, length), args.repeat, model)
    write_results("perplexity", figures)


if __name__ == "__main__":
    main()
