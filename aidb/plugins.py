"""Extensions installed by the user: entry points `aidb.functions` (SQL functions) and `aidb.model_loaders` (model TYPEs).

A separate package adds a SQL function or a model type without editing aidb by declaring, in its pyproject.toml,

    [project.entry-points."aidb.functions"]
    my_functions = "my_package.functions"        # a module whose @sql_function declarations run on import

    [project.entry-points."aidb.model_loaders"]
    my_models = "my_package.loaders"             # a module whose @model_loader classes register on import

Trust: only distributions installed in the environment are read (importlib.metadata); nothing is imported
because a SQL statement or a catalog row names it.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from aidb.errors import OperationalError

FUNCTIONS_GROUP = "aidb.functions"
MODEL_LOADERS_GROUP = "aidb.model_loaders"


def load_plugins(group: str) -> list[str]:
    """Import every entry point of `group` (its module's declarations register themselves); their names, sorted."""
    loaded = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        _load(point, group)
        loaded.append(point.name)
    return loaded


def _load(point: EntryPoint, group: str) -> None:
    distribution = point.dist.name if point.dist is not None else "an installed package"
    try:
        point.load()
    except Exception as error:  # a plugin may raise anything on import: say which one failed, and how to remove it
        raise OperationalError(
            f"the {group} plugin {point.name!r} ({point.value}, from {distribution}) failed to load: "
            f"{type(error).__name__}: {error}; fix it or `pip uninstall {distribution}`"
        ) from error
