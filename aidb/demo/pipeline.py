"""`aidb demo`: build a database from the bundled corpus and run every pipeline step this build has, in SQL.

Each step is one SQL statement printed before it runs; its result is an ordinary table in the
database file, so `aidb demo.aidb` (or plain DuckDB) can look at it afterwards. Steps that need a
capability (model functions) run only when the capability is registered: the demo grows as aidb does.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from aidb.demo.crawl import write_corpus_crawl
from aidb.demo.media import DemoMedia, write_media_inputs
from aidb.errors import OperationalError

CORPUS = Path(__file__).resolve().parent / "data" / "corpus.jsonl"
REPORT = Path(__file__).resolve().parent / "data" / "report.pdf"  # made by tools/make_demo_pdf.py
MARKER_TABLE = "demo_info"


@dataclass(frozen=True)
class DemoStep:
    title: str
    sql: str
    show: str | None = None  # query whose result is printed after the step
    needs: tuple[str, ...] = ()  # SQL functions the step uses ('video': PyAV, the `video` extra)


# The filters quality_filter() runs, in this order (the first that drops a row names it in corpus_filtered_out):
# language ID (the corpus has French and German documents), datatrove's Gopher, C4 and FineWeb rules at their
# published defaults, and a perplexity cut that only random-letter gibberish exceeds under the default KenLM model.
QUALITY_FILTERS = "['lang_id', 'gopher_quality', 'gopher_repetition', 'c4_quality', 'fineweb_quality', 'perplexity']"
MAX_PERPLEXITY = 30000
FUNNEL_STAGES = (
    *[("filter", name) for name in ("lang_id", "gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality", "perplexity")],
    *[("dedup", name) for name in ("exact", "fuzzy", "semantic")],
)
_STAGE_VALUES = ", ".join(f"({n}, '{kind}', '{name}')" for n, (kind, name) in enumerate(FUNNEL_STAGES, start=1))
MIX_WEIGHTS = "{'web': 0.5, 'forum': 0.3, 'wiki': 0.2}"
MIN_CLIP_SCORE = 0.5  # the small CLIP scores its matching drawings 0.57-0.86, other colours below 0.2
_FRAMES = "read_json('{media}/frames.jsonl', format = 'newline_delimited')"

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
        "Quality filters in one statement: language ID, Gopher, C4, FineWeb (datatrove's rules), perplexity; "
        "then embeddings (all-MiniLM-L6-v2) of the kept rows",
        f"""CREATE TABLE filtered AS
        SELECT *, embed(text) AS emb FROM quality_filter(corpus, text, filters := {QUALITY_FILTERS},
                                                         lang := 'en', max_perplexity := {MAX_PERPLEXITY})""",
        """SELECT c.planted, count(*) AS docs, count(r.id) AS removed, string_agg(DISTINCT r.method, ', ' ORDER BY r.method) AS removed_by
        FROM corpus c LEFT JOIN corpus_filtered_out r USING (id) GROUP BY ALL ORDER BY c.planted""",
        needs=("lang_id", "perplexity", "embed"),
    ),
    DemoStep(
        "The dedup cascade in one statement: exact (CCNet), fuzzy (MinHash-LSH), semantic (SemDeDup)",
        "CREATE TABLE clean_corpus AS SELECT * FROM dedup(filtered, text, methods := ['exact', 'fuzzy', 'semantic'], keep := 'first')",
        """SELECT r.method, c.planted, count(*) AS removed, round(min(r.similarity), 2) AS min_similarity
        FROM filtered_removed r JOIN corpus c USING (id) GROUP BY ALL ORDER BY r.method, c.planted""",
        needs=("embed",),
    ),
    DemoStep(
        "The funnel: rows in, removed by each filter and dedup method, rows out",
        f"""CREATE TABLE funnel AS
        WITH removals AS (
            SELECT 'filter' AS kind, method, count(*) AS removed FROM corpus_filtered_out GROUP BY method
            UNION ALL SELECT 'dedup', method, count(*) FROM filtered_removed GROUP BY method),
        stages AS (
            SELECT s.step, s.kind || ' ' || s.method AS stage, coalesce(r.removed, 0) AS removed
            FROM (VALUES {_STAGE_VALUES}) s(step, kind, method) LEFT JOIN removals r USING (kind, method))
        SELECT 0 AS step, 'corpus' AS stage, NULL::BIGINT AS removed, (SELECT count(*) FROM corpus) AS rows_left
        UNION ALL SELECT step, stage, removed, (SELECT count(*) FROM corpus) - sum(removed) OVER (ORDER BY step) FROM stages
        UNION ALL SELECT {len(FUNNEL_STAGES) + 1}, 'clean corpus', NULL, (SELECT count(*) FROM clean_corpus)""",
        "SELECT stage, removed, rows_left FROM funnel ORDER BY step",
        needs=("embed",),
    ),
    DemoStep(
        "Why was a row dropped? (the first row a Gopher rule removed, the first near-duplicate)",
        """CREATE TABLE why_example AS
        SELECT * FROM why_dropped('clean_corpus', (SELECT min(id) FROM corpus_filtered_out WHERE method = 'gopher_quality'))
        UNION ALL
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
        "A 50/30/20 mixture of web, forum and wiki documents (largest-remainder counts, seeded) and its report",
        f"""CREATE TABLE mixture AS
        SELECT * FROM mix_sample(clean_corpus, domain, weights := {MIX_WEIGHTS}, n := 100, seed := 1)""",
        f"""SELECT domain, requested_share, rows, row_share
        FROM mixture_report(mixture, domain, weights := {MIX_WEIGHTS}) ORDER BY domain""",
        needs=("embed",),
    ),
    DemoStep(
        "DSIR toward a searched target: the 20 documents whose word n-grams look most like the 10 nearest to "
        "'cooking and recipes' (Xie et al. 2023)",
        """CREATE TABLE dsir_cooking AS
        SELECT * FROM dsir_sample(clean_corpus, text, n := 20, seed := 1, target := (
            SELECT text FROM clean_corpus ORDER BY array_cosine_distance(emb, embed('cooking and recipes')) LIMIT 10))""",
        """SELECT 'dsir_cooking' AS rows_from, count(*) AS docs, count(*) FILTER (WHERE url LIKE '%cooking%') AS about_cooking FROM dsir_cooking
        UNION ALL SELECT 'clean_corpus', count(*), count(*) FILTER (WHERE url LIKE '%cooking%') FROM clean_corpus""",
        needs=("embed",),
    ),
    DemoStep(
        "Cluster sampling: k-means on the embeddings, the 2 rows nearest each of 12 centroids, against 24 random rows",
        """CREATE TABLE cluster_pick AS SELECT * FROM cluster_sample(clean_corpus, emb, k := 12, per_cluster := 2, seed := 1)""",
        """SELECT 'cluster_sample' AS picked, clusters_covered, round(coverage, 2) AS coverage, round(cluster_entropy, 2) AS entropy
        FROM diversity_report(cluster_pick, emb, reference := clean_corpus, k := 12, seed := 1)
        UNION ALL
        SELECT '24 random rows', clusters_covered, round(coverage, 2), round(cluster_entropy, 2)
        FROM diversity_report((SELECT * FROM clean_corpus USING SAMPLE 24 ROWS (reservoir, 1)), emb, reference := clean_corpus, k := 12, seed := 1)""",
        needs=("embed",),
    ),
    DemoStep(
        "A curriculum by perplexity (4 stages, easiest first), exported in training order as JSON Lines shards with a manifest",
        """CREATE TABLE shard_manifest AS
        SELECT * FROM export_shards((SELECT id, domain, text, stage FROM curriculum(clean_corpus, difficulty := perplexity(text), stages := 4)
                                     ORDER BY train_order), '{shards}', format := 'jsonl', rows_per_shard := 100)""",
        "SELECT shard, file, rows, first_id, last_id, left(sha256, 16) AS sha256 FROM shard_manifest ORDER BY shard",
        needs=("embed", "perplexity"),
    ),
    DemoStep(
        "Multimodal, with a SMALL CLIP TRAINED HERE (aidb.models.tiny_clip: 32x32 drawings of 3 colours x 2 shapes, "
        "a toy with a real CLIP's interface, not a real CLIP; any CLIP folder registers the same way)",
        "CREATE MODEL demo_clip TYPE clip FROM '{clip}'",
        "SELECT name, kind, left(fingerprint, 16) AS fingerprint FROM aidb.models WHERE name = 'demo_clip'",
        needs=("clip_score",),
    ),
    DemoStep(
        f"clip_score filtering: 60 drawings with captions, every 4th caption planted wrong; pairs below {MIN_CLIP_SCORE} are dropped",
        f"""CREATE TABLE image_captions AS
        SELECT *, score >= {MIN_CLIP_SCORE} AS keep FROM (
            SELECT id, image, caption, planted, clip_score(image, caption, 'demo_clip') AS score
            FROM read_json('{{media}}/captions.jsonl', format = 'newline_delimited'))""",
        """SELECT planted, count(*) AS pairs, count(*) FILTER (WHERE NOT keep) AS dropped, round(min(score), 2) AS min_score,
               round(max(score), 2) AS max_score
        FROM image_captions GROUP BY planted ORDER BY planted""",
        needs=("clip_score",),
    ),
    DemoStep(
        "Question-conditioned keyframes: the 4 frames of a 12 s generated video that best match '{question}' "
        "(4 of its 48 frames show one), against uniform sampling",
        f"""CREATE TABLE video_keyframes AS
        SELECT k.video_id, k.frame_index, k.timestamp_s, k.score, f.drawn, f.shows_question, k.frame_png
        FROM keyframes((SELECT 'shapes.mp4' AS id, content AS video, '{{question}}' AS question FROM read_blob('{{media}}/shapes.mp4')),
                       video, question, k := 4, candidate_fps := 4, min_gap_s := 1, model := 'demo_clip') AS k
        JOIN {_FRAMES} AS f USING (frame_index)""",
        f"""SELECT 'keyframes' AS picked, count(*)::DOUBLE AS frames, count(*) FILTER (WHERE shows_question)::DOUBLE AS show_the_question
        FROM video_keyframes
        UNION ALL
        SELECT 'uniform, every 12th frame (mean of its 12 phases)', 4, round(avg(hits), 2) FROM (
            SELECT frame_index % 12 AS phase, count(*) FILTER (WHERE shows_question) AS hits FROM {_FRAMES} GROUP BY phase)""",
        needs=("clip_score", "video"),
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
    available = set(load_function_modules()) | ({"video"} if importlib.util.find_spec("av") else set())
    ran: list[str] = []
    crawl = inputs_folder(path) / "crawl.warc.gz"
    media: DemoMedia | None = None
    with aidb.connect(str(path), autocommit=True) as con:
        con.execute(f"CREATE TABLE {MARKER_TABLE} AS SELECT current_timestamp AS created_at, 'aidb demo' AS note")
        write_corpus_crawl(CORPUS, crawl)
        for number, step in enumerate((s for s in STEPS if set(s.needs) <= available), start=1):
            if media is None and ("{media}" in step.sql or "{clip}" in step.sql):
                media = write_media_inputs(inputs_folder(path) / "media")
                echo(f"\n(trained aidb's small CLIP, aidb.models.tiny_clip, in {media.training_s:.1f} s: it knows 3 colours and 2 shapes, "
                     "nothing else; drew 60 image-caption pairs and a 12 s video into demo.aidb.inputs/media/)")
            places = {"{crawl}": crawl.as_posix(), "{report}": REPORT.as_posix(), "{shards}": shards_folder(path).as_posix()}
            if media is not None:
                places |= {"{media}": media.folder.as_posix(), "{clip}": media.clip_dir.resolve().as_posix(), "{question}": media.question}
            sql, title, show = step.sql, step.title, step.show
            for placeholder, value in places.items():
                sql, title = sql.replace(placeholder, value), title.replace(placeholder, value)
                show = show and show.replace(placeholder, value)
            echo(f"\n== {number}. {title}")
            echo(_indent(sql))
            con.execute(sql)
            if show:
                _print_result(con.execute(show), echo)
            ran.append(step.title)
    skipped = [s.title for s in STEPS if not set(s.needs) <= available]
    if skipped:
        echo("\n(skipped, not in this build: " + "; ".join(skipped) + ")")
    echo(f"\nDone. Open the result with:  aidb {path}    or with plain DuckDB: duckdb {path}")
    return ran


def shards_folder(path: Path) -> Path:
    """Where the demo exports its training shards, beside the database: `demo.aidb.shards/`."""
    return path.with_name(path.name + ".shards")


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

    for folder in (path.with_name(path.name + ".lance"), path.with_name(path.name + ".models"), inputs_folder(path), shards_folder(path)):
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
