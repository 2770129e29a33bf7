"""What a reading table function left out under on_error := 'skip': never silently — a warning names each place,
and with `skipped := 'table'` the statement writes them to that table (file, place, error), empty when none."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import pyarrow as pa

from aidb.errors import ProgrammingError

ON_ERROR = ("fail", "skip")
_NAMED = 5  # places named in the warning; the count covers the rest


class SkippedInputsWarning(UserWarning):
    """A table function with on_error := 'skip' left out inputs it could not read; the message counts and names them."""


@dataclass(frozen=True)
class SkippedInput:
    file: str
    place: str  # 'byte offset 1148', 'the whole file', ...
    error: str


def check_on_error(operator_name: str, value: str) -> None:
    if value not in ON_ERROR:
        raise ProgrammingError(f"{operator_name}(): on_error must be one of {', '.join(map(repr, ON_ERROR))}, got {value!r}")


def warn_skipped(operator_name: str, what: str, skipped: list[SkippedInput]) -> None:
    """Issue one SkippedInputsWarning for `skipped` (nothing when it is empty)."""
    if not skipped:
        return
    places = "; ".join(f"{s.file} at {s.place}: {s.error}" for s in skipped[:_NAMED])
    more = f" (and {len(skipped) - _NAMED} more)" if len(skipped) > _NAMED else ""
    warnings.warn(SkippedInputsWarning(f"{operator_name}(): skipped {len(skipped)} unreadable {what}: {places}{more}"), stacklevel=3)


SKIPPED_SCHEMA = pa.schema([("file", pa.string()), ("place", pa.string()), ("error", pa.string())])


def skipped_reports(table_name: str | None, skipped: list[SkippedInput]) -> dict[str, pa.Table]:
    """The report table a `skipped := 'name'` argument asks for (none without one)."""
    if table_name is None:
        return {}
    if not isinstance(table_name, str) or not table_name.strip():
        raise ProgrammingError("argument skipped must name the table to write the skipped inputs to, e.g. skipped := 'warc_skipped'")
    return {table_name: pa.Table.from_pylist([asdict(s) for s in skipped], SKIPPED_SCHEMA)}
