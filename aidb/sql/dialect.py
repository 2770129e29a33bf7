"""The aidb dialect: DuckDB SQL plus aidb's statements, parsed by sqlglot (no text pre-processing)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from aidb.sql import statements as st

MODEL_KINDS = ("embedding", "language", "clip", "classifier", "tokenizer", "language_id")

# Leading words of every aidb statement, longest first; the parser and the splitter share it.
STATEMENT_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("CREATE", "OR", "REPLACE", "LANGUAGE", "MODEL"),
    ("CREATE", "OR", "REPLACE", "MODEL"),
    ("CREATE", "OR", "REPLACE", "CLASSIFIER"),
    ("CREATE", "OR", "REPLACE", "VECTOR", "INDEX"),
    ("CREATE", "LANGUAGE", "MODEL"),
    ("CREATE", "MODEL"),
    ("CREATE", "CLASSIFIER"),
    ("CREATE", "VECTOR", "INDEX"),
    ("DROP", "MODEL"),
    ("DROP", "VECTOR", "INDEX"),
    ("OPTIMIZE", "VECTOR", "INDEX"),
    ("SHOW", "MODELS"),
    ("SHOW", "VECTOR", "INDEXES"),
    ("SHOW", "AIDB", "FUNCTIONS"),
    ("EXPLAIN", "AIDB"),
)


def starts_aidb_statement(words: list[str]) -> bool:
    upper = [w.upper() for w in words]
    return any(upper[: len(prefix)] == list(prefix) for prefix in STATEMENT_PREFIXES)


class AIDB(DuckDB):
    class Tokenizer(DuckDB.Tokenizer):
        # sqlglot swallows everything after EXPLAIN / OPTIMIZE as one opaque command string; aidb
        # needs to see EXPLAIN AIDB and OPTIMIZE VECTOR INDEX. Plain EXPLAIN then fails to parse
        # and passes through to DuckDB untouched.
        # DuckDB has no `?::` operator: `?::BLOB` is a parameter cast, as DuckDB itself reads it.
        KEYWORDS = {k: v for k, v in DuckDB.Tokenizer.KEYWORDS.items() if k not in ("EXPLAIN", "OPTIMIZE", "?::")}

    class Parser(DuckDB.Parser):
        # Copied so that declare_functions() never alters DuckDB's own table.
        FUNCTIONS = {**DuckDB.Parser.FUNCTIONS}

        def _parse_statement(self) -> exp.Expression | None:
            if self._curr is None:
                return None
            words = [t.text for t in self._tokens[self._index : self._index + 5]]
            if starts_aidb_statement(words):
                return self._parse_aidb_statement()
            return super()._parse_statement()

        def _parse_aidb_statement(self) -> exp.Expression:
            if self._match_text_seq("EXPLAIN", "AIDB"):
                return st.ExplainAidb(this=self._parse_statement())
            if self._match_text_seq("SHOW"):
                what = " ".join(t.text.upper() for t in self._tokens[self._index :])
                self._advance(len(self._tokens) - self._index)
                return st.Show(this=exp.Var(this=what.removeprefix("AIDB ")))
            if self._match_text_seq("OPTIMIZE", "VECTOR", "INDEX"):
                return st.OptimizeVectorIndex(this=self._parse_table_parts())
            if self._match_text_seq("DROP"):
                return self._parse_aidb_drop()
            self._match_text_seq("CREATE")
            replace = self._match_text_seq("OR", "REPLACE")
            if self._match_text_seq("VECTOR", "INDEX"):
                return self._parse_create_vector_index(replace)
            return self._parse_create_model(replace)

        def _parse_aidb_drop(self) -> exp.Expression:
            node = st.DropModel if self._match_text_seq("MODEL") else None
            if node is None and self._match_text_seq("VECTOR", "INDEX"):
                node = st.DropVectorIndex
            exists = self._match_text_seq("IF", "EXISTS")
            return node(this=self._parse_id_var(any_token=False), exists=exists)

        def _parse_create_model(self, replace: bool) -> exp.Expression:
            if self._match_text_seq("LANGUAGE", "MODEL"):
                kind: str | None = "language"
            elif self._match_text_seq("CLASSIFIER"):
                kind = "classifier"
            else:
                self._match_text_seq("MODEL")
                kind = None
            exists = self._match_text_seq("IF", "NOT", "EXISTS")
            name = self._parse_id_var(any_token=False)
            if name is None:
                self.raise_error("Expected a model name")
            if kind is None:
                if not self._match_text_seq("TYPE"):
                    self.raise_error(f"Expected TYPE {' | '.join(MODEL_KINDS)}")
                kind = self._parse_var(any_token=True).name.lower()
                if kind not in MODEL_KINDS:
                    self.raise_error(f"Unknown model type {kind!r}; expected one of {', '.join(MODEL_KINDS)}")
            if not self._match(TokenType.FROM):
                self.raise_error("Expected FROM '<path>' or FROM (<query>)")
            source = self._parse_model_source()
            using = self._parse_string() if self._match(TokenType.USING) else None
            return st.CreateModel(
                this=name,
                kind=exp.Var(this=kind),
                source=source,
                using=using,
                options=self._parse_aidb_options(),
                replace=replace,
                exists=exists,
            )

        def _parse_model_source(self) -> exp.Expression:
            if self._match(TokenType.L_PAREN):
                query = self._parse_select()
                self._match_r_paren()
                return exp.Subquery(this=query)
            source = self._parse_string()
            if source is None:
                self.raise_error("Expected a quoted path or package name, or a (SELECT ...) query")
            return source

        def _parse_create_vector_index(self, replace: bool) -> exp.Expression:
            exists = self._match_text_seq("IF", "NOT", "EXISTS")
            name = self._parse_id_var(any_token=False)
            if not self._match(TokenType.ON):
                self.raise_error("Expected ON <table> (<column>)")
            table = self._parse_table_parts(schema=True)
            columns = self._parse_wrapped_csv(self._parse_id_var)
            if len(columns) != 1:
                self.raise_error("A vector index covers exactly one column")
            index_type = self._parse_var(any_token=True) if self._match(TokenType.USING) else None
            return st.CreateVectorIndex(
                this=name,
                table=table,
                column=columns[0],
                index_type=index_type,
                options=self._parse_aidb_options(),
                exists=exists,
                replace=replace,
            )

        def _parse_aidb_options(self) -> list[exp.Property] | None:
            if not self._match(TokenType.WITH):
                return None
            return self._parse_wrapped_csv(self._parse_aidb_option)

        def _parse_aidb_option(self) -> exp.Property:
            key = self._parse_id_var(any_token=True)
            if not (self._match(TokenType.EQ) or self._match(TokenType.COLON_EQ)):
                self.raise_error("Expected key = value in WITH (...)")
            return exp.Property(this=key, value=self._parse_bitwise())

    class Generator(DuckDB.Generator):
        TRANSFORMS = {
            **DuckDB.Generator.TRANSFORMS,
            st.ExplainAidb: lambda self, e: f"EXPLAIN AIDB {self.sql(e, 'this')}",
            st.Show: lambda self, e: f"SHOW {e.this.name}",
            st.CreateModel: lambda self, e: (
                f"CREATE MODEL {self.sql(e, 'this')} TYPE {e.args['kind'].name} FROM {self.sql(e, 'source')}"
            ),
            st.DropModel: lambda self, e: f"DROP MODEL {self.sql(e, 'this')}",
            st.CreateVectorIndex: lambda self, e: (
                f"CREATE VECTOR INDEX {self.sql(e, 'this')} ON {self.sql(e, 'table')} ({self.sql(e, 'column')})"
            ),
            st.DropVectorIndex: lambda self, e: f"DROP VECTOR INDEX {self.sql(e, 'this')}",
            st.OptimizeVectorIndex: lambda self, e: f"OPTIMIZE VECTOR INDEX {self.sql(e, 'this')}",
        }


def declare_functions(names: Iterable[str]) -> None:
    """Parse calls to aidb's functions as plain calls, not as sqlglot built-ins of the same name.

    sqlglot knows e.g. MINHASH and would transpile it to a different DuckDB expression.
    """
    for name in names:
        AIDB.Parser.FUNCTIONS[name.upper()] = _anonymous_builder(name)


def _anonymous_builder(name: str):
    return lambda args: exp.Anonymous(this=name, expressions=args)
