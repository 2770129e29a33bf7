"""`python -m aidb.repl PATH [-c SQL]`: the shell without the `aidb` command, for quick manual runs."""

from __future__ import annotations

import sys

from aidb.repl.shell import main

arguments = sys.argv[1:]
command = arguments[2] if len(arguments) >= 3 and arguments[1] == "-c" else None
sys.exit(main(arguments[0] if arguments else ":memory:", command))
