"""Paragraphs of real English text from files on this machine, in two recognisably different styles.

Debian package changelogs (/usr/share/doc/*/changelog*.gz) and CPython's documentation topics
(`pydoc_data.topics`, shipped with Python); used by the selection tests as two real sources.
"""

from __future__ import annotations

import glob
import gzip
import re
from functools import lru_cache


def _paragraphs(text: str, min_words: int) -> list[str]:
    pieces = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return [p for p in pieces if len(p.split()) >= min_words]


@lru_cache(maxsize=None)
def changelog_paragraphs(limit: int = 3000, min_words: int = 12) -> tuple[str, ...]:
    """Change entries of Debian changelogs, in sorted file order (the trailer lines dropped)."""
    found: list[str] = []
    for path in sorted(glob.glob("/usr/share/doc/*/changelog*.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            text = handle.read(200_000)
        for paragraph in _paragraphs(text, min_words):
            if not paragraph.startswith("--") and paragraph not in found:
                found.append(paragraph)
        if len(found) >= limit:
            break
    return tuple(found[:limit])


@lru_cache(maxsize=None)
def python_doc_paragraphs(limit: int = 3000, min_words: int = 12) -> tuple[str, ...]:
    """Paragraphs of the Python language reference topics, in sorted topic order."""
    from pydoc_data.topics import topics

    found: list[str] = []
    for name in sorted(topics):
        for paragraph in _paragraphs(topics[name], min_words):
            if paragraph not in found:
                found.append(paragraph)
    return tuple(found[:limit])


def word_chunks(paragraphs: tuple[str, ...], words: int = 64) -> list[str]:
    """The paragraphs' words cut into consecutive pieces of `words` words (DSIR's paper selects 128-word chunks)."""
    all_words = " ".join(paragraphs).split()
    return [" ".join(all_words[i : i + words]) for i in range(0, len(all_words) - words + 1, words)]
