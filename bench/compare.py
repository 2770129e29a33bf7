"""Print old vs new figures of a benchmark's JSON file (bench/results/<name>.json) with their ratio.

    python -m bench.compare bench/results/minhash.json                 # committed version (HEAD) vs working file
    python -m bench.compare OLD.json NEW.json                          # two files
    python -m bench.compare HEAD~3:bench/results/minhash.json bench/results/minhash.json   # REV:PATH from git

Every number in "figures" is compared by its dotted path (per-round lists are skipped: the best-of figures
beside them summarise them); the load averages of both runs are printed, since a busy machine moves absolute
figures more than ratios between sides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]


def load(spec: str) -> dict[str, Any]:
    """A results document from a file path, or from git when `spec` is REV:PATH."""
    path = Path(spec)
    if not path.exists() and ":" in spec:
        try:
            text = subprocess.run(["git", "show", spec], capture_output=True, text=True, check=True, cwd=REPOSITORY).stdout
        except subprocess.CalledProcessError as error:
            raise SystemExit(f"cannot read {spec} from git: {error.stderr.strip()}") from None
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SystemExit(f"cannot read {spec}: {error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SystemExit(f"{spec} is not a results file: {error}") from None


def numbers(tree: Any, prefix: str = "") -> dict[str, float]:
    """Every number under `tree` by dotted path (booleans and lists left out)."""
    if isinstance(tree, dict):
        found: dict[str, float] = {}
        for key, value in tree.items():
            found.update(numbers(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(tree, (int, float)) and not isinstance(tree, bool):
        return {prefix: float(tree)}
    return {}


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The lines of the comparison table."""
    lines = []
    for label, doc in (("old", old), ("new", new)):
        machine = doc.get("machine", {})
        lines.append(
            f"{label}: {doc.get('when', '?')} commit {doc.get('commit')} `{doc.get('command', '?')}` "
            f"load {machine.get('load_average_before')} -> {machine.get('load_average_after')}"
        )
    before, after = numbers(old.get("figures", {})), numbers(new.get("figures", {}))
    width = max((len(k) for k in before.keys() | after.keys()), default=10)
    lines.append(f"{'figure':<{width}} {'old':>14} {'new':>14} {'new/old':>9}")
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        ratio = f"{b / a:9.3f}" if a and b is not None else f"{'-':>9}"
        show = lambda v: f"{v:14.6g}" if v is not None else f"{'(absent)':>14}"  # noqa: E731
        lines.append(f"{key:<{width}} {show(a)} {show(b)} {ratio}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="results file, or REV:PATH; alone: compared with the same path at HEAD")
    parser.add_argument("new", nargs="?", help="results file or REV:PATH")
    args = parser.parse_args(argv)
    if args.new is None:
        path = Path(args.old).resolve()
        try:
            relative = path.relative_to(REPOSITORY)
        except ValueError:
            raise SystemExit(f"{args.old} is outside the repository; give two files") from None
        old_spec, new_spec = f"HEAD:{relative.as_posix()}", args.old
    else:
        old_spec, new_spec = args.old, args.new
    print("\n".join(compare(load(old_spec), load(new_spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
