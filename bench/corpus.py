"""Real English texts from this machine for the benchmarks: docstrings, Debian's /usr/share/doc and Python's pydoc topics.

Deterministic on one machine (sources read in sorted order, exact duplicates dropped), nothing downloaded.

- `docstring_paragraphs(n)`: docstring paragraphs (>= 8 words) of the installed Python packages, ~160 characters.
- `doc_texts(n, "short")`: paragraphs of 200-280 characters (~240) from pydoc_data.topics and /usr/share/doc.
- `doc_texts(n, "long")`: consecutive paragraphs of one document joined until ~4,000 characters (3,800-4,200).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

_DOCSTRING = re.compile(r'"""(.*?)"""', re.S)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
DOC_FOLDER = Path("/usr/share/doc")
# Plain-text documents under DOC_FOLDER (changelogs, READMEs, NEWS, copyright files), gzipped or not.
_TEXT_SUFFIXES = {".txt", ".md", ".rst", ".gz", ""}
LENGTHS = {"short": (200, 280), "long": (3800, 4200)}


def docstring_paragraphs(count: int) -> list[str]:
    """The first `count` distinct docstring paragraphs (>= 8 words) of the installed packages' .py files."""
    site_packages = Path(np.__file__).resolve().parents[1]
    seen: set[str] = set()
    paragraphs: list[str] = []
    for path in sorted(site_packages.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for match in _DOCSTRING.finditer(source):
            for block in _PARAGRAPH_BREAK.split(match.group(1)):
                paragraph = " ".join(block.split())
                if len(paragraph.split()) >= 8 and paragraph not in seen:
                    seen.add(paragraph)
                    paragraphs.append(paragraph)
                    if len(paragraphs) == count:
                        return paragraphs
    raise SystemExit(f"only {len(paragraphs)} paragraphs found under {site_packages}, wanted {count}")


def _documents() -> Iterator[str]:
    """pydoc_data.topics' entries, then every readable plain-text file under /usr/share/doc, in sorted order."""
    from pydoc_data.topics import topics

    for key in sorted(topics):
        yield topics[key]
    for path in sorted(DOC_FOLDER.rglob("*")):
        if path.suffix not in _TEXT_SUFFIXES or not path.is_file() or path.is_symlink():
            continue
        try:
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            yield raw.decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
            continue


def _prose(paragraph: str) -> bool:
    """Mostly letters and spaces: prose, not a table, a hex dump or a licence's line of dashes."""
    letters = sum(c.isalpha() or c == " " for c in paragraph)
    return letters >= 0.8 * len(paragraph)


def doc_texts(count: int, length: str, allow_fewer: bool = False) -> list[str]:
    """`count` distinct texts of the given length class ("short" or "long", see LENGTHS), whitespace collapsed per line
    (all there are when `allow_fewer` and the machine has fewer: about 31,000 short ones here)."""
    low, high = LENGTHS[length]
    seen: set[str] = set()
    texts: list[str] = []
    for document in _documents():
        pending: list[str] = []
        for block in _PARAGRAPH_BREAK.split(document):
            paragraph = " ".join(block.split())
            if not paragraph or not _prose(paragraph):
                continue
            if length == "short":
                candidate = paragraph if low <= len(paragraph) <= high else None
            else:
                pending.append(paragraph)
                joined = "\n\n".join(pending)
                candidate = None
                if len(joined) >= low:
                    candidate = joined[: joined.rfind(" ", 0, high)] if len(joined) > high else joined
                    pending = []
            if candidate and candidate not in seen:
                seen.add(candidate)
                texts.append(candidate)
                if len(texts) == count:
                    return texts
    if allow_fewer:
        return texts
    raise SystemExit(f"only {len(texts)} {length} texts found in pydoc_data.topics and {DOC_FOLDER}, wanted {count}")
