"""Execute aidb's own statements (model catalog DDL, SHOW, EXPLAIN AIDB); results land on the DuckDB connection."""

from __future__ import annotations

import json
from collections.abc import Callable

from aidb.catalog_records import ModelRecord
from aidb.engine.model_listing import show_models_query
from aidb.engine.outcome import NO_ROWS, ROWS, Outcome
from aidb.engine.ray_statements import RAY_MAP_STEP, explain_ray
from aidb.engine.statement_context import StatementContext
from aidb.engine.vector_index_commands import create_vector_index, drop_vector_index, optimize_vector_index, show_vector_indexes
from aidb.errors import NotSupportedError, ProgrammingError, did_you_mean
from aidb.models.loaders import TrainingModelLoader, load_loader_modules, loader_for
from aidb.sql import statements as st
from aidb.sql.frontend import ParsedStatement, parse_statement
from aidb.sql.passes import to_duckdb_sql
from aidb.sql.rewrite_catalog_functions import functions_query
from aidb.storage.catalog import delete_model, insert_model
from aidb.storage.model_trust import sign_model

# Commands that only read: they run outside a statement transaction so their rows stay fetchable.
READ_ONLY_COMMANDS = (st.Show, st.ExplainAidb)


def run_command(session: StatementContext, statement: ParsedStatement) -> Outcome:
    handler = _HANDLERS.get(type(statement.tree))
    if handler is None:
        raise NotSupportedError(f"{type(statement.tree).__name__} is not supported yet: {statement.text.strip()}")
    return handler(session, statement.tree)


def _rows(session: StatementContext, sql: str, parameters: list | None = None) -> Outcome:
    session.duck.execute(sql, parameters)
    return ROWS


def _show(session: StatementContext, node: st.Show) -> Outcome:
    what = node.this.name.upper()
    if what == "MODELS":
        return _rows(session, *show_models_query(session.catalog()))
    if what == "FUNCTIONS":
        return _rows(session, to_duckdb_sql(functions_query(session.catalog())))
    if what == "VECTOR INDEXES":
        return show_vector_indexes(session)
    raise ProgrammingError(f"SHOW {what}: expected SHOW MODELS, SHOW VECTOR INDEXES or SHOW AIDB FUNCTIONS")


def _explain(session: StatementContext, node: st.ExplainAidb) -> Outcome:
    # rendered with aidb's dialect: the inner statement may be one of aidb's own (EXPLAIN AIDB SHOW MODELS)
    inner_text = to_duckdb_sql(node.this)
    inner = ParsedStatement(inner_text, node.this)
    steps: list[tuple[str, str]] = [("input", inner_text)]
    if inner.is_aidb:
        steps.append(("aidb statement", "executed by aidb, not sent to DuckDB"))
    else:
        plan = session.prepare(parse_statement(inner_text))
        planned = plan.planned
        for step in planned.rewritten.steps if planned.rewritten else ():
            steps.append((step.name, step.sql if step.changed else "(unchanged)"))
        for call, input_sql in zip(plan.operators, plan.operator_inputs):
            steps.append((f"operator {call.operator}", call.describe(input_sql or "(no input)")))  # run before DuckDB, in this order
        ray_steps = explain_ray(session, inner)
        steps.extend(ray_steps)
        on_ray = any(name == RAY_MAP_STEP for name, _ in ray_steps)
        steps.append(("duckdb", "(per block, the SQL of the ray map_batches step)" if on_ray else planned.sql))
        first = planned.search_first
        if first is not None:  # what DuckDB runs when the query vectors are bound as parameters
            steps.append(("duckdb, search first", first.sql))
    return _rows(
        session,
        "SELECT unnest(?) AS step, unnest(?) AS sql",
        [[name for name, _ in steps], [sql for _, sql in steps]],
    )


def _create_model(session: StatementContext, node: st.CreateModel) -> Outcome:
    name = node.this.name
    kind = node.args["kind"].name
    options = st.options_dict(node)
    make_default = bool(options.pop("default", False))
    catalog = session.catalog()
    if name in catalog.models:
        if node.args.get("exists"):
            return NO_ROWS
        if not node.args.get("replace"):
            raise ProgrammingError(f"model {name!r} already exists; use CREATE OR REPLACE or DROP MODEL {name} first")
    load_loader_modules()
    loader = loader_for(kind)
    source_node = node.args["source"]
    if isinstance(source_node, st.exp.Subquery):
        if not isinstance(loader, TrainingModelLoader):
            raise NotSupportedError(f"models of TYPE {kind} cannot be trained from a query")
        # planned like any query, so aidb functions in it (perplexity(text) with its default model) work
        query_sql = session.prepare(parse_statement(to_duckdb_sql(source_node.this))).planned.sql
        description = loader.train(session.training(), name, query_sql, node.args.get("using"), options)
        source = description.source or "query"
        session.note_model_file(source, created=True)
        options.update(description.metrics)
    else:
        source = source_node.name
        description = loader.describe(source, options)
        source = description.source or source
        options.update(description.metrics)
    if name in catalog.models:
        session.note_model_file(catalog.models[name].source, created=False)
        delete_model(session.duck, name)
    # A built-in default (e.g. MiniLM for embeddings) stays in force unless the user asks otherwise;
    # where there is none, the first model of a kind becomes its default.
    has_default = kind in catalog.builtin_models or any(
        m.kind == kind and m.is_default and m.name != name for m in catalog.models.values()
    )
    insert_model(
        session.duck,
        ModelRecord(
            name=name,
            kind=kind,
            source=source,
            options=json.dumps(options, sort_keys=True),
            fingerprint=description.fingerprint,
            dimension=description.dimension,
            is_default=make_default or not has_default,
            signature=sign_model(name, kind, source, description.fingerprint),
        ),
    )
    session.invalidate_catalog()
    return NO_ROWS


def _drop_model(session: StatementContext, node: st.DropModel) -> Outcome:
    name = node.this.name
    models = session.catalog().models
    if name not in models:
        if node.args.get("exists"):
            return NO_ROWS
        raise ProgrammingError(f"cannot drop model {name!r}: no such model.{did_you_mean(name, models)}")
    session.note_model_file(models[name].source, created=False)
    delete_model(session.duck, name)
    session.invalidate_catalog()
    return NO_ROWS


_HANDLERS: dict[type, Callable[[StatementContext, st.AidbStatement], Outcome]] = {
    st.Show: _show,
    st.ExplainAidb: _explain,
    st.CreateModel: _create_model,
    st.DropModel: _drop_model,
    st.CreateVectorIndex: create_vector_index,
    st.DropVectorIndex: drop_vector_index,
    st.OptimizeVectorIndex: optimize_vector_index,
}
