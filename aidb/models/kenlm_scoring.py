"""Per-document perplexity under a KenLM n-gram model, computed over a whole Arrow chunk as CCNet does.

CCNet (Wenzek et al. 2020, `cc_net/perplexity.py`, `DocLM`) scores every line with `model.score(line)`
(log10 probability including the end-of-sentence token), counts `len(line.split()) + 1` tokens per line,
sums both over the document and reports ``pp = 10 ** (-sum_logprob / sum_tokens)``. aidb does the same over
the lines of `aidb.models.lm_tokens` (normalised, unless the model was created WITH (normalise = false)
for text tokenised elsewhere); a document with no non-blank line is scored as one empty line
(the perplexity of ``</s>`` alone, as CCNet gives for ``""``); NULL gives NULL. KenLM has no length
limit, so long documents are scored whole, line by line.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pyarrow as pa

from aidb.errors import OperationalError
from aidb.models.lm_tokens import tokenise_documents


def open_kenlm(path: Path):
    """The KenLM model in an ARPA or binary file; OperationalError naming the path when it is missing or corrupt."""
    import kenlm

    if not path.is_file():
        raise OperationalError(f"language model file not found: {path}")
    config = kenlm.Config()
    config.show_progress = False
    config.arpa_complain = kenlm.ARPALoadComplain.NONE
    try:
        return kenlm.Model(str(path), config)
    except (OSError, RuntimeError, ValueError):
        # KenLM's message quotes the file's first line: never echo a file's contents (it may be any readable file)
        raise OperationalError(f"cannot load language model {path}: not a valid KenLM ARPA or binary file") from None


class KenLMLanguageModel:
    """A loaded KenLM model that scores documents with CCNet's perplexity formula."""

    def __init__(self, model, path: Path, normalise: bool = True) -> None:
        self.model = model
        self.path = path
        self.normalise = normalise
        self.order = int(model.order)
        self._scoring = threading.Lock()

    def perplexity(self, texts: pa.Array) -> pa.Array:
        chunk = tokenise_documents(texts, self.normalise, utf8=True)
        score = self.model.score
        # KenLM holds the GIL: DuckDB threads scoring at once only trade it back and forth. One scores at a
        # time (the others wait on this lock, not the GIL) while the Arrow/numpy tokenising still overlaps.
        with self._scoring:
            logprob = np.fromiter(map(score, chunk.lines), dtype=np.float64, count=len(chunk.lines))
        size = len(chunk.valid)
        # bincount of no lines returns int64, so cast: blank documents get fractional log probabilities below
        total_logprob = np.bincount(chunk.document, weights=logprob, minlength=size).astype(np.float64)
        total_tokens = np.bincount(chunk.document, weights=chunk.tokens + 1, minlength=size).astype(np.float64)
        blank = chunk.valid & (total_tokens == 0)
        if blank.any():
            total_logprob[blank] = score(b"")
            total_tokens[blank] = 1
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.power(10.0, -total_logprob / total_tokens)
        return pa.array(result, type=pa.float64(), mask=~chunk.valid)
