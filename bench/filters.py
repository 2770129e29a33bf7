"""Benchmark: aidb's heuristic quality filters vs datatrove's, docs/s on the same documents, same decisions asserted.

Documents: `tests/filter_corpus.py` — real text from this machine (Debian docs, vim help, pydoc topics, cut
into 3-120 line documents) plus 30% generated junk. datatrove runs each filter's `filter(doc)` over the
documents (what its pipeline executor calls per document; its spaCy tokens are cached per text, so the chained
run of all four shares them as a datatrove pipeline does); aidb runs one SQL query per filter over a table, and
one query with all four. Each side is timed on the same documents, alternating which goes first, and the
document-level agreement of the keep/drop decisions and reasons must be >= 99% (asserted).

    python -m bench.filters                  # 2,000 documents
    python -m bench.filters --docs 500       # quicker
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import aidb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from filter_corpus import filter_corpus  # noqa: E402  (tests/filter_corpus.py)

FILTERS = {
    "gopher_quality": "GopherQualityFilter",
    "gopher_repetition": "GopherRepetitionFilter",
    "c4_quality": "C4QualityFilter",
    "fineweb_quality": "FineWebQualityFilter",
}


def datatrove_reasons(docs: list[str], names: list[str]) -> tuple[dict[str, list], float]:
    from datatrove.data import Document
    from datatrove.pipeline import filters

    steps = {name: getattr(filters, FILTERS[name])() for name in names}
    reasons: dict[str, list] = {name: [] for name in names}
    start = time.perf_counter()
    for i, text in enumerate(docs):
        for name, step in steps.items():
            verdict = step.filter(Document(text=text, id=str(i)))
            reasons[name].append(None if verdict is True else verdict[1])
    return reasons, time.perf_counter() - start


def aidb_reasons(con: aidb.Connection, names: list[str]) -> tuple[dict[str, list], float]:
    columns = ", ".join(f"{name}(text).reason" for name in names)
    start = time.perf_counter()
    rows = con.execute(f"SELECT {columns} FROM docs ORDER BY i").fetchall()
    elapsed = time.perf_counter() - start
    return {name: [r[k] for r in rows] for k, name in enumerate(names)}, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--out", default=str(Path(__file__).with_name("filters.json")))
    args = parser.parse_args()
    docs = filter_corpus(args.docs)
    con = aidb.connect(autocommit=True)
    con.execute("CREATE TABLE docs AS SELECT * FROM unnest(?) WITH ORDINALITY AS t(text, i)", [docs])
    aidb_reasons(con, list(FILTERS))  # compile (or load) the kernels and build the character table once
    datatrove_reasons(docs[:20], list(FILTERS))  # load spaCy once
    results = {"docs": len(docs), "chars": sum(map(len, docs)), "filters": {}}
    print(f"{len(docs)} documents, {results['chars'] / len(docs):.0f} chars on average")
    print(f"{'filter':<22}{'datatrove docs/s':>18}{'aidb docs/s':>14}{'ratio':>8}{'agreement':>11}")
    runs = [[name] for name in FILTERS] + [list(FILTERS)]
    for k, names in enumerate(runs):
        if k % 2:
            ours, t_aidb = aidb_reasons(con, names)
            theirs, t_dt = datatrove_reasons(docs, names)
        else:
            theirs, t_dt = datatrove_reasons(docs, names)
            ours, t_aidb = aidb_reasons(con, names)
        label = names[0] if len(names) == 1 else "all four, chained"
        agreement = min(sum(a == b for a, b in zip(ours[n], theirs[n])) / len(docs) for n in names)
        assert agreement >= 0.99, f"{label}: only {agreement:.4f} of decisions agree"
        results["filters"][label] = {
            "datatrove_docs_per_s": len(docs) / t_dt,
            "aidb_docs_per_s": len(docs) / t_aidb,
            "ratio": t_dt / t_aidb,
            "agreement": agreement,
        }
        print(f"{label:<22}{len(docs) / t_dt:>18.0f}{len(docs) / t_aidb:>14.0f}{t_dt / t_aidb:>7.1f}x{agreement:>11.4f}")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
