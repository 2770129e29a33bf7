"""The built-in default language model: a 5-gram Kneser-Ney model of CPython's documentation topics.

`pydoc_data.topics` (the text of `help('topics')`, shipped with every CPython, PSF licence) is about
114k tokens of technical English about Python. The model is trained on first use (~3 s) and cached in
`$AIDB_CACHE_DIR`, else `$XDG_CACHE_HOME/aidb`, else `~/.cache/aidb`. It suits ranking text by how much it
reads like software documentation; general web English scores high perplexity under it, so build a
reference model from your own data with CREATE LANGUAGE MODEL ... FROM (SELECT ...) for other domains.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from pathlib import Path

import pyarrow as pa

from aidb.models.cache_folder import cache_dir
from aidb.models.kenlm_training import DEFAULT_ORDER, train_arpa
from aidb.models.lm_tokens import tokenised_lines

BUILTIN_NAME = "pydoc_en"
BUILTIN_SOURCE = "builtin:pydoc_data.topics"
# Bump when the tokenisation or the training changes, so stale cached models are not reused.
RECIPE_VERSION = "1"

_build_lock = threading.Lock()


def _topics() -> list[str]:
    from pydoc_data.topics import topics

    return [topics[key] for key in sorted(topics)]


def builtin_fingerprint() -> str:
    """Changes with the Python version's topics text and with aidb's recipe; names the cached file."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"pydoc-{python}-o{DEFAULT_ORDER}-r{RECIPE_VERSION}"


def default_model_path() -> Path:
    """The cached ARPA file of the default model, trained now if missing (once per process, atomically on disk)."""
    with _build_lock:
        topics = _topics()
        digest = hashlib.sha256("\0".join(topics).encode()).hexdigest()[:12]
        path = cache_dir() / f"{builtin_fingerprint()}-{digest}.arpa"
        if not path.is_file():
            train_arpa(tokenised_lines(pa.array(topics)), DEFAULT_ORDER, path)
        return path
