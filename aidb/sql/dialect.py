"""The aidb dialect: DuckDB SQL plus aidb's statements, parsed by sqlglot (no text pre-processing)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from aidb.sql import statements as st

# Model TYPEs the parser accepts; plugins' loaders add theirs (declare_model_kinds, called by the engine).
MODEL_KINDS: tuple[str, ...] = ("embedding", "language", "clip", "classifier", "tokenizer", "language_id")


def declare_model_kinds(kinds: Iterable[str]) -> None:
    """Accept `kinds` after TYPE in CREATE MODEL too (the TYPEs of installed `aidb.model_loaders` plugins)."""
    global MODEL_KINDS
    MODEL_KINDS = (*MODEL_KINDS, *sorted({k.lower() for k in kinds} - set(MODEL_KINDS)))

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
                inner = self._parse_statement()
                if inner is None:
                    self.raise_error("Expected a statement after EXPLAIN AIDB")
                return st.ExplainAidb(this=inner)
            if self._match_text_seq("SHOW"):
                what = " ".join(t.text.upper() for t in self._tokens[self._index :])
                self._advance(len(self._tokens) - self._index)
                return st.Show(this=exp.Var(this=what.removeprefix("AIDB ")))
            if self._match_text_seq("OPTIMIZE", "VECTOR", "INDEX"):
                return st.OptimizeVectorIndex(this=self._expect_name("an index name"))
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
            return node(this=self._expect_name("a model name" if node is st.DropModel else "an index name"), exists=exists)

        def _expect_name(self, what: str) -> exp.Expression:
            name = self._parse_id_var(any_token=False)
            if name is None:
                self.raise_error(f"Expected {what}")
            return name

        def _parse_create_model(self, replace: bool) -> exp.Expression:
            if self._match_text_seq("LANGUAGE", "MODEL"):
                kind: str | None = "language"
            elif self._match_text_seq("CLASSIFIER"):
                kind = "classifier"
            else:
                self._match_text_seq("MODEL")
                kind = None
            exists = self._match_text_seq("IF", "NOT", "EXISTS")
            name = self._expect_name("a model name")
            if kind is None:
                kind_node = self._parse_var(any_token=True) if self._match_text_seq("TYPE") else None
                if kind_node is None:
                    self.raise_error(f"Expected TYPE {' | '.join(MODEL_KINDS)}")
                kind = kind_node.name.lower()
                if kind not in MODEL_KINDS:
                    self.raise_error(f"Unknown model type {kind!r}; expected one of {', '.join(MODEL_KINDS)}")
            if not self._match(TokenType.FROM):
                self.raise_error("Expected FROM '<path>' or FROM (<query>)")
            source = self._parse_model_source()
            using = None
            if self._match(TokenType.USING):
                using = self._parse_string()
                if using is None:
                    self.raise_error("Expected a quoted trainer name after USING")
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
                if query is None:
                    self.raise_error("Expected a SELECT query in FROM (...)")
                self._match_r_paren()
                return exp.Subquery(this=query)
            source = self._parse_string()
            if source is None:
                self.raise_error("Expected a quoted path or package name, or a (SELECT ...) query")
            return source

        def _parse_create_vector_index(self, replace: bool) -> exp.Expression:
            exists = self._match_text_seq("IF", "NOT", "EXISTS")
            name = self._expect_name("an index name")
            if not self._match(TokenType.ON):
                self.raise_error("Expected ON <table> (<column>)")
            table = self._parse_table_parts(schema=True)
            columns = self._parse_wrapped_csv(self._parse_id_var)
            if len(columns) != 1 or columns[0] is None:
                self.raise_error("A vector index covers exactly one column")
            index_type = None
            if self._match(TokenType.USING):
                index_type = self._parse_var(any_token=True)
                if index_type is None:
                    self.raise_error("Expected an index type after USING")
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
            if key is None or not (self._match(TokenType.EQ) or self._match(TokenType.COLON_EQ)):
                self.raise_error("Expected key = value in WITH (...)")
            value = self._parse_bitwise()
            if value is None:
                self.raise_error(f"Expected a value for {key.name} in WITH (...)")
            return exp.Property(this=key, value=value)

    class Generator(DuckDB.Generator):
        # Every clause of every aidb statement is rendered, so parse -> generate -> parse gives the same tree.
        TRANSFORMS = {
            **DuckDB.Generator.TRANSFORMS,
            st.ExplainAidb: lambda self, e: f"EXPLAIN AIDB {self.sql(e, 'this')}",
            st.Show: lambda self, e: f"SHOW {'AIDB ' if e.this.name == 'FUNCTIONS' else ''}{e.this.name}",
            st.CreateModel: lambda self, e: _create_model_sql(self, e),
            st.DropModel: lambda self, e: f"DROP MODEL{_if_exists(e)} {self.sql(e, 'this')}",
            st.CreateVectorIndex: lambda self, e: _create_vector_index_sql(self, e),
            st.DropVectorIndex: lambda self, e: f"DROP VECTOR INDEX{_if_exists(e)} {self.sql(e, 'this')}",
            st.OptimizeVectorIndex: lambda self, e: f"OPTIMIZE VECTOR INDEX {self.sql(e, 'this')}",
        }


def _if_exists(node: exp.Expression) -> str:
    return " IF EXISTS" if node.args.get("exists") else ""


def _create_prefix(node: exp.Expression, what: str) -> str:
    replace = " OR REPLACE" if node.args.get("replace") else ""
    exists = " IF NOT EXISTS" if node.args.get("exists") else ""
    return f"CREATE{replace} {what}{exists}"


def _create_model_sql(generator: DuckDB.Generator, node: st.CreateModel) -> str:
    kind = node.args["kind"].name
    name = generator.sql(node, "this")
    if kind == "classifier":
        head = f"{_create_prefix(node, 'CLASSIFIER')} {name}"
    elif kind == "language":
        head = f"{_create_prefix(node, 'LANGUAGE MODEL')} {name}"
    else:
        head = f"{_create_prefix(node, 'MODEL')} {name} TYPE {kind}"
    using = f" USING {generator.sql(node, 'using')}" if node.args.get("using") is not None else ""
    return f"{head} FROM {generator.sql(node, 'source')}{using}{_options_sql(generator, node)}"


def _create_vector_index_sql(generator: DuckDB.Generator, node: st.CreateVectorIndex) -> str:
    head = f"{_create_prefix(node, 'VECTOR INDEX')} {generator.sql(node, 'this')}"
    target = f"ON {generator.sql(node, 'table')} ({generator.sql(node, 'column')})"
    using = f" USING {generator.sql(node, 'index_type')}" if node.args.get("index_type") is not None else ""
    return f"{head} {target}{using}{_options_sql(generator, node)}"


def _options_sql(generator: DuckDB.Generator, node: exp.Expression) -> str:
    options = node.args.get("options")
    if not options:
        return ""
    # The key is read with any_token=True: a bare word (even a keyword such as `default`) stays bare.
    keys = [generator.sql(p.this) if p.this.args.get("quoted") else p.this.name for p in options]
    pairs = ", ".join(f"{key} = {generator.sql(p, 'value')}" for key, p in zip(keys, options))
    return f" WITH ({pairs})"


def declare_functions(names: Iterable[str]) -> None:
    """Parse calls to aidb's functions as plain calls, not as sqlglot built-ins of the same name.

    sqlglot knows e.g. MINHASH and would transpile it to a different DuckDB expression.
    """
    for name in names:
        AIDB.Parser.FUNCTIONS[name.upper()] = _anonymous_builder(name)


def _anonymous_builder(name: str):
    return lambda args: exp.Anonymous(this=name, expressions=args)
