"""Progress of long statements (rows through model functions, index build stages), shown tqdm-style on a terminal only."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """Counts rows through model functions during one statement; draws a bar only when stderr is a TTY."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.rows = 0
        self._bar: Any = None
        self._stage: str | None = None

    def start(self, description: str) -> None:
        self.rows = 0
        self.total: int | None = None
        self._description = description

    def expect(self, total: int | None) -> None:
        """The statement's input size in rows, when known: the bar then shows the total and an estimate of time left."""
        self.total = total

    def advance(self, rows: int) -> None:
        self.rows += rows
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(desc=self._description[:40], total=self.total, unit=" rows", leave=False, file=sys.stderr)
        self._bar.update(rows)

    def update(self, stage: str, completed: int, total: int) -> None:
        """Work of known size, such as a stage of a vector index build: one bar per stage, moved to `completed`."""
        if not self.enabled:
            return
        if self._bar is None or self._stage != stage:
            from tqdm import tqdm

            self.finish()
            self._bar = tqdm(desc=stage[:40], total=total, leave=False, file=sys.stderr)
            self._stage = stage
        self._bar.n = completed
        self._bar.refresh()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._stage = None
