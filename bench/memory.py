"""Peak memory as the input grows: aidb statements stream, so peak RSS stays flat from 10k to 1M rows (and beyond).

Each (statement, rows) pair runs in a fresh Python process on a fresh database file holding `rows` generated
documents: the process records its peak RSS (VmHWM) after opening the database, then runs the statement and
records it again. The peer is plain DuckDB running the same scan-and-write with a built-in function instead of
aidb's, in the same kind of process: what the engine alone costs. Both sides must write the same number of rows.

    python -m bench.memory --rows 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import write_results

# (name, aidb statement, plain DuckDB statement over the same table): each leaves `out` with one row per document
# (a count for the functions, so that what is measured is the function streaming, not a result held in memory).
STATEMENTS = {
    "minhash": (
        "CREATE TABLE out AS SELECT range AS n FROM range((SELECT count(minhash(text)) FROM docs))",
        "CREATE TABLE out AS SELECT range AS n FROM range((SELECT count([hash(text || i) FOR i IN range(128)]) FROM docs))",
    ),
    "gopher_quality": (
        "CREATE TABLE out AS SELECT range AS n FROM range((SELECT count(gopher_quality(text)) FROM docs))",
        "CREATE TABLE out AS SELECT range AS n FROM range((SELECT count(length(text) > 100) FROM docs))",
    ),
    "lance_insert": (
        "CREATE TABLE out (id BIGINT, v FLOAT[64]) WITH (storage = 'lance'); "
        "INSERT INTO out SELECT id, [hash(id + i) % 1000 / 1000 FOR i IN range(64)]::FLOAT[64] FROM docs",
        "CREATE TABLE out AS SELECT id, [hash(id + i) % 1000 / 1000 FOR i IN range(64)]::FLOAT[64] AS v FROM docs",
    ),
}

_MAKE_DOCS = (
    "CREATE TABLE docs AS SELECT range AS id, "
    "'document ' || range || ' ' || repeat('word' || (range % 97) || ' lorem ipsum dolor sit amet ', 8) AS text "
    "FROM range({rows})"
)

_CHILD = r"""
import json, sys
side, path, statement = sys.argv[1], sys.argv[2], sys.argv[3]
def peak_mb():  # VmHWM: this process image's peak (ru_maxrss would carry the parent's over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
if side == "aidb":
    import aidb
    con = aidb.connect(path, autocommit=True)
    run = lambda sql: con.execute(sql)
    count = lambda: con.execute("SELECT count(*) FROM out").fetchone()[0]
else:
    import duckdb
    con = duckdb.connect(path)
    run = lambda sql: con.execute(sql)
    count = lambda: con.execute("SELECT count(*) FROM out").fetchone()[0]
run("SELECT count(*) FROM docs")
before = peak_mb()
run(statement)
print(json.dumps({"opened_mb": before, "peak_mb": peak_mb(), "rows_out": count()}))
"""


def measure(side: str, statement: str, rows: int, folder: Path) -> dict:
    path = folder / f"{side}-{rows}.aidb"
    import duckdb

    with duckdb.connect(str(path)) as con:  # the same generated documents for both sides
        con.execute(_MAKE_DOCS.format(rows=rows))
    done = subprocess.run([sys.executable, "-c", _CHILD, side, str(path), statement], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed on {rows} rows:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--statements", nargs="+", default=list(STATEMENTS), choices=list(STATEMENTS))
    args = parser.parse_args()
    figures: dict = {"rows": args.rows, "statements": {}}
    for name in args.statements:
        ours, peer = STATEMENTS[name]
        curve = []
        for rows in args.rows:
            with tempfile.TemporaryDirectory(prefix="aidb-memory-") as folder:
                a = measure("aidb", ours, rows, Path(folder))
                d = measure("duckdb", peer, rows, Path(folder))
            assert a["rows_out"] == d["rows_out"] == rows, (name, rows, a, d)
            point = {
                "rows": rows,
                "aidb_peak_mb": round(a["peak_mb"]),
                "aidb_growth_mb": round(a["peak_mb"] - a["opened_mb"]),
                "duckdb_peak_mb": round(d["peak_mb"]),
                "duckdb_growth_mb": round(d["peak_mb"] - d["opened_mb"]),
            }
            curve.append(point)
            print(
                f"{name:15s} {rows:>10,} rows  aidb peak {point['aidb_peak_mb']:>6,} MB (+{point['aidb_growth_mb']:,} in the statement)"
                f"   plain DuckDB peak {point['duckdb_peak_mb']:>6,} MB (+{point['duckdb_growth_mb']:,})",
                flush=True,
            )
        figures["statements"][name] = curve
    write_results("memory", figures)


if __name__ == "__main__":
    main()
