"""The cells of notebooks/02_search.ipynb: vector, full-text and hybrid search with filters.

notebooks/generate.py loads this file, with `SETUP` (the shared first code cell) set in its namespace.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

SETUP: str  # given by notebooks/generate.py before the module runs

CELLS = [
    new_markdown_cell(
        "# Search: vector, full-text and hybrid queries\n\n"
        "A Lance-backed table holds the bundled corpus's English prose with a MiniLM embedding per document; "
        "the queries below are ordinary SQL that aidb rewrites into Lance searches or exact scans. "
        "A sample of 32 documents keeps embedding fast on a CPU."
    ),
    new_code_cell(
        """\
import tempfile
from pathlib import Path

import aidb
import aidb.demo

CORPUS = Path(aidb.demo.__file__).parent / "data" / "corpus.jsonl"
folder = tempfile.TemporaryDirectory()  # Lance datasets live beside the database file
con = aidb.connect(str(Path(folder.name) / "search.aidb"), autocommit=True, progress=False)
con.execute(\"\"\"
    CREATE TABLE docs (id BIGINT, domain VARCHAR, url VARCHAR, text VARCHAR, emb FLOAT[384])
    WITH (storage = 'lance')
\"\"\")
con.execute(f\"\"\"
    INSERT INTO docs
    SELECT id, domain, url, text, embed(text) FROM read_json_auto('{CORPUS}')
    WHERE planted = 'clean' AND lang = 'en' AND domain <> 'code' ORDER BY id LIMIT 32
\"\"\")
con.execute("SELECT domain, count(*) AS docs FROM docs GROUP BY domain ORDER BY docs DESC").df()"""
    ),
    new_markdown_cell("## Nearest neighbours: `ORDER BY distance(...) LIMIT k`"),
    new_code_cell(
        """\
nearest = con.execute(\"\"\"
    SELECT id, url, distance(emb, embed('growing vegetables in the garden')) AS d
    FROM docs ORDER BY d LIMIT 3
\"\"\").df()
assert "garden" in nearest.url[0]
nearest"""
    ),
    new_markdown_cell(
        "A filter is applied before the k nearest are chosen, so k rows come back when k rows match; "
        "`EXPLAIN AIDB` shows the plan aidb picked."
    ),
    new_code_cell(
        """\
filtered = con.execute(\"\"\"
    SELECT id, domain, url, distance(emb, embed('telescopes and the night sky')) AS d
    FROM docs WHERE domain = 'forum' ORDER BY d LIMIT 3
\"\"\").df()
assert (filtered.domain == "forum").all() and len(filtered) == 3
con.execute("EXPLAIN AIDB SELECT id FROM docs WHERE domain = 'forum' ORDER BY distance(emb, embed('x')) LIMIT 3").df()"""
    ),
    new_markdown_cell("## Search table functions: vector, BM25 full-text and hybrid (reciprocal rank fusion)"),
    new_code_cell(
        """\
by_vector = con.execute("SELECT id, url FROM vector_search(docs, emb, embed('planets and stars'), k := 3)").df()
by_text = con.execute("SELECT id, url FROM text_search(docs, text, 'sourdough', k := 3)").df()
hybrid = con.execute("SELECT id, url FROM hybrid_search(docs, text, emb, 'sourdough bread baking', k := 3)").df()
assert "astronomy" in by_vector.url[0] and "sourdough" in by_text.url[0] and "cooking" in hybrid.url[0]
hybrid"""
    ),
    new_markdown_cell("## A vector index\n\nLance builds the index; the catalog records it (`SHOW VECTOR INDEXES`)."),
    new_code_cell(
        """\
con.execute("CREATE VECTOR INDEX docs_emb ON docs (emb) USING IVF_FLAT WITH (metric = 'cosine', num_partitions = 2)")
indexed = con.execute(\"\"\"
    SELECT id, url FROM docs ORDER BY distance(emb, embed('growing vegetables in the garden')) LIMIT 3
\"\"\").df()
assert indexed.id[0] == nearest.id[0]
con.execute("SHOW VECTOR INDEXES").df()"""
    ),
]
