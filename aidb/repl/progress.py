"""The REPL's progress reporter: rows through model functions and index build stages as a live rich bar on stderr."""

from __future__ import annotations

from typing import Any


class ReplProgress:
    """Draws rows processed by model functions, or the stages of an index build, as a live rich bar on stderr.

    Implements aidb.progress_reporter.ProgressReporter.
    """

    def __init__(self, console: Any) -> None:
        self.console = console
        self.rows = 0
        self._bar: Any = None
        self._task: Any = None
        self._description = ""
        self._stage: str | None = None

    def start(self, description: str) -> None:
        self.rows = 0
        self.total: int | None = None
        self._description = description

    def expect(self, total: int | None) -> None:
        """The input size in rows, when known: the bar shows it and an estimate of the time left."""
        self.total = total

    def advance(self, rows: int) -> None:
        self.rows += rows
        if self._bar is None:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            known = self.total is not None
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                *([BarColumn()] if known else []),
                TextColumn("[bold]{task.completed:,.0f}[/bold]" + (" of {task.total:,.0f}" if known else "") + " rows"),
                TimeElapsedColumn(),
                *([TextColumn("eta"), TimeRemainingColumn()] if known else []),
                TextColumn("[dim](Ctrl-C cancels)[/dim]"),
                console=self.console,
                transient=True,
            )
            self._task = self._bar.add_task(self._description[:50], total=self.total)
            self._bar.start()
        self._bar.update(self._task, advance=rows)

    def update(self, stage: str, completed: int, total: int) -> None:
        """Work of known size (a stage of a vector index build): one bar per stage, moved to `completed` of `total`."""
        if self._bar is None or self._stage != stage:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self.finish()
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TextColumn("[dim](Ctrl-C cancels)[/dim]"),
                console=self.console,
                transient=True,
            )
            self._task = self._bar.add_task(stage[:50], total=total)
            self._stage = stage
            self._bar.start()
        self._bar.update(self._task, completed=completed, total=total)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        self._stage = None
