"""aidb.sql is pure: its passes and frontend import (and rewrite) with DuckDB impossible to import."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCK_DUCKDB = textwrap.dedent(
    """
    import sys

    class NoDuckDB:
        def find_spec(self, name, path=None, target=None):
            if name == "duckdb" or name.startswith("duckdb."):
                raise ImportError(f"duckdb is blocked in this test ({name})")
            return None

    sys.meta_path.insert(0, NoDuckDB())
    """
)


def run_without_duckdb(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_DUCKDB + textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_the_block_really_blocks_duckdb():
    result = run_without_duckdb("import duckdb")
    assert result.returncode != 0
    assert "duckdb is blocked" in result.stderr


def test_passes_and_frontend_import_and_plan_without_duckdb():
    result = run_without_duckdb(
        """
        from aidb.catalog_records import VectorIndexInfo, VectorTableInfo
        from aidb.sql.catalog_view import CatalogView
        from aidb.sql.frontend import parse_statement, plan_statement
        import aidb.sql.passes

        table = VectorTableInfo(
            name="docs", storage="lance", sql_name="aidb_lance.main.docs", dataset="/x/docs.lance",
            columns=("id", "emb"), vector_columns={"emb": 2}, row_count=1_000_000,
            indexes={"emb": VectorIndexInfo("docs_emb", "emb", "IVF_PQ", "cosine", {"built_with": "pylance", "num_partitions": 256})},
            column_types={"id": "BIGINT", "emb": "FLOAT[2]"},
        )
        planned = plan_statement(parse_statement("SELECT id FROM docs ORDER BY distance(emb, $1) LIMIT 3"), CatalogView(vector_tables={"docs": table}))
        assert "__AIDB_ANN_" in planned.sql.upper(), planned.sql
        assert planned.searches and planned.search_first is not None
        assert "duckdb" not in sys.modules
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
