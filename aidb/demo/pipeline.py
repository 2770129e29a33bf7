"""`aidb demo`: build a database from the bundled corpus and run every pipeline step this build has, in SQL.

Each step is one SQL statement printed before it runs; its result is an ordinary table in the
database file, so `aidb demo.aidb` (or plain DuckDB) can look at it afterwards. Steps that need a
capability (model functions) run only when the capability is registered: the demo grows as aidb does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aidb.demo.crawl import write_corpus_crawl
from aidb.errors import OperationalError

CORPUS = Path(__file__).resolve().parent / "data" / "corpus.jsonl"
REPORT = Path(__file__).resolve().parent / "data" / "report.pdf"  # made by tools/make_demo_pdf.py
MARKER_TABLE = "demo_info"


@dataclass(frozen=True)
class DemoStep:
    title: str
    sql: str
    show: str | None = None  # query whose result is printed after the step
    needs: tuple[str, ...] = ()  # SQL functions the step uses


# Gopher quality rules (Rae et al. 2021, appendix A.1.1): thresholds as published.
GOPHER_RULES = """
    word_count(text) BETWEEN 50 AND 100000
    AND mean_word_length(text) BETWEEN 3 AND 10
    AND symbol_word_ratio(text) < 0.1
    AND frac_bullet_lines(text) < 0.9
    AND frac_lines_end_ellipsis(text) < 0.3
    AND alpha_word_frac(text) >= 0.8
    AND dup_line_frac(text) < 0.3
    AND dup_line_char_frac(text) < 0.2
"""

STEPS: tuple[DemoStep, ...] = (
    DemoStep(
        "Collect: read the crawl (the bundled corpus as web pages in a WARC file, written by aidb/demo/crawl.py)",
        "CREATE TABLE pages AS SELECT * FROM read_warc('{crawl}')",
        """SELECT http_status, content_type, charset, count(*) AS pages, round(avg(length(html))) AS avg_html_chars
        FROM pages GROUP BY ALL ORDER BY pages DESC""",
    ),
    DemoStep(
        "Main text of each page (extract_text: trafilatura drops navigation, banners, sidebars, footers, scripts)",
        f"""CREATE TABLE corpus AS
        SELECT m.id, m.domain, m.lang, p.url, m.planted, m.source_id, coalesce(p.text, '') AS text
        FROM (SELECT url, extract_text(html, url).text AS text FROM pages WHERE http_status = 200) AS p
        JOIN read_json('{CORPUS.as_posix()}', format = 'newline_delimited') AS m USING (url)""",
        """SELECT domain, count(*) AS docs, round(avg(length(text))) AS avg_chars, count(*) FILTER (WHERE text = '') AS no_main_text
        FROM corpus GROUP BY domain ORDER BY docs DESC""",
    ),
    DemoStep(
        "Documents: the blocks of a PDF report (read_documents), its table back as Markdown",
        "CREATE TABLE report_blocks AS SELECT * FROM read_documents('{report}')",
        "SELECT page, block_no, block_type, markdown FROM report_blocks WHERE block_type IN ('title', 'table') ORDER BY page, block_no",
    ),
    DemoStep(
        "Text statistics (sql_functions/text_stats.sql macros)",
        """CREATE TABLE doc_stats AS
        SELECT id, word_count(text) AS words, round(mean_word_length(text), 2) AS mean_word_len,
               round(symbol_word_ratio(text), 3) AS symbol_ratio, round(frac_bullet_lines(text), 2) AS bullet_frac,
               round(frac_lines_end_ellipsis(text), 2) AS ellipsis_frac, round(dup_line_frac(text), 2) AS dup_line_frac,
               round(alpha_word_frac(text), 2) AS alpha_frac
        FROM corpus""",
        "SELECT * FROM doc_stats ORDER BY symbol_ratio DESC, bullet_frac DESC LIMIT 8",
    ),
    DemoStep(
        "Gopher quality rules",
        f"CREATE TABLE quality AS SELECT id, {GOPHER_RULES} AS keep FROM corpus",
        """SELECT c.planted, count(*) AS docs, count(*) FILTER (WHERE q.keep) AS kept
        FROM corpus c JOIN quality q USING (id) GROUP BY c.planted ORDER BY c.planted""",
    ),
    DemoStep(
        "Near-duplicate candidates: MinHash signatures (128 permutations, word 5-grams)",
        "CREATE TABLE signatures AS SELECT id, minhash(text) AS sig FROM corpus",
        """SELECT a.id, b.id AS similar_to, round(jaccard(a.sig, b.sig), 2) AS est_jaccard
        FROM signatures a JOIN signatures b ON a.id > b.id
        WHERE jaccard(a.sig, b.sig) >= 0.5 ORDER BY est_jaccard, a.id LIMIT 8""",
        needs=("minhash", "jaccard"),
    ),
    DemoStep(
        "Perplexity under the default KenLM model",
        "CREATE TABLE doc_perplexity AS SELECT id, perplexity(text) AS ppl FROM corpus",
        """SELECT c.planted, count(*) AS docs, round(median(p.ppl)) AS median_ppl
        FROM corpus c JOIN doc_perplexity p USING (id) GROUP BY c.planted ORDER BY median_ppl""",
        needs=("perplexity",),
    ),
    DemoStep(
        "Embeddings of the quality-filtered corpus (all-MiniLM-L6-v2)",
        "CREATE TABLE filtered AS SELECT c.*, embed(c.text) AS emb FROM corpus c JOIN quality q USING (id) WHERE q.keep",
        "SELECT count(*) AS docs FROM filtered",
        needs=("embed",),
    ),
    DemoStep(
        "The dedup cascade in one statement: exact (CCNet), fuzzy (MinHash-LSH), semantic (SemDeDup)",
        "CREATE TABLE clean_corpus AS SELECT * FROM dedup(filtered, text, methods := ['exact', 'fuzzy', 'semantic'], keep := 'first')",
        """SELECT r.method, c.planted, count(*) AS removed, round(min(r.similarity), 2) AS min_similarity
        FROM filtered_removed r JOIN corpus c USING (id) GROUP BY ALL ORDER BY r.method, c.planted""",
        needs=("embed",),
    ),
    DemoStep(
        "The funnel: rows in, removed by each step, rows out",
        """CREATE TABLE funnel AS
        SELECT 1 AS step, 'corpus' AS stage, (SELECT count(*) FROM corpus) AS rows_left, NULL::BIGINT AS removed
        UNION ALL SELECT 2, 'quality filter', (SELECT count(*) FROM filtered), (SELECT count(*) FROM quality WHERE NOT keep)
        UNION ALL SELECT 3, 'exact dedup', NULL, (SELECT count(*) FROM filtered_removed WHERE method = 'exact')
        UNION ALL SELECT 4, 'fuzzy dedup', NULL, (SELECT count(*) FROM filtered_removed WHERE method = 'fuzzy')
        UNION ALL SELECT 5, 'semantic dedup', NULL, (SELECT count(*) FROM filtered_removed WHERE method = 'semantic')
        UNION ALL SELECT 6, 'clean corpus', (SELECT count(*) FROM clean_corpus), NULL""",
        "SELECT stage, removed, rows_left FROM funnel ORDER BY step",
        needs=("embed",),
    ),
    DemoStep(
        "Why was a row dropped? (the first near-duplicate the cascade removed)",
        """CREATE TABLE why_example AS
        SELECT * FROM why_dropped('clean_corpus', (SELECT min(id) FROM filtered_removed WHERE method = 'fuzzy'))""",
        "SELECT id, step, method, duplicate_of, round(similarity, 3) AS similarity, rule FROM why_example",
        needs=("embed",),
    ),
    DemoStep(
        "A semantic search over the clean corpus",
        """CREATE TABLE search_example AS
        SELECT id, domain, left(text, 70) AS text,
               round(array_cosine_distance(emb, embed('how databases store and index data'))::DOUBLE, 3) AS distance
        FROM clean_corpus ORDER BY distance LIMIT 5""",
        "SELECT * FROM search_example ORDER BY distance",
        needs=("embed",),
    ),
    DemoStep(
        "The data agent: a pipeline planned from a goal in words (retrieval plus step templates; `aidb ask` validates and runs it)",
        """CREATE TABLE plan_example AS
        SELECT * FROM plan_pipeline('keep English text, remove near duplicates, then balance the domains', 'corpus')""",
        "SELECT step, kind, operators, why FROM plan_example WHERE step IS NOT NULL ORDER BY step",
        needs=("embed",),
    ),
)


def run_demo(db_path: str | Path = "demo.aidb", echo=print) -> list[str]:
    """Recreate the demo database at `db_path` and run the steps this build supports; returns their titles."""
    import aidb
    from aidb.functions.registry import load_function_modules

    path = Path(db_path)
    _remove_previous_demo(path)
    available = set(load_function_modules())
    ran: list[str] = []
    crawl = inputs_folder(path) / "crawl.warc.gz"
    with aidb.connect(str(path), autocommit=True) as con:
        con.execute(f"CREATE TABLE {MARKER_TABLE} AS SELECT current_timestamp AS created_at, 'aidb demo' AS note")
        write_corpus_crawl(CORPUS, crawl)
        for number, step in enumerate((s for s in STEPS if set(s.needs) <= available), start=1):
            sql = step.sql.replace("{crawl}", crawl.as_posix()).replace("{report}", REPORT.as_posix())
            echo(f"\n== {number}. {step.title}")
            echo(_indent(sql))
            con.execute(sql)
            if step.show:
                _print_result(con.execute(step.show), echo)
            ran.append(step.title)
    skipped = [s.title for s in STEPS if not set(s.needs) <= available]
    if skipped:
        echo("\n(skipped, not in this build: " + "; ".join(skipped) + ")")
    echo(f"\nDone. Open the result with:  aidb {path}    or with plain DuckDB: duckdb {path}")
    return ran


def inputs_folder(path: Path) -> Path:
    """Where the demo writes the files it reads (the crawl), beside the database: `demo.aidb.inputs/`."""
    return path.with_name(path.name + ".inputs")


def _remove_previous_demo(path: Path) -> None:
    """Delete an earlier demo database at `path`; refuse to touch any other file."""
    if not path.exists():
        return
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as con:
            is_demo = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [MARKER_TABLE]
            ).fetchone()[0]
    except duckdb.Error as error:
        raise OperationalError(f"{path} exists and is not an aidb demo database; choose another --db ({error})") from error
    if not is_demo:
        raise OperationalError(f"{path} exists and is not an aidb demo database; choose another --db")
    path.unlink()
    for sibling in (path.with_name(path.name + ".wal"),):
        sibling.unlink(missing_ok=True)
    import shutil

    for folder in (path.with_name(path.name + ".lance"), path.with_name(path.name + ".models"), inputs_folder(path)):
        shutil.rmtree(folder, ignore_errors=True)


def _indent(sql: str) -> str:
    lines = [line.strip() for line in sql.strip().splitlines()]
    return "\n".join("   " + line for line in lines)


def _print_result(cursor, echo) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for column in cursor.description:
        table.add_column(column[0])
    rows = cursor.fetchall()
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console = Console(width=140)
    with console.capture() as capture:
        console.print(table)
    echo(capture.get().rstrip())
    echo(f"({len(rows)} rows)")
