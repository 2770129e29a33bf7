"""Train a Kneser-Ney n-gram model in ARPA format from tokenised lines, with kaldingram, written atomically.

kaldingram reproduces SRILM's back-off Kneser-Ney (`ngram-count -ukndiscount`) with two gaps that aidb fills:
- The discount D = n1 / (n1 + 2 n2) (Ney et al. 1994) is 1 when no n-gram of an order occurs twice (small
  tables), which gives every seen n-gram of that order probability 0; aidb caps D at `MAX_DISCOUNT`.
- It emits no ``<unk>``, for which KenLM substitutes log10 p = -100 (one unseen word would dominate a
  document). As KenLM's lmplz does (Heafield et al. 2013), ``<unk>`` gets one uniform share of the unigram
  mass left for unseen words: p(<unk>) = (n1 / N) / V, with the Good-Turing (Good 1953) unseen mass n1 / N
  (singleton types over tokens, at least 0.5 / N) and V word types.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from aidb.errors import DataError, ProgrammingError
from aidb.storage.model_files import fingerprint_files

MIN_ORDER, MAX_ORDER = 2, 5  # kaldingram supports orders up to 5
DEFAULT_ORDER = 5  # CCNet's reference models are 5-grams
UNK = "<unk>"
MAX_DISCOUNT = 0.9


def check_order(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_ORDER <= value <= MAX_ORDER:
        raise ProgrammingError(f"language model order must be an integer from {MIN_ORDER} to {MAX_ORDER}, got {value!r}")
    return value


def train_arpa(lines: Iterable[str], order: int, destination: Path) -> None:
    """Count `lines` (tokens separated by single spaces), estimate the model and write it to `destination` atomically."""
    with _quiet_progress_bars():
        from kaldingram.train import NgramCounts

        counts = NgramCounts(order)
        seen = 0
        for line in lines:
            counts.add_raw_counts_from_line(line)
            seen += 1
        if seen == 0:
            raise DataError("cannot train a language model from no text: the query returned no non-blank lines")
        counts.cal_discounting_constants()
        counts.d = [min(d, MAX_DISCOUNT) for d in counts.d]
        counts.cal_f()
        counts.cal_bow()
        _add_unknown_word(counts)
        write_atomically(destination, counts.print_as_arpa)


def _add_unknown_word(counts) -> None:
    unigrams = counts.counts[0][()]
    if UNK in unigrams.word_to_count:
        return
    token_counts = [c for w, c in unigrams.word_to_count.items() if w != counts.bos_symbol]
    total = sum(token_counts)
    singletons = sum(1 for c in token_counts if c == 1)
    unigrams.word_to_count[UNK] = 0
    unigrams.word_to_f[UNK] = max(singletons, 0.5) / max(total, 1) / max(len(token_counts), 1)
    unigrams.word_to_bow[UNK] = None


def write_atomically(destination: Path, write) -> None:
    """Call `write(text_file)` on a temporary file beside `destination`, then rename it into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            write(file)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the model from other readers of the database
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def file_fingerprint(path: Path) -> str:
    """sha256 of the file's content, as stored in the catalog for the models trained here."""
    return fingerprint_files([path], include_names=False)


@contextlib.contextmanager
def _quiet_progress_bars():
    # kaldingram draws tqdm bars on stderr; tqdm reads TQDM_DISABLE when a bar is created.
    previous = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = previous


def log10_unknown_probability(path: Path) -> float | None:
    """The log10 probability of `<unk>` in an ARPA file, None when it has none (for docs and tests)."""
    with path.open(encoding="utf-8") as file:
        for line in file:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 2 and fields[1] == UNK:
                return float(fields[0])
            if line.startswith("\\2-grams:"):
                return None
    return None

