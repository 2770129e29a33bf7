"""The documentation is tested (sqlite-utils' and datasette's habit): whatever aidb offers is named in README.md or docs/.

Each test reads what aidb offers from the code itself (the function registry, the macro files, the dialect's
statement table, the REPL's dot-command table, the CLI's usage) and fails naming what to document where.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from aidb import cli
from aidb.functions.registry import load_function_modules
from aidb.ops.operator_registry import load_operator_modules
from aidb.repl.commands import COMMANDS
from aidb.sql.dialect import STATEMENT_PREFIXES
from aidb.sql.vector_table_functions import TABLE_FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LAYOUT_HEADING = "## Layout of the repository"
_MACRO = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\s+(?:\w+\.)?(\w+)", re.I)


def documentation() -> str:
    """README.md and every docs/*.md, one text."""
    return "\n".join(p.read_text(encoding="utf-8") for p in [README, *sorted((ROOT / "docs").glob("*.md"))])


def _missing(names: list[str], pattern: str, text: str, flags: int = re.I) -> list[str]:
    """The names for which `pattern` (with {name} escaped in) never matches `text`."""
    return [name for name in names if not re.search(pattern.format(name=re.escape(name)), text, flags)]


def _explain(kind: str, missing: list[str], how: str) -> str:
    return (
        f"{len(missing)} {kind} not documented: {', '.join(missing)}. Add each to README.md (or a docs/*.md page) "
        f"{how}, in the section of its family; tests/test_docs.py checks this."
    )


def test_every_sql_function_is_documented() -> None:
    names = sorted(name for name in load_function_modules() if not name.startswith("_"))
    names += sorted(TABLE_FUNCTIONS) + sorted(load_operator_modules())
    missing = _missing(names, r"\b{name}\(", documentation())
    assert not missing, _explain("SQL function(s)", missing, "as a call, e.g. `name(text [, model])` or in a SQL example, with a line on what it returns")


def sql_macros() -> list[str]:
    """Names of the macros defined in sql_functions/*.sql."""
    return sorted({m.group(1).lower() for path in (ROOT / "sql_functions").glob("*.sql") for m in _MACRO.finditer(path.read_text())})


def test_every_sql_macro_is_documented() -> None:
    macros = sql_macros()
    assert macros, "no macros found in sql_functions/*.sql: has the folder moved? update tests/test_docs.py"
    missing = _missing(macros, r"`{name}(\(|`)", documentation())
    assert not missing, _explain("macro(s) of sql_functions/", missing, "in backticks (`name` or `name(text)`)")


def aidb_statements() -> list[str]:
    """The leading words of every aidb statement, OR REPLACE forms folded into the plain ones."""
    forms = {" ".join(word for word in prefix if word not in ("OR", "REPLACE")) for prefix in STATEMENT_PREFIXES}
    return sorted(forms)


def test_every_aidb_statement_is_documented() -> None:
    statements = aidb_statements()
    # case-sensitive: the statement's keywords as written in SQL, whatever the line breaks between them
    missing = _missing(statements, r"\b{name}\b", re.sub(r"\s+", " ", documentation()), flags=0)
    assert not missing, _explain("aidb statement(s)", missing, "with an example (upper-case keywords as the parser reads them)")


def test_every_repl_dot_command_is_documented() -> None:
    missing = _missing(sorted(COMMANDS), r"`{name}(`|\s)", documentation())
    assert not missing, _explain("REPL dot-command(s)", missing, "in backticks in the REPL's paragraph (`.name ARGS`)")


def cli_commands() -> list[str]:
    """The subcommands of `aidb` as its usage text lists them (`aidb WORD ...`, WORD a plain lower-case name)."""
    return sorted({m.group(1) for m in re.finditer(r"^aidb ([a-z][a-z-]*)\b", cli.USAGE, re.M)})


def test_every_cli_command_is_documented() -> None:
    commands = cli_commands()
    assert commands, "no subcommands found in aidb/cli.py's USAGE; update tests/test_docs.py if the CLI changed shape"
    missing = _missing(commands, r"`aidb {name}\b", documentation())
    assert not missing, _explain("CLI command(s)", [f"aidb {c}" for c in missing], "in backticks with its arguments (`aidb name ARGS`)")


def layout_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.find(LAYOUT_HEADING)
    assert start >= 0, f"README.md has no '{LAYOUT_HEADING}' section"
    end = text.find("\n## ", start + len(LAYOUT_HEADING))
    return text[start : end if end >= 0 else len(text)]


def tracked_folders() -> set[str]:
    """Top-level folders and folders of the aidb package that hold files git tracks (or, without git, any files)."""
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()]
    folders = set()
    for path in listed:
        parts = path.split("/")
        if len(parts) > 1 and not parts[0].startswith("."):
            folders.add(parts[0] + "/")
            if parts[0] == "aidb" and len(parts) > 2 and parts[1] != "__pycache__":
                folders.add(f"aidb/{parts[1]}/")
    return folders


def test_readme_layout_matches_the_tree() -> None:
    named = set(re.findall(r"`([\w./-]+/)`", layout_section()))
    actual = tracked_folders()
    absent = sorted(f for f in named if not (ROOT / f).is_dir())
    assert not absent, f"README.md's '{LAYOUT_HEADING}' names folder(s) that do not exist: {', '.join(absent)}; remove or rename them."
    unnamed = sorted(actual - named)
    assert not unnamed, (
        f"README.md's '{LAYOUT_HEADING}' does not name: {', '.join(unnamed)}. Add a line `folder/` — what it holds "
        "(full path from the repository root, in backticks)."
    )


@pytest.mark.parametrize("finder", [aidb_statements, sql_macros, cli_commands])
def test_the_registries_are_read_not_empty(finder) -> None:
    """The checks above compare against what the code declares; an empty declaration would make them pass vacuously."""
    assert finder()
