"""Tree traversal shared by the rewrite passes."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp


def transform_bottom_up(tree: exp.Expression, fn: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """A copy of `tree` with `fn` applied to every node, children before parents (so nested calls compose)."""
    root = tree.copy()
    for node in reversed(list(root.walk(bfs=True))):
        replacement = fn(node)
        if replacement is not node:
            if node is root:
                root = replacement
            else:
                node.replace(replacement)
    return root
