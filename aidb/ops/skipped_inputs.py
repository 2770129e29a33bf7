"""What a reading table function left out under on_error := 'skip': never silently — a warning names each place."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

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
