"""Keep the column names users wrote: a rewritten, unaliased select item is named after its original text.

Without this, `SELECT embed(text) FROM docs` would return a column called
`CAST(embed("text", NULL) AS FLOAT[384])` — the text of the rewritten expression.
"""

from __future__ import annotations

from sqlglot import exp

from aidb.sql.dialect import AIDB


def keep_column_names(original: exp.Expression, rewritten: exp.Expression) -> exp.Expression:
    """`rewritten` with its changed, unaliased top-level select items aliased by their original text."""
    before, after = _select_of(original), _select_of(rewritten)
    if before is None or after is None or len(before.expressions) != len(after.expressions):
        return rewritten
    result = rewritten.copy()
    target = _select_of(result)
    for old, new in zip(before.expressions, target.expressions):
        if old != new and not isinstance(old, (exp.Alias, exp.Star)) and not isinstance(new, exp.Alias):
            name = old.sql(dialect=AIDB, normalize_functions=False)
            new.replace(exp.alias_(new.copy(), exp.to_identifier(name, quoted=True)))
    return result


def _select_of(tree: exp.Expression) -> exp.Select | None:
    if isinstance(tree, exp.Select):
        return tree
    if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Select):
        return tree.expression
    return None
