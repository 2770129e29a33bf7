"""The labelled examples a `CREATE CLASSIFIER ... FROM (SELECT text, label ...)` query yields, checked and split.

Labels may be 0/1, booleans or two distinct strings. The positive class (whose probability
`classify` returns) is 1 / true, or the string label named in `WITH (positive = '...')`, or the
one string label spelled like a positive class ('positive', 'hq', 'high_quality', 'good', ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pyarrow as pa

from aidb.errors import DataError, ProgrammingError

# Spellings taken as "the positive class" when two string labels are given without WITH (positive = ...).
POSITIVE_LABEL_NAMES = frozenset({"1", "true", "yes", "positive", "pos", "hq", "high", "high_quality", "good", "keep"})

# Below this the held-out accuracy is noise; each class also needs 2 rows (one per split).
MIN_ROWS = 10
MIN_ROWS_PER_CLASS = 2


@dataclass(frozen=True)
class LabelledTexts:
    texts: list[str]
    labels: list[int]  # 1 = positive class
    positive_label: str  # how the user spelled the positive class, for the catalog


@dataclass(frozen=True)
class TrainTestSplit:
    train: LabelledTexts
    test: LabelledTexts


def read_labelled_texts(rows: pa.RecordBatchReader, positive: object | None) -> LabelledTexts:
    """Turn the training query's (text, label) rows into 0/1 labelled texts; NULL rows are skipped."""
    table = rows.read_all()
    columns = table.column_names
    rows = [tuple(row.values()) for row in table.to_pylist()]
    text_index, label_index = _text_and_label_columns(columns)
    pairs = [(row[text_index], row[label_index]) for row in rows if row[text_index] is not None and row[label_index] is not None]
    for text, _ in pairs:
        if not isinstance(text, str):
            raise DataError(f"CREATE CLASSIFIER: the text column must be VARCHAR, got {type(text).__name__} value {text!r}")
    positive_value = _positive_value({label for _, label in pairs}, positive)
    labelled = LabelledTexts(
        texts=[text for text, _ in pairs],
        labels=[int(label == positive_value) for _, label in pairs],
        positive_label=str(positive_value),
    )
    _check_enough(labelled, len(rows))
    return labelled


def _text_and_label_columns(columns: list[str]) -> tuple[int, int]:
    lowered = [name.lower() for name in columns]
    if "text" in lowered and "label" in lowered:
        return lowered.index("text"), lowered.index("label")
    if len(columns) == 2:
        return 0, 1
    raise ProgrammingError(
        f"CREATE CLASSIFIER: the query must yield columns text and label (or exactly two columns), got {', '.join(columns)}"
    )


def _positive_value(values: set[object], positive: object | None) -> object:
    if len(values) != 2:
        shown = ", ".join(sorted(repr(v) for v in values)) or "none"
        raise DataError(f"CREATE CLASSIFIER: the label column must hold exactly two distinct values, got {len(values)}: {shown}")
    if positive is not None:
        for value in values:
            if str(value).lower() == str(positive).lower():
                return value
        raise ProgrammingError(f"CREATE CLASSIFIER: positive = {positive!r} is not one of the labels {_listed(values)}")
    if all(isinstance(v, bool) for v in values):
        return True
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if set(values) == {0, 1}:
            return 1
        raise DataError(f"CREATE CLASSIFIER: numeric labels must be 0 and 1, got {_listed(values)}")
    named = [v for v in values if str(v).strip().lower() in POSITIVE_LABEL_NAMES]
    if len(named) == 1:
        return named[0]
    raise ProgrammingError(
        f"CREATE CLASSIFIER: cannot tell which of the labels {_listed(values)} is the positive class; "
        "add WITH (positive = '<label>')"
    )


def _listed(values: set[object]) -> str:
    return ", ".join(sorted(repr(v) for v in values))


def _check_enough(labelled: LabelledTexts, rows_read: int) -> None:
    usable = len(labelled.labels)
    if usable < MIN_ROWS:
        raise DataError(
            f"CREATE CLASSIFIER: {usable} usable rows (of {rows_read} read, rows with a NULL text or label are skipped); "
            f"at least {MIN_ROWS} are needed"
        )
    positives = sum(labelled.labels)
    for name, count in (("positive", positives), ("negative", usable - positives)):
        if count < MIN_ROWS_PER_CLASS:
            raise DataError(f"CREATE CLASSIFIER: only {count} {name} rows; each class needs at least {MIN_ROWS_PER_CLASS}")


def split_held_out(labelled: LabelledTexts, test_fraction: float, seed: int) -> TrainTestSplit:
    """A stratified split: `test_fraction` of each class (at least one row) held out to measure accuracy."""
    if not 0.0 < test_fraction < 1.0:
        raise ProgrammingError(f"CREATE CLASSIFIER: test_fraction must be between 0 and 1, got {test_fraction}")
    shuffle = random.Random(seed)
    train_rows: list[int] = []
    test_rows: list[int] = []
    for label in (0, 1):
        rows = [i for i, y in enumerate(labelled.labels) if y == label]
        shuffle.shuffle(rows)
        held = min(len(rows) - 1, max(1, round(len(rows) * test_fraction)))
        test_rows += rows[:held]
        train_rows += rows[held:]
    return TrainTestSplit(_subset(labelled, sorted(train_rows)), _subset(labelled, sorted(test_rows)))


def _subset(labelled: LabelledTexts, rows: list[int]) -> LabelledTexts:
    return LabelledTexts([labelled.texts[i] for i in rows], [labelled.labels[i] for i in rows], labelled.positive_label)
