"""Benchmark: aidb's heuristic quality filters vs datatrove's, docs/s on the same documents, same decisions asserted.

Documents: `tests/filter_corpus.py` — real text from this machine (Debian docs, vim help, pydoc topics, cut
into 3-120 line documents) plus 30% generated junk. datatrove runs each filter's `filter(doc)` over the
documents (what its pipeline executor calls per document); aidb runs one SQL query per filter over a table.
Each side is timed on the same documents (`bench.measure.alternate`, after one untimed warm-up of both), and
the document-level agreement of the reasons (keep = no reason) must be >= 99% (asserted). Figures go to
bench/results/filters.json.

    python -m bench.filters                  # 1,000 documents
    python -m bench.filters --docs 3000 --repeat 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import aidb
from bench.measure import alternate, ratio, summarise, write_results

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from filter_corpus import filter_corpus  # noqa: E402  (tests/filter_corpus.py)

FILTERS = {
    "gopher_quality": "GopherQualityFilter",
    "gopher_repetition": "GopherRepetitionFilter",
    "c4_quality": "C4QualityFilter",
    "fineweb_quality": "FineWebQualityFilter",
}


def datatrove_reasons(docs: list[str], name: str) -> list:
    from datatrove.data import Document
    from datatrove.pipeline import filters

    step = getattr(filters, FILTERS[name])()
    return [None if (v := step.filter(Document(text=text, id=str(i)))) is True else v[1] for i, text in enumerate(docs)]


def aidb_reasons(con: aidb.Connection, name: str) -> list:
    return [r[0] for r in con.execute(f"SELECT {name}(text).reason FROM docs ORDER BY i").fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    docs = filter_corpus(args.docs)
    con = aidb.connect(autocommit=True)
    con.execute("CREATE TABLE docs AS SELECT * FROM unnest(?) WITH ORDINALITY AS t(text, i)", [docs])
    for name in FILTERS:  # compile (or load) the kernels, build the character table, load spaCy: once, untimed
        aidb_reasons(con, name)
        datatrove_reasons(docs[:20], name)
    figures: dict = {"docs": len(docs), "mean_chars": sum(map(len, docs)) / len(docs), "filters": {}}
    print(f"{len(docs)} documents, {figures['mean_chars']:.0f} chars on average")
    for name in FILTERS:
        runs = alternate(
            {"datatrove": lambda: datatrove_reasons(docs, name), "aidb": lambda: aidb_reasons(con, name)},
            repeat=args.repeat,
            warm_up=False,
        )
        theirs, ours = runs["datatrove"].result, runs["aidb"].result
        agreement = sum(a == b for a, b in zip(ours, theirs)) / len(docs)
        assert agreement >= 0.99, f"{name}: only {agreement:.4f} of the decisions agree"
        figures["filters"][name] = {
            "sides": summarise(runs, items=len(docs)),
            "aidb_vs_datatrove": ratio(runs, "datatrove", "aidb"),
            "same_reason": agreement,
            "same_keep": sum((a is None) == (b is None) for a, b in zip(ours, theirs)) / len(docs),
        }
        speed = figures["filters"][name]["aidb_vs_datatrove"]
        print(f"{name:<20} {speed}  same reason on {agreement:.2%} of documents")
    write_results("filters", figures)


if __name__ == "__main__":
    main()
