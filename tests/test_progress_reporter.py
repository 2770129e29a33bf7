"""Every progress reporter implements the whole ProgressReporter Protocol (start/expect/advance/update/finish) and draws what it is told."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from aidb.engine.progress import Progress
from aidb.progress_reporter import NullProgress, ProgressReporter
from aidb.repl.progress import ReplProgress

PROTOCOL_METHODS = ("start", "expect", "advance", "update", "finish")


def _reporters() -> list[ProgressReporter]:
    return [Progress(enabled=True), NullProgress(), ReplProgress(Console(file=io.StringIO(), force_terminal=True))]


@pytest.mark.parametrize("reporter", _reporters(), ids=lambda r: type(r).__name__)
def test_each_reporter_implements_the_protocol(reporter):
    assert isinstance(reporter, ProgressReporter)
    for name in PROTOCOL_METHODS:
        assert callable(getattr(type(reporter), name, None)), f"{type(reporter).__name__} lacks {name}()"


def test_repl_progress_draws_index_build_stages_then_rows():
    out = io.StringIO()
    progress = ReplProgress(Console(file=out, force_terminal=True, width=100))
    progress.start("CREATE VECTOR INDEX docs_emb ON docs (emb)")
    progress.update("vector index docs_emb: train_ivf", 3, 10)
    assert progress._bar.tasks[0].completed == 3 and progress._bar.tasks[0].total == 10
    progress.update("vector index docs_emb: train_ivf", 10, 10)
    progress.update("vector index docs_emb: shuffle", 1, 4)  # a new stage replaces the bar
    assert [t.description for t in progress._bar.tasks] == ["vector index docs_emb: shuffle"]
    progress.finish()
    assert progress._bar is None
    progress.start("SELECT embed(text) FROM docs")
    progress.advance(64)
    progress.advance(36)
    assert progress.rows == 100 and progress._bar.tasks[0].completed == 100
    progress.finish()


def test_terminal_progress_moves_a_stage_bar_to_completed(capsys):
    progress = Progress(enabled=True)
    progress.start("CREATE VECTOR INDEX")
    progress.update("vector index i: train", 5, 8)
    assert progress._bar.n == 5 and progress._bar.total == 8
    progress.finish()
    assert progress._bar is None
