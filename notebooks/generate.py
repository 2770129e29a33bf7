"""Write the notebooks of this folder from their cell files (`*_cells.py`, named in CELL_MODULES below) and execute
them, outputs included (run: python notebooks/generate.py [name ...]).

Notebooks are committed WITH their outputs, so a reader sees the tables and plots without running anything;
tests/notebooks/test_notebooks.py executes a copy of every notebooks/*.ipynb top to bottom and checks that the
committed file has the outputs of its cells (an image for each cell that plots) and the cells written here.
A pipeline may also add a hand-made .ipynb: the test picks it up, executed with `execute_notebook` below.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CELL_TIMEOUT_S = 300
# The kernel inherits these: this checkout importable, plots as inline PNG outputs, nothing downloaded.
KERNEL_ENVIRONMENT = {
    "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "HF_HUB_OFFLINE": "1",
    "PYTHONWARNINGS": "ignore:IProgress not found",  # tqdm.auto's note that ipywidgets is absent, not the notebook's business
}


def execute_notebook(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run `notebook` top to bottom in a kernel of this interpreter (working directory `folder`), outputs in place.

    Raises nbclient's CellExecutionError naming the failing cell. The caller sets KERNEL_ENVIRONMENT first.
    """
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class CurrentInterpreterKernels(KernelSpecManager):
        """Resolves any kernel name to an ipykernel of the running interpreter, so no kernelspec must be installed."""

        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3", language="python", name=kernel_name,
            )

    manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=CurrentInterpreterKernels())
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S, resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook

SETUP = """\
import matplotlib.pyplot as plt
import numpy as np
from pathlib import Path

import aidb
import aidb.demo

CORPUS = Path(aidb.demo.__file__).parent / "data" / "corpus.jsonl"
con = aidb.connect(":memory:", autocommit=True, progress=False)
con.execute(f"CREATE TABLE docs AS SELECT * FROM read_json_auto('{CORPUS}') ORDER BY id")
con.execute("SELECT planted, count(*) AS docs FROM docs GROUP BY planted ORDER BY docs DESC").df()"""




def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


# notebook -> the file of this folder whose CELLS are its cells
CELL_MODULES = {
    "01_model_functions.ipynb": "model_functions_cells",
    "02_search.ipynb": "search_cells",
    "03_pretraining_pipeline.ipynb": "pretraining_cells",
    "04_mixing_and_selection.ipynb": "mixing_cells",
}


def _cells(module: str) -> list:
    """The CELLS of a file of this folder, loaded by path (notebooks/ is not a package) with SETUP in its namespace."""
    spec = importlib.util.spec_from_file_location(f"notebooks_{module}", HERE / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    loaded.SETUP = SETUP
    spec.loader.exec_module(loaded)
    return loaded.CELLS


NOTEBOOKS = {name: _cells(module) for name, module in CELL_MODULES.items()}


def main(names: list[str]) -> None:
    """Write and execute the notebooks named (all without names); each is saved with its outputs."""
    unknown = set(names) - set(NOTEBOOKS)
    if unknown:
        raise SystemExit(f"unknown notebooks {sorted(unknown)}; known: {sorted(NOTEBOOKS)}")
    os.environ.update(KERNEL_ENVIRONMENT)
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        print(f"executing {name}", flush=True)
        nbformat.write(execute_notebook(notebook(cells), HERE), HERE / name)


if __name__ == "__main__":
    main(sys.argv[1:])
