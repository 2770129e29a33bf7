"""The `aidb` command: help, demo, and the demo's result tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import aidb
from aidb.demo.pipeline import CORPUS, MARKER_TABLE, run_demo


def test_help_is_fast_and_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "aidb.cli", "--help"], capture_output=True, text=True, check=True)
    assert "aidb demo" in out.stdout and "aidb sql PATH" in out.stdout and "aidb ask PATH" in out.stdout
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, aidb.cli; print(any(m in sys.modules for m in ('torch', 'duckdb', 'sqlglot')))"],
        capture_output=True, text=True, check=True,
    )
    assert imported.stdout.strip() == "False", "aidb --help must not import the engine"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("demo") / "demo.aidb"
    lines: list[str] = []
    run_demo(path, echo=lines.append)
    return path, lines


def test_demo_builds_a_database_plain_duckdb_can_read(demo_db) -> None:
    path, lines = demo_db
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM corpus").fetchone()[0] == 400
        filtered_out = dict(
            con.execute("SELECT c.planted, count(r.id) FROM corpus c LEFT JOIN corpus_filtered_out r USING (id) GROUP BY 1").fetchall()
        )
        foreign = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE r.method = 'lang_id') FROM corpus c JOIN corpus_filtered_out r USING (id) WHERE c.lang <> 'en'"
        ).fetchone()
        copies = dict(
            con.execute("SELECT planted, count(*) FROM filtered WHERE source_id IN (SELECT id FROM filtered) GROUP BY 1").fetchall()
        )
        removed = dict(
            con.execute("SELECT c.planted || ' ' || r.method, count(*) FROM corpus c JOIN filtered_removed r USING (id) GROUP BY 1").fetchall()
        )
        funnel = con.execute("SELECT stage, removed, rows_left FROM funnel ORDER BY step").fetchall()
        mixture = dict(con.execute("SELECT domain, count(*) FROM mixture GROUP BY 1").fetchall())
        cooking = con.execute("SELECT count(*) FILTER (WHERE url LIKE '%cooking%'), count(*) FROM dsir_cooking").fetchone()
        planned = con.execute("SELECT kind, valid FROM plan_example WHERE step IS NOT NULL ORDER BY step").fetchall()
        shards = con.execute("SELECT sum(rows), count(*), min(first_id IS NOT NULL) FROM shard_manifest").fetchone()
    # quality_filter with datatrove's defaults: every junk document goes but one boilerplate page (its sentences are
    # real prose); of the 280 clean documents 44 go: the 20 French and German ones (lang_id), the 18 code files of the
    # 28 that are not prose (Gopher's letter-word rule 15, C4's sentences 1, FineWeb's short lines 2) and 6 short
    # documents with fewer than C4's 5 sentences
    assert filtered_out["junk_boilerplate"] == 9
    for kind in ("junk_bullets", "junk_ellipsis", "junk_gibberish", "junk_repeated_lines", "junk_short", "junk_symbols"):
        assert filtered_out[kind] == 10, kind
    assert filtered_out["clean"] == 44 and foreign == (20, 20)
    # dedup removes every planted copy whose source passed the filters, and no clean document
    assert removed == {"exact_dup exact": copies["exact_dup"], "near_dup fuzzy": copies["near_dup"]} == {
        "exact_dup exact": 21, "near_dup fuzzy": 23}
    assert funnel == [
        ("corpus", None, 400), ("filter lang_id", 32, 368), ("filter gopher_quality", 71, 297),
        ("filter gopher_repetition", 1, 296), ("filter c4_quality", 13, 283), ("filter fineweb_quality", 2, 281),
        ("filter perplexity", 0, 281), ("dedup exact", 21, 260), ("dedup fuzzy", 23, 237), ("dedup semantic", 0, 237),
        ("clean corpus", None, 237),
    ]
    assert mixture == {"web": 50, "forum": 30, "wiki": 20}
    assert cooking[1] == 20 and cooking[0] >= 18  # DSIR toward the documents nearest 'cooking and recipes'
    assert planned == [("filtering", True), ("dedup", True), ("mixing", True)]  # the data agent's step
    assert shards == (237, 3, True) and (path.with_name(path.name + ".shards") / "manifest.json").is_file()  # the clean corpus, in order
    why = lines[lines.index(next(line for line in lines if "Why was a row dropped" in line)) :]
    assert any("quality_filter" in line and "gopher_quality: gopher_" in line for line in why)
    assert any("fuzzy" in line and "near_duplicates threshold=0.6" in line for line in why)


def test_demo_multimodal_step_catches_planted_captions_and_finds_the_asked_frames(demo_db) -> None:
    path, lines = demo_db
    with duckdb.connect(str(path), read_only=True) as con:
        captions = {planted: (pairs, dropped) for planted, pairs, dropped in con.execute(
            "SELECT planted, count(*), count(*) FILTER (WHERE NOT keep) FROM image_captions GROUP BY 1").fetchall()}
        keyframes = con.execute("SELECT count(*), count(*) FILTER (WHERE shows_question), count(DISTINCT frame_png) FROM video_keyframes").fetchone()
        model = con.execute("SELECT kind FROM aidb.models WHERE name = 'demo_clip'").fetchone()
    assert model == ("clip",)
    # 15 of the 60 captions are planted wrong; the small CLIP tells colours apart, shapes barely: the bar is every
    # wrong colour caught, at least 12 of the 15 in all, and at most 2 of the 45 right captions dropped
    planted = sum(pairs for kind, (pairs, _) in captions.items() if kind != "match")
    caught = sum(dropped for kind, (_, dropped) in captions.items() if kind != "match")
    assert captions["match"][0] == 45 and planted == 15
    assert captions["wrong colour"][1] == captions["wrong colour"][0] and caught >= 12 and captions["match"][1] <= 2
    # 4 of the 48 frames show the question: uniform sampling of 4 frames finds 1/3 of one on average, keyframes >= 2
    assert keyframes[0] == 4 and keyframes[1] >= 2 and keyframes[2] == 4
    assert any("SMALL CLIP TRAINED HERE" in line for line in lines)
    assert any("trained aidb's small CLIP" in line for line in lines)


def test_demo_collects_its_corpus_from_a_crawl_and_reads_a_pdf_table(demo_db) -> None:
    path, lines = demo_db
    with duckdb.connect(str(path), read_only=True) as con:
        statuses = dict(con.execute("SELECT http_status, count(*) FROM pages GROUP BY 1").fetchall())
        # the main text extract_text found is the document the page was made from (whitespace aside)
        same = con.execute(
            f"""SELECT count(*) FILTER (WHERE trim(regexp_replace(c.text, '\\s+', ' ', 'g')) = trim(regexp_replace(m.text, '\\s+', ' ', 'g')))
            FROM corpus c JOIN read_json('{CORPUS.as_posix()}', format = 'newline_delimited') m USING (id)"""
        ).fetchone()[0]
        table = con.execute("SELECT markdown FROM report_blocks WHERE block_type = 'table'").fetchall()
    assert statuses == {200: 400, 404: 1}
    assert same >= 390
    assert len(table) == 1 and table[0][0].startswith("| Domain | Clean | Duplicates | Junk | Total |\n|---|")
    assert "| web | 82 | 15 | 50 | 147 |" in table[0][0]
    assert any("read_warc(" in line for line in lines) and any("extract_text(" in line for line in lines)


def test_demo_refuses_to_overwrite_a_database_it_did_not_make(tmp_path: Path) -> None:
    path = tmp_path / "precious.aidb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE important AS SELECT 1 AS x")
    with pytest.raises(aidb.OperationalError, match="not an aidb demo database"):
        run_demo(path, echo=lambda line: None)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT x FROM important").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [MARKER_TABLE]).fetchone() == (0,)


def test_a_command_shows_progress_on_a_terminals_stderr_with_the_total(tmp_path: Path) -> None:
    import pexpect

    path = tmp_path / "p.aidb"
    with aidb.connect(str(path)) as con:
        con.execute("CREATE TABLE docs AS SELECT 'Hello World ' || range AS text FROM range(600000)")
    statement = "SELECT count(normalize_text(text)) AS n FROM docs"
    child = pexpect.spawn(sys.executable, ["-m", "aidb.cli", str(path), "-c", statement], encoding="utf-8", timeout=120)
    child.expect(r"/600000")  # tqdm's "done/total" on stderr (a terminal here)
    child.expect(r"\b600000\b")  # the result
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    piped = subprocess.run([sys.executable, "-m", "aidb.cli", str(path), "-c", statement], capture_output=True, text=True, check=True)
    assert piped.stderr == "" and "600000" in piped.stdout  # no bar when stderr is not a terminal


def test_ask_plans_validates_and_runs_a_pipeline(tmp_path: Path, capsys, monkeypatch) -> None:
    from aidb import cli
    from aidb.demo.pipeline import CORPUS

    monkeypatch.delenv("AIDB_LLM_BASE_URL", raising=False)
    path = tmp_path / "ask.aidb"
    with aidb.connect(path) as con:
        con.execute(f"CREATE TABLE docs AS SELECT id, domain, text FROM read_json_auto('{CORPUS}')")
    assert cli.main(["ask", str(path), "remove near-duplicate forum posts", "--table", "docs", "--run"]) == 0
    out = capsys.readouterr().out
    assert "Planner: retrieval plus step templates (offline)" in out and "1. dedup [near_duplicates]" in out
    assert "CREATE TABLE docs_1_dedup AS SELECT * FROM dedup(docs, text" in out
    assert "docs_1_dedup: " in out and "summary: table docs_pipeline_summary" in out
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT rows FROM docs_pipeline_summary").fetchall()
        assert rows == con.execute("SELECT count(*) FROM docs_1_dedup").fetchall() and 0 < rows[0][0] < 400
    assert cli.main(["ask", str(path), "bake a chocolate cake", "--table", "docs"]) == 1
    assert "cannot map this goal" in capsys.readouterr().out
