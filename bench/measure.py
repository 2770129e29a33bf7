"""How every benchmark times its sides, alternates them, and writes its figures to bench/results/<name>.json.

    from bench.measure import Timer, alternate, write_results

    runs = alternate({"peer": lambda: peer(texts), "aidb": lambda: ours(texts)}, repeat=3)
    assert same_thing(runs["peer"].result, runs["aidb"].result)      # both sides computed the same thing
    write_results("minhash", {"items": len(texts), "sides": summarise(runs, len(texts))})

`alternate` rotates which side goes first in each round (after one untimed warm-up call of each side), so a
burst of load from other jobs hits all sides alike; each `Runs` keeps every round's wall and CPU seconds and the
last result. `write_results` adds the command line, the time, the commit and the machine's load average (before
and after) and writes `bench/results/<name>.json`, which `bench/compare.py` compares with an earlier file.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
_LOAD_AT_IMPORT = os.getloadavg()


class Timer:
    """Wall seconds and CPU seconds of this process (all threads) spent in a `with` block.

    CPU time is the steadier figure on a machine shared with other jobs; wall time is what a user waits.
    """

    wall: float
    cpu: float

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


@dataclass
class Runs:
    """Every timed round of one side and the result of its last call."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def best_wall(self) -> float:
        return min(self.wall)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu)

    def summary(self, items: int | None = None) -> dict[str, Any]:
        """The side's figures for the JSON file: every round, the best, and items per second at the best."""
        figures: dict[str, Any] = {
            "wall_s": [round(s, 6) for s in self.wall],
            "cpu_s": [round(s, 6) for s in self.cpu],
            "best_wall_s": round(self.best_wall, 6),
            "best_cpu_s": round(self.best_cpu, 6),
        }
        if items:
            figures["items_per_s"] = round(items / self.best_wall, 3)
            figures["items_per_cpu_s"] = round(items / self.best_cpu, 3)
        return figures


def alternate(sides: Mapping[str, Callable[[], Any]], repeat: int, warm_up: bool = True, verbose: bool = True) -> dict[str, Runs]:
    """Call each side `repeat` times, rotating the order every round (round r starts with side r mod n).

    Each side is called once untimed first when `warm_up` (model loading, JIT compilation, first-touch page faults).
    """
    names = list(sides)
    runs = {name: Runs(name) for name in names}
    if warm_up:
        for name in names:
            sides[name]()
    for round_ in range(repeat):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            with Timer() as timer:
                runs[name].result = sides[name]()
            runs[name].wall.append(timer.wall)
            runs[name].cpu.append(timer.cpu)
        if verbose:
            line = ", ".join(f"{name} {runs[name].wall[-1]:.3f}s wall {runs[name].cpu[-1]:.3f}s cpu" for name in names)
            print(f"round {round_ + 1}: {line}", flush=True)
    return runs


def summarise(runs: Mapping[str, Runs], items: int | None = None) -> dict[str, dict[str, Any]]:
    """`Runs.summary` of every side, keyed by side name."""
    return {name: side.summary(items) for name, side in runs.items()}


def ratio(runs: Mapping[str, Runs], slower: str, faster: str) -> dict[str, float]:
    """How many times faster `faster` is than `slower` (best wall and best CPU): above 1, `faster` wins."""
    return {
        "wall": round(runs[slower].best_wall / runs[faster].best_wall, 4),
        "cpu": round(runs[slower].best_cpu / runs[faster].best_cpu, 4),
    }


def command_line() -> str:
    """The command that runs this benchmark again, as `python -m bench.<name> ARGS` when run as a module."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        head = ["python", "-m", spec.name]
    else:
        head = ["python", sys.argv[0]]
    return shlex.join(head + sys.argv[1:])


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=RESULTS_DIR.parent
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def write_results(name: str, figures: Mapping[str, Any], directory: Path | None = None) -> Path:
    """Write `figures` (JSON-serialisable: numbers, strings, lists, dicts) to `<directory>/<name>.json`.

    The file also records the command, UTC time, commit, CPU count and the 1-minute load average when the
    benchmark module was imported and now, so a reader knows how busy the machine was.
    """
    directory = directory or RESULTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "command": command_line(),
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": _commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(v, 2) for v in _LOAD_AT_IMPORT],
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
        },
        "figures": figures,
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    print(f"figures written to {path}")
    return path
