"""The offline planner: a goal's best-matching operators per pipeline step, each written into SQL by a fixed template.

This planner is template-based: it does not understand the goal beyond retrieval (operator_catalog, retrieval).
Each step becomes `CREATE TABLE <table>_<n>_<step> AS ...` over the previous step's table; several filtering
operators share one WHERE. Templates know what an operator needs (an embedding column for cluster_sample, a domain
column for mix_sample) and leave a step out, saying why, when the table lacks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aidb.agent.operator_examples import STEPS
from aidb.agent.retrieval import MATCH_THRESHOLD, Suggestion


@dataclass(frozen=True)
class TableFacts:
    """What the planner knows of the input table: its columns (name -> DuckDB type), rows and domain values."""

    name: str
    columns: dict[str, str]
    rows: int
    domains: tuple[str, ...] = ()  # the distinct values of the domain column, when there is one
    classifiers: tuple[str, ...] = ()  # catalog classifier models

    @property
    def text(self) -> str | None:
        return _first(self.columns, ("text", "content", "body", "document"), ("VARCHAR",))

    @property
    def ident(self) -> str | None:
        return _first(self.columns, ("id", "doc_id"), ())

    @property
    def embedding(self) -> str | None:
        named = _first(self.columns, ("emb", "embedding", "vector"), ("FLOAT[", "DOUBLE["))
        return named or next((c for c, t in self.columns.items() if t.upper().startswith(("FLOAT[", "DOUBLE["))), None)

    @property
    def domain(self) -> str | None:
        return _first(self.columns, ("domain", "source", "category", "subset"), ("VARCHAR",))


@dataclass(frozen=True)
class PlanStep:
    number: int
    step: str  # one of operator_examples.STEPS
    operators: tuple[str, ...]
    sql: str
    why: str
    output_table: str


@dataclass
class Plan:
    goal: str
    table: str
    steps: list[PlanStep]
    closest: list[Suggestion]
    notes: list[str] = field(default_factory=list)
    planner: str = "templates"  # or 'llm'
    errors: dict[int, str] = field(default_factory=dict)  # step number -> validation error

    @property
    def mapped(self) -> bool:
        return bool(self.steps)

    @property
    def valid(self) -> bool:
        return self.mapped and not self.errors

    @property
    def script(self) -> str:
        return "\n".join(f"-- {s.number}. {s.step}: {s.why}\n{s.sql};" for s in self.steps)


_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "chinese": "zh", "italian": "it",
              "portuguese": "pt", "russian": "ru", "japanese": "ja", "dutch": "nl", "polish": "pl", "arabic": "ar"}
# Gopher's thresholds (Rae et al. 2021, appendix A.1.1), as the demo pipeline uses them.
_MACRO_PREDICATES = {
    "word_count": "word_count({text}) BETWEEN 50 AND 100000",
    "mean_word_length": "mean_word_length({text}) BETWEEN 3 AND 10",
    "symbol_word_ratio": "symbol_word_ratio({text}) < 0.1",
    "frac_bullet_lines": "frac_bullet_lines({text}) < 0.9",
    "frac_lines_end_ellipsis": "frac_lines_end_ellipsis({text}) < 0.3",
    "alpha_word_frac": "alpha_word_frac({text}) >= 0.8",
    "dup_line_frac": "dup_line_frac({text}) < 0.3",
    "dup_line_char_frac": "dup_line_char_frac({text}) < 0.2",
}


_FILTERS = {"gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality", "lang_id", "perplexity", "classify", *_MACRO_PREDICATES}
# The operators each step has a template for; retrieval's best match among them is what a clause of the goal gets.
PLANNABLE = {
    "collection": {"read_warc", "read_sft", "extract_text", "read_documents", "read_hf_dataset"},
    "filtering": _FILTERS,
    "dedup": {"dedup", "exact_duplicates", "near_duplicates", "semantic_duplicates", "normalize_text", "minhash", "jaccard"},
    "mixing": {"mix_sample"},
    "selection": {"cluster_sample", "curriculum", "vector_search", "hybrid_search", "text_search"},
    "export": {"export_shards"},
}


def _filter_predicate(name: str, facts: TableFacts, goal: str) -> tuple[str | None, str]:
    text = facts.text
    if name in ("gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"):
        return f"{name}({text}).keep", f"{name} keeps documents passing its published rules"
    if name == "lang_id":
        words = set(re.findall(r"[a-z]+", goal.lower()))
        lang = next((code for word, code in _LANGUAGES.items() if word in words), "en")
        return f"lang_id({text}).lang = '{lang}'", f"lang_id keeps documents in language '{lang}'"
    if name == "perplexity":
        return None, "perplexity keeps the 90% most fluent documents (QUALIFY percent_rank() <= 0.9)"
    if name == "classify":
        if not facts.classifiers:
            return None, "classify needs a classifier (CREATE CLASSIFIER); the catalog has none"
        return f"classify({text}, '{facts.classifiers[0]}') > 0.5", f"classify keeps documents classifier {facts.classifiers[0]} scores > 0.5"
    if name in _MACRO_PREDICATES:
        return _MACRO_PREDICATES[name].format(text=text), f"{name} with Gopher's threshold"
    return None, f"{name} has no filtering template"


def _filtering(names: list[str], facts: TableFacts, source: str, goal: str, notes: list[str]) -> tuple[str, str, list[str]] | None:
    predicates, reasons, used = [], [], []
    qualify = ""
    for name in names:
        predicate, reason = _filter_predicate(name, facts, goal)
        if name == "perplexity":
            qualify = f" QUALIFY percent_rank() OVER (ORDER BY perplexity({facts.text})) <= 0.9"
        elif predicate is None:
            notes.append(f"filtering: {reason}; left out")
            continue
        else:
            predicates.append(predicate)
        reasons.append(reason)
        used.append(name)
    if not used:
        return None
    where = f" WHERE {' AND '.join(predicates)}" if predicates else ""
    return f"SELECT * FROM {source}{where}{qualify}", "; ".join(reasons), used


def _dedup(name: str, facts: TableFacts, source: str, out: str) -> tuple[str | None, str]:
    if facts.ident is None:
        return None, "dedup needs an id column (or id_col); the table has none"
    methods = ["exact"] if name in ("exact_duplicates", "normalize_text") else ["exact", "fuzzy"]
    extra = ""
    if name == "semantic_duplicates" or (name == "dedup" and facts.embedding):
        if facts.embedding is None:
            return None, "semantic dedup needs an embedding column; the table has none"
        methods.append("semantic")
        extra = f", emb_col := '{facts.embedding}'"
    id_arg = "" if facts.ident == "id" else f", id_col := '{facts.ident}'"
    listed = ", ".join(f"'{m}'" for m in methods)
    sql = f"SELECT * FROM dedup({source}, {facts.text}, methods := [{listed}]{extra}{id_arg}, removed := '{out}_removed')"
    return sql, f"dedup removes {' then '.join(methods)} duplicates (cascade), logging removals in {out}_removed"


def _mixing(name: str, facts: TableFacts, source: str, out: str) -> tuple[str | None, str]:
    if facts.domain is None or not facts.domains:
        return None, "mix_sample needs a domain column (domain, source, category); the table has none"
    share = round(1 / len(facts.domains), 6)
    weights = ", ".join(f"'{d}': {share}" for d in facts.domains)
    sql = f"SELECT * FROM mix_sample({source}, {facts.domain}, weights := {{{weights}}}, n := {facts.rows}, replace := true, seed := 0)"
    return sql, f"mix_sample draws {facts.rows} rows with equal shares of the {len(facts.domains)} {facts.domain}s (rows reused when a domain runs short)"


def _selection(name: str, facts: TableFacts, source: str, out: str, goal: str) -> tuple[str | None, str]:
    if name == "cluster_sample":
        if facts.embedding is None:
            return None, "cluster_sample needs an embedding column; the table has none (embed(text) first)"
        k = max(2, min(100, facts.rows // 20))
        return f"SELECT * FROM cluster_sample({source}, {facts.embedding}, k := {k}, per_cluster := 10)", f"cluster_sample keeps 10 rows of each of {k} k-means clusters for diversity"
    if name == "curriculum":
        return f"SELECT * FROM curriculum({source}, difficulty := perplexity({facts.text}), stages := 4)", "curriculum orders rows easy to hard by perplexity, in 4 stages"
    if name in ("vector_search", "hybrid_search", "text_search") and facts.embedding:
        query = goal.replace("'", "''")
        return (f"SELECT * FROM {source} ORDER BY array_cosine_distance({facts.embedding}, embed('{query}')) LIMIT {max(1, facts.rows // 10)}",
                "keeps the 10% of rows nearest to the goal's embedding")
    return None, f"{name} needs inputs the table does not have (a target table, an embedding or video column)"


def _export(name: str, facts: TableFacts, source: str, goal: str) -> tuple[str | None, str]:
    fmt = "jsonl" if re.search(r"\bjson\s*l(ines)?\b|\bjsonl\b", goal.lower()) else "parquet"
    return f"SELECT * FROM export_shards((SELECT * FROM {source}), '{facts.name}_shards', format := '{fmt}')", f"export_shards writes {fmt} shards and a manifest to {facts.name}_shards/"


def goal_clauses(goal: str) -> list[str]:
    """The goal cut at commas, semicolons, full stops, 'and' and 'then': one intent each, ranked on its own."""
    parts = [p.strip() for p in re.split(r"[,;.]|\bthen\b|\band\b", goal) if len(p.strip()) > 2]
    return parts or [goal]


def draft_plan(goal: str, facts: TableFacts, ranked: list[Suggestion], by_clause: list[list[Suggestion]]) -> Plan:
    """The template plan for `goal` over `facts.name`: for each clause of the goal (`by_clause`, retrieval's ranking of
    every operator for it) the best operator that serves a pipeline step, when it scores above the threshold."""
    notes: list[str] = []
    chosen: dict[str, list[str]] = {}
    for clause_ranking in by_clause:
        plannable = [s for s in clause_ranking if s.entry.name in PLANNABLE.get(s.entry.step, ()) and s.score >= MATCH_THRESHOLD]
        for rank, suggestion in enumerate(plannable[:2]):
            step, name = suggestion.entry.step, suggestion.entry.name
            # a clause is one intent: a second operator only when both are filters scoring alike ("clean English text")
            second = rank == 1 and (step != "filtering" or plannable[0].entry.step != step or suggestion.score < plannable[0].score - 0.1)
            if second or name in chosen.get(step, []) or (step != "filtering" and step in chosen):
                continue
            chosen.setdefault(step, []).append(name)
    if "collection" in chosen:
        notes.append(f"collection: the data is already in table {facts.name}; {chosen.pop('collection')[0]} is not needed")
    if facts.text is None and chosen:
        notes.append(f"table {facts.name} has no text column (text, content, body); text operators left out")
        chosen = {s: n for s, n in chosen.items() if s in ("mixing", "export")}
    steps: list[PlanStep] = []
    source = facts.name
    for step in STEPS:
        if step not in chosen:
            continue
        out = f"{facts.name}_{len(steps) + 1}_{step}"
        builders: dict[str, Callable[[], tuple[str | None, str] | None]] = {
            "filtering": lambda: _filtering(chosen[step], facts, source, goal, notes),
            "dedup": lambda: _dedup(chosen[step][0], facts, source, out),
            "mixing": lambda: _mixing(chosen[step][0], facts, source, out),
            "selection": lambda: _selection(chosen[step][0], facts, source, out, goal),
            "export": lambda: _export(chosen[step][0], facts, source, goal),
        }
        built = builders[step]()
        if built is None:
            continue
        sql, why, *used = built
        operators = tuple(used[0]) if used else (chosen[step][0],)
        if sql is None:
            notes.append(f"{step}: {why}; left out")
            continue
        steps.append(PlanStep(len(steps) + 1, step, operators, f"CREATE TABLE {out} AS {sql}", why, out))
        source = out
    closest = ranked[:5]
    if not steps:
        notes.insert(0, f"no pipeline step of aidb matches the goal {goal!r} well enough (best score "
                        f"{closest[0].score:.2f} < {MATCH_THRESHOLD}); the closest operators are listed" if closest and closest[0].score < MATCH_THRESHOLD
                     else f"no step could be planned for {goal!r} over {facts.name}")
    return Plan(goal, facts.name, steps, closest, notes)


def _first(columns: dict[str, str], names: tuple[str, ...], types: tuple[str, ...]) -> str | None:
    by_lower = {c.lower(): c for c in columns}
    for name in names:
        column = by_lower.get(name)
        if column is not None and (not types or columns[column].upper().startswith(types)):
            return column
    return None
