"""The `aidb` command: `aidb demo`, `aidb sql PATH "SQL"`, and `aidb PATH` (the REPL)."""

from __future__ import annotations

import argparse
import sys

USAGE = """\
aidb demo [--db PATH]        build a demo database from the bundled corpus and run the pipeline on it
aidb sql PATH "STATEMENT"    run one statement on the database at PATH and print the result
aidb doctor PATH [--dry-run] check that the catalog of PATH matches its files (Lance tables, indexes, models); repair it
aidb ask PATH "GOAL" --table T [--run]  plan (and with --run, run) a validated SQL pipeline for a goal over table T
aidb [PATH] [-c STATEMENT]   open the SQL REPL on PATH (default: in memory); -c runs one statement and exits
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "demo":
        return _demo(args[1:])
    if args and args[0] == "sql":
        return _sql(args[1:])
    if args and args[0] == "doctor":
        return _doctor(args[1:])
    if args and args[0] == "ask":
        return _ask(args[1:])
    parser = argparse.ArgumentParser(prog="aidb", usage=USAGE, description="aidb: an AI database for LLM data work.")
    parser.add_argument("path", nargs="?", default=":memory:", help="database file (created if missing)")
    parser.add_argument("-c", "--command", help="run this SQL and exit")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    options = parser.parse_args(args)
    if options.version:
        from aidb.version import __version__

        print(f"aidb {__version__}")
        return 0
    from aidb.repl import main as repl_main

    return repl_main(options.path, options.command)


def _sql(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aidb sql", description="Run one SQL statement and print its result.")
    parser.add_argument("path", help="database file")
    parser.add_argument("statement", help="SQL to run")
    options = parser.parse_args(args)
    from aidb.repl import main as repl_main

    return repl_main(options.path, options.statement)


def _doctor(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aidb doctor", description="Check a database's catalog against its files and repair it.")
    parser.add_argument("path", help="database file")
    parser.add_argument("--dry-run", action="store_true", help="only report what is wrong; change nothing")
    options = parser.parse_args(args)
    from aidb.engine.doctor import run_doctor
    from aidb.errors import Error

    try:
        report = run_doctor(options.path, dry_run=options.dry_run)
    except Error as error:
        print(f"aidb doctor: {error}", file=sys.stderr)
        return 2
    for finding in report.found:
        action = "would" if options.dry_run else "repaired:"
        print(f"{finding.problem}; {action} {finding.repair}")
    for finding in [] if options.dry_run else report.remaining:
        print(f"NOT REPAIRED: {finding.problem}", file=sys.stderr)
    if not report.found:
        print(f"{options.path}: the catalog matches the files; nothing to repair")
    return 1 if report.remaining else 0


def _ask(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aidb ask", description="Turn a goal in words into a validated SQL pipeline over a table.")
    parser.add_argument("path", help="database file")
    parser.add_argument("goal", help="what the pipeline should do, in words")
    parser.add_argument("--table", required=True, help="the input table")
    parser.add_argument("--run", action="store_true", help="run the plan when every statement is valid")
    parser.add_argument("--rounds", type=int, default=3, help="LLM plan -> validate -> fix rounds at most (default 3)")
    options = parser.parse_args(args)
    import aidb
    from aidb.agent.ask import describe_plan, describe_run, plan_goal, run_plan
    from aidb.errors import Error

    try:
        with aidb.connect(options.path, autocommit=True) as con:
            plan = plan_goal(con, options.goal, options.table, rounds=options.rounds)
            print(describe_plan(plan))
            if not plan.valid:
                print("\nnot run: the plan is not valid" if options.run else "", file=sys.stderr)
                return 1
            if options.run:
                print("\n" + describe_run(run_plan(con, plan), options.table))
    except Error as error:
        print(f"aidb ask: {error}", file=sys.stderr)
        return 2
    return 0


def _demo(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aidb demo", description="Run the demo pipeline on the bundled corpus.")
    parser.add_argument("--db", default="demo.aidb", help="database file to (re)create (default: demo.aidb)")
    options = parser.parse_args(args)
    from aidb.demo.pipeline import run_demo
    from aidb.errors import Error

    try:
        run_demo(options.db)
    except Error as error:
        print(f"aidb demo: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
