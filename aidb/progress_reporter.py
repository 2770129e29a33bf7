"""The progress reporter seam: what a long statement tells whoever shows its progress (a terminal bar, the REPL, nothing).

A leaf module: storage (an index build's stages), the functions (rows through a model) and the engine report
through this Protocol; the surfaces choose the implementation (engine/progress.py's tqdm bar, the REPL's rich bar,
or `NullProgress`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ProgressReporter(Protocol):
    def start(self, description: str) -> None:
        """A statement begins; `description` is its first line."""

    def expect(self, total: int | None) -> None:
        """The statement's input size in rows, when known (the bar shows a total and the time left)."""

    def advance(self, rows: int) -> None:
        """`rows` more rows went through a model function."""

    def update(self, stage: str, completed: int, total: int) -> None:
        """Work of known size, such as a stage of a vector index build, moved to `completed` of `total`."""

    def finish(self) -> None:
        """The statement ended (or failed): take down whatever is shown."""


class NullProgress:
    """Reports nothing: for programs that want no output at all."""

    def start(self, description: str) -> None:
        pass

    def expect(self, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def update(self, stage: str, completed: int, total: int) -> None:
        pass

    def finish(self) -> None:
        pass
