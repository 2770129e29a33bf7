"""Entry points `aidb.functions` and `aidb.model_loaders`: an installed plugin adds a SQL function and a model TYPE.

The plugin (tests/plugin_example/) is installed the way pip leaves a package, as a module folder plus a
`.dist-info` with `entry_points.txt` on the path, and used from SQL in a fresh interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = Path(__file__).parent / "plugin_example" / "aidb_example_plugin"
ENTRY_POINTS = """\
[aidb.functions]
example = aidb_example_plugin.functions

[aidb.model_loaders]
example = aidb_example_plugin.loaders
"""


def install_plugin(site: Path, entry_points: str = ENTRY_POINTS) -> None:
    shutil.copytree(PLUGIN, site / PLUGIN.name)
    info = site / "aidb_example_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: aidb-example-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def run_python(site: Path | None, code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    paths = [str(Path(__file__).parents[1])] + ([str(site)] if site is not None else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120)


USE_PLUGIN = """
    import aidb
    con = aidb.connect()
    print(con.execute("SELECT reverse_words('one two three')").fetchone()[0])
    con.execute("CREATE MODEL brackets TYPE affix FROM '[|]'")
    print(con.execute("SELECT affixed('x', 'brackets')").fetchone()[0])
    print(con.execute("SELECT affixed('y')").fetchone()[0])  # the first model of a TYPE is its default
    print([row for row in con.execute("SHOW AIDB FUNCTIONS").fetchall() if row[0] == "reverse_words"][0][0])
"""


def test_an_installed_plugin_adds_a_sql_function_and_a_model_type(tmp_path):
    install_plugin(tmp_path)
    result = run_python(tmp_path, USE_PLUGIN)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["three two one", "[x]", "[y]", "reverse_words"]


def test_without_the_plugin_installed_its_function_is_unknown(tmp_path):
    shutil.copytree(PLUGIN, tmp_path / PLUGIN.name)  # importable, but not installed: SQL cannot make aidb import it
    result = run_python(tmp_path, """
        import aidb
        try:
            aidb.connect().execute("SELECT reverse_words('a b')")
        except aidb.ProgrammingError as error:
            print("refused:", "reverse_words" in str(error))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused: True"


def test_a_plugin_that_fails_to_import_is_named(tmp_path):
    install_plugin(tmp_path, "[aidb.functions]\nbroken = aidb_example_plugin.no_such_module\n")
    result = run_python(tmp_path, """
        import aidb
        try:
            aidb.connect()
        except aidb.OperationalError as error:
            print(error)
    """)
    assert result.returncode == 0, result.stderr
    assert "aidb.functions plugin 'broken'" in result.stdout and "pip uninstall aidb-example-plugin" in result.stdout
