"""read_hf_dataset: a Hugging Face `datasets` folder written by `save_to_disk` as a table, without `datasets`.

Such a folder holds `state.json` (its Arrow files in order, `_data_files`) and `data-0000n-of-0000m.arrow` files in
Arrow's streaming format; a DatasetDict's folder holds `dataset_dict.json` (`splits`) and one such folder per split.
The Arrow files are memory-mapped, so the rows are not copied into memory before DuckDB reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, operator


def read_hf_dataset(folder: Path, split: str | None = None) -> pa.Table:
    """The rows of a saved Dataset, or of a saved DatasetDict's `split` (all splits, with a `split` column, when None)."""
    if not folder.is_dir():
        raise OperationalError(f"read_hf_dataset(): folder {str(folder)!r} does not exist" if not folder.exists()
                               else f"read_hf_dataset(): {str(folder)!r} is a file; name the folder save_to_disk wrote")
    splits_file = folder / "dataset_dict.json"
    if splits_file.is_file():
        splits = _json(splits_file).get("splits")
        if not isinstance(splits, list) or not all(isinstance(s, str) for s in splits):
            raise DataError(f"read_hf_dataset(): {splits_file}: 'splits' must be a list of split names")
        if split is not None:
            if split not in splits:
                raise ProgrammingError(f"read_hf_dataset(): {folder} has no split {split!r}; its splits: {', '.join(splits)}")
            return _dataset(folder / split)
        tables = [_dataset(folder / name) for name in splits]
        labelled = [t.append_column("split", pa.array([name] * t.num_rows, pa.string())) for name, t in zip(splits, tables)]
        try:
            return pa.concat_tables(labelled, promote_options="permissive") if labelled else pa.table({})
        except pa.ArrowInvalid as error:
            raise DataError(f"read_hf_dataset(): the splits of {folder} have different columns ({error}); read one with split := '...'") from error
    if split is not None:
        raise ProgrammingError(f"read_hf_dataset(): {folder} is a single Dataset (no dataset_dict.json), so it has no split {split!r}")
    return _dataset(folder)


def _dataset(folder: Path) -> pa.Table:
    state_file = folder / "state.json"
    if not state_file.is_file():
        raise OperationalError(
            f"read_hf_dataset(): {folder} is not a folder written by datasets' save_to_disk: it has no state.json "
            "(nor dataset_dict.json)"
        )
    files = _json(state_file).get("_data_files")
    if not isinstance(files, list) or not files:
        raise DataError(f"read_hf_dataset(): {state_file}: '_data_files' must list the dataset's Arrow files")
    tables = []
    for entry in files:
        name = entry.get("filename") if isinstance(entry, dict) else None
        path = folder / str(name)
        if not name or Path(str(name)).name != name or not path.is_file():
            raise DataError(f"read_hf_dataset(): {state_file} names Arrow file {name!r}, which is not in {folder}")
        tables.append(_arrow_file(path))
    try:
        return pa.concat_tables(tables)
    except pa.ArrowInvalid as error:
        raise DataError(f"read_hf_dataset(): the Arrow files of {folder} have different schemas: {error}") from error


def _arrow_file(path: Path) -> pa.Table:
    try:
        source = pa.memory_map(str(path))
        try:
            return pa.ipc.open_stream(source).read_all()
        except pa.ArrowInvalid:
            return pa.ipc.open_file(source).read_all()  # the random-access layout, as some tools write it
    except (pa.ArrowInvalid, OSError) as error:
        raise DataError(f"read_hf_dataset(): {path} is not a readable Arrow file: {error}") from error


def _json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise OperationalError(f"read_hf_dataset(): cannot read {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise DataError(f"read_hf_dataset(): {path} line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise DataError(f"read_hf_dataset(): {path}: expected a JSON object")
    return value


@operator(name="read_hf_dataset", params=[OperatorParam("path", "string"), OperatorParam("split", "string", None)])
def read_hf_dataset_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """A Hugging Face datasets folder written by save_to_disk (Dataset, or a DatasetDict's splits) as a table."""
    return OperatorResult(read_hf_dataset(Path(args["path"]).expanduser(), args["split"]))
