"""The cells of notebooks/03_pretraining_pipeline.ipynb: language ID, quality filters, the dedup cascade, the funnel.

notebooks/generate.py loads this file, with `SETUP` (the shared first code cell) set in its namespace.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

SETUP: str  # given by notebooks/generate.py before the module runs

CELLS = [
    new_markdown_cell(
        "# A pre-training data pipeline: filter, then deduplicate three ways\n\n"
        "The bundled corpus (400 documents, some French and German, with planted junk, exact and near duplicates) "
        "goes through language ID and datatrove's quality filters, then the dedup cascade (`dedup()`: exact, fuzzy "
        "MinHash-LSH, semantic SemDeDup), in SQL. Every step's result is a table; the removal tables and the funnel "
        "say what each step removed, and `why_dropped` says why one row is gone."
    ),
    new_code_cell(SETUP),
    new_markdown_cell(
        "## Language ID and the quality filters, one column each\n\n"
        "`lang_id(text)` names the language (langid.py's model, shipped in the `py3langid` wheel). "
        "`gopher_quality`, `gopher_repetition`, `c4_quality` and `fineweb_quality` apply datatrove's rules at their "
        "published defaults and return the measured statistics, `keep` and `reason` (the first rule failed, named "
        "as datatrove names it). Which filter keeps which planted kind of document:"
    ),
    new_code_cell(
        """\
con.execute(\"\"\"
    CREATE TABLE signals AS
    SELECT id, planted, lang_id(text).lang AS lang,
           gopher_quality(text).keep AS gopher_quality, gopher_repetition(text).keep AS gopher_repetition,
           c4_quality(text).keep AS c4_quality, fineweb_quality(text).keep AS fineweb_quality
    FROM docs
\"\"\")
filters = ["gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"]
kept = con.execute(f\"\"\"
    SELECT planted, avg((lang = 'en')::INT) AS lang_id_en, {', '.join(f'avg({f}::INT) AS {f}' for f in filters)}
    FROM signals GROUP BY planted ORDER BY planted
\"\"\").df().set_index("planted")
assert kept.loc["junk_gibberish", "lang_id_en"] == 0 and kept.loc["clean", "gopher_repetition"] == 1
fig, ax = plt.subplots(figsize=(7, 4))
image = ax.imshow(kept.values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
ax.set_xticks(range(len(kept.columns)), kept.columns, rotation=30, ha="right"); ax.set_yticks(range(len(kept)), kept.index)
for (y, x), value in np.ndenumerate(kept.values):
    ax.text(x, y, f"{value:.2f}", ha="center", va="center", fontsize=8)
fig.colorbar(image, label="fraction kept"); ax.set_title("documents each filter keeps, by planted kind")
plt.show()
con.execute("SELECT lang, count(*) AS docs FROM signals GROUP BY lang ORDER BY docs DESC").df()"""
    ),
    new_markdown_cell(
        "## A quality report a BI tool can chart\n\n"
        "`quality_report(table, text_col)` returns one plain table: per-filter pass rates by reason and ten-bin "
        "histograms of the statistics behind them."
    ),
    new_code_cell(
        """\
con.execute("CREATE TABLE corpus_quality AS SELECT * FROM quality_report(docs, 'text')")
pass_rates = con.execute(\"\"\"
    SELECT filter, name, docs, round(fraction, 3) AS fraction FROM corpus_quality
    WHERE section = 'pass_rate' ORDER BY filter, docs DESC
\"\"\").df()
words = con.execute(\"\"\"
    SELECT bin_lower, bin_upper, docs FROM corpus_quality
    WHERE section = 'histogram' AND filter = 'gopher_quality' AND name = 'n_words' ORDER BY bin_lower
\"\"\").df()
assert words.docs.sum() == 400
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(words.bin_lower, words.docs, width=words.bin_upper - words.bin_lower, align="edge", edgecolor="white")
ax.set_xlabel("gopher_quality(text).n_words"); ax.set_ylabel("documents")
plt.show()
pass_rates"""
    ),
    new_markdown_cell(
        "## All the filters in one statement\n\n"
        "`quality_filter()` runs the filters in the order given and keeps the rows every one keeps; the removal "
        "table `docs_filtered_out` names, for each dropped row, the first filter that dropped it and why (the "
        "measured value, the threshold, the model). The perplexity cut only catches text no language model "
        "expects (random letters); the kept rows get their embeddings in the same statement."
    ),
    new_code_cell(
        """\
from aidb.demo.pipeline import MAX_PERPLEXITY, QUALITY_FILTERS

con.execute(f\"\"\"
    CREATE TABLE filtered AS
    SELECT *, embed(text) AS emb FROM quality_filter(docs, text, filters := {QUALITY_FILTERS},
                                                     lang := 'en', max_perplexity := {MAX_PERPLEXITY})
\"\"\")
by_filter = con.execute(\"\"\"
    SELECT d.planted, r.method, count(*) AS removed FROM docs_filtered_out r JOIN docs d USING (id)
    GROUP BY ALL ORDER BY ALL
\"\"\").df()
table = by_filter.pivot(index="planted", columns="method", values="removed").fillna(0).astype(int)
assert table.loc["junk_gibberish"].sum() == 10 and table.loc["clean", "lang_id"] == 20  # the French and German documents
table"""
    ),
    new_markdown_cell(
        "## The dedup cascade in one statement\n\n"
        "Each method runs on the rows the previous ones kept; `keep := 'first'` keeps the smallest id of each "
        "cluster. The removal table `filtered_removed` has one row per removed row."
    ),
    new_code_cell(
        """\
con.execute(\"\"\"
    CREATE TABLE clean AS
    SELECT * FROM dedup(filtered, text, methods := ['exact', 'fuzzy', 'semantic'], keep := 'first')
\"\"\")
removed = con.execute(\"\"\"
    SELECT r.method, d.planted, count(*) AS removed FROM filtered_removed r JOIN docs d USING (id)
    GROUP BY ALL ORDER BY ALL
\"\"\").df()
copies = con.execute(\"\"\"
    SELECT planted, count(*) AS n FROM filtered WHERE source_id IN (SELECT id FROM filtered) GROUP BY planted
\"\"\").df().set_index("planted").n
by_kind = removed.set_index(["method", "planted"]).removed
assert by_kind[("exact", "exact_dup")] == copies["exact_dup"]  # every copy whose source passed the filters
assert by_kind[("fuzzy", "near_dup")] >= 0.9 * copies["near_dup"]
assert "clean" not in set(removed.planted)
removed"""
    ),
    new_markdown_cell("## The funnel"),
    new_code_cell(
        """\
funnel = con.execute(\"\"\"
    WITH removals AS (
        SELECT 'filter ' || method AS stage, count(*) AS removed FROM docs_filtered_out GROUP BY method
        UNION ALL SELECT 'dedup ' || method, count(*) FROM filtered_removed GROUP BY method),
    stages AS (SELECT * FROM (VALUES (1, 'filter lang_id'), (2, 'filter gopher_quality'), (3, 'filter gopher_repetition'),
                                     (4, 'filter c4_quality'), (5, 'filter fineweb_quality'), (6, 'filter perplexity'),
                                     (7, 'dedup exact'), (8, 'dedup fuzzy'), (9, 'dedup semantic')) s(step, stage))
    SELECT 0 AS step, 'corpus' AS stage, 0 AS removed, (SELECT count(*) FROM docs) AS rows_left
    UNION ALL
    SELECT step, stage, coalesce(removed, 0), ((SELECT count(*) FROM docs) - sum(coalesce(removed, 0)) OVER (ORDER BY step))::BIGINT
    FROM stages LEFT JOIN removals USING (stage) ORDER BY step
\"\"\").df()
assert funnel.rows_left.iloc[-1] == con.execute("SELECT count(*) FROM clean").fetchone()[0]
fig, ax = plt.subplots(figsize=(8, 4))
ax.barh(funnel.stage[::-1], funnel.rows_left[::-1], color=["tab:green" if s.startswith("dedup") else "tab:blue" for s in funnel.stage[::-1]])
ax.set_xlabel("rows left after the stage")
for y, (left, gone) in enumerate(zip(funnel.rows_left[::-1], funnel.removed[::-1])):
    ax.text(left, y, f" {left}" + (f"  (-{gone})" if gone else ""), va="center", fontsize=8)
ax.set_xlim(0, 480)
plt.show()
funnel"""
    ),
    new_markdown_cell(
        "## How similar were the removed rows?\n\n"
        "`similarity` is to the row each method kept: 1 for exact copies, exact 3-gram Jaccard for fuzzy ones "
        "(the cascade's defaults catch copies with 5% of their words changed), cosine for semantic ones. "
        "`near_duplicates()` with its 5-gram / 0.8 defaults gives each row's similarity to its cluster's kept row."
    ),
    new_code_cell(
        """\
fuzzy = con.execute("SELECT similarity FROM filtered_removed WHERE method = 'fuzzy'").df()
near = con.execute("SELECT similarity_to_kept FROM near_duplicates(docs, text) WHERE NOT keep").df()
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3))
left.hist(fuzzy.similarity, bins=20); left.set_xlabel("3-gram Jaccard to the kept row (dedup, fuzzy)")
right.hist(near.similarity_to_kept, bins=20); right.set_xlabel("estimated 5-gram Jaccard (near_duplicates)")
left.set_ylabel("removed rows")
plt.show()
assert fuzzy.similarity.min() >= 0.6"""
    ),
    new_markdown_cell(
        "## Why was this row dropped?\n\n"
        "`why_dropped('clean', id)` follows the chain of inputs: `clean` came from `dedup(filtered)`, `filtered` "
        "from `quality_filter(docs)`, so a row either step removed is answered."
    ),
    new_code_cell(
        """\
filtered_out = con.execute("SELECT min(id) FROM docs_filtered_out WHERE method = 'gopher_quality'").fetchone()[0]
duplicate = con.execute("SELECT min(id) FROM filtered_removed WHERE method = 'fuzzy'").fetchone()[0]
why = con.execute(
    "SELECT * FROM why_dropped('clean', ?) UNION ALL SELECT * FROM why_dropped('clean', ?)", [filtered_out, duplicate]
).df()
assert list(why.step) == ["quality_filter", "dedup"] and list(why.method) == ["gopher_quality", "fuzzy"]
why[["id", "step", "method", "duplicate_of", "similarity", "rule"]]"""
    ),
]
