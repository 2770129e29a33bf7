"""Paragraphs of known language from this machine: the man pages under /usr/share/man/ and their translations.

Troff markup is stripped (request lines, font escapes); paragraphs of at least `min_chars` characters that are
mostly letters are kept, so each sample is prose of the page's language (commands and options removed).
Translations leave some paragraphs in English: for other languages, paragraphs where English function words
("the", "is", "of", ...) make up over 5% of the words are skipped.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

_ENGLISH = frozenset("the is of and to in that it for with this be are by if".split())
_ESCAPES = re.compile(r"\\f[BIRP]|\\f\(..|\\[&|^]|\\\(..|\\\*\(..|\\\*.|\\s[-+]?\d")


def _paragraphs(source: str) -> list[str]:
    paragraphs, current = [], []
    for line in source.splitlines():
        if line.startswith((".", "'")):
            if line[:3] in (".PP", ".SH", ".SS", ".TP", ".IP", ".LP", ".P", ".br") or line.startswith(".SH"):
                paragraphs.append(" ".join(current))
                current = []
            continue
        text = _ESCAPES.sub("", line).replace("\\-", "-").replace("\\e", "\\").strip()
        if text:
            current.append(text)
    paragraphs.append(" ".join(current))
    return paragraphs


def man_page_paragraphs(lang: str, limit: int, min_chars: int = 120) -> list[str]:
    """Up to `limit` prose paragraphs of /usr/share/man/<lang>/ (English: /usr/share/man/man*), in file-name order."""
    found: list[str] = []
    folder = Path("/usr/share/man") if lang == "en" else Path("/usr/share/man", lang)
    for path in sorted(folder.glob("man*/*.gz")):
        try:
            source = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError):
            continue
        for paragraph in _paragraphs(source):
            letters = sum(c.isalpha() or c.isspace() for c in paragraph)
            words = paragraph.lower().split()
            english = sum(w in _ENGLISH for w in words) > 0.05 * len(words) if lang != "en" else False
            if len(paragraph) >= min_chars and letters >= 0.85 * len(paragraph) and not english and paragraph not in found:
                found.append(paragraph)
                if len(found) == limit:
                    return found
    return found
