"""Every notebooks/*.ipynb runs top to bottom, offline, on the bundled data, in a kernel of this interpreter, and is
committed with its outputs (a reader sees the tables and plots without running it).

The run executes a copy in memory: the committed file is not rewritten. Adding a notebook to notebooks/ is all it
takes to have it executed here; `python notebooks/generate.py` writes and executes the generated ones.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# A code cell that draws a figure must show it as an image output.
PLOTTING = ("plt.show()", "plt.subplots(", ".plot(", ".hist(", ".imshow(")


def _generator():
    spec = importlib.util.spec_from_file_location("notebooks_generate", REPO / "notebooks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no .ipynb (run: python notebooks/generate.py)"


def _code_cells(notebook: nbformat.NotebookNode) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_with_its_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    regenerate = f"run: python notebooks/generate.py {path.name}"
    for number, cell in enumerate(_code_cells(notebook), start=1):
        source = cell.source
        assert cell.get("execution_count"), f"{path.name}: code cell {number} was never executed ({regenerate})"
        outputs = cell.get("outputs", [])
        assert not [o for o in outputs if o.get("output_type") == "error"], f"{path.name}: code cell {number} has an error output"
        if any(marker in source for marker in PLOTTING):
            images = [o for o in outputs if "image/png" in o.get("data", {})]
            assert images, f"{path.name}: code cell {number} plots but has no image output ({regenerate})"
    counts = [cell.execution_count for cell in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: cells were not run top to bottom in one kernel ({regenerate})"
    generated = GENERATOR.NOTEBOOKS.get(path.name)
    if generated is not None:  # the committed cells are the ones notebooks/generate.py writes
        written = [(c.cell_type, c.source) for c in generated]
        committed = [(c.cell_type, c.source) for c in notebook.cells]
        assert committed == written, f"{path.name} differs from notebooks/generate.py ({regenerate})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in _code_cells(notebook):  # run the committed cells afresh, not their saved results
        cell.outputs = []
        cell.execution_count = None
    for name, value in GENERATOR.KERNEL_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    GENERATOR.execute_notebook(notebook, path.parent)  # raises CellExecutionError with the failing cell and its traceback
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    plotted = [c for c in _code_cells(notebook) if any(m in c.source for m in PLOTTING)]
    assert all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in plotted), "a plotting cell showed no image"
