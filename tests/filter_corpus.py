"""Documents for the heuristic-filter parity tests and benchmark: real text from this machine plus planted junk.

Real text: Debian package docs (/usr/share/doc, plain and gzipped), vim's help files and CPython's
`pydoc_data.topics`, cut into multi-line documents of varied length. Junk: every kind the Gopher, C4 and
FineWeb rules look for (bullets, ellipses, hashes, repeated lines/paragraphs/n-grams, short lines, code,
lorem ipsum, policy lines, non-Latin scripts, symbol spam), so each rule fires on some documents.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

_DOC_NAMES = ("README", "NEWS", "changelog", "copyright", "FAQ", "TODO", "AUTHORS", "THANKS", "BUGS")


def _machine_texts() -> list[str]:
    texts: list[str] = []
    roots = sorted(Path("/usr/share/doc").glob("*/*"))
    for path in roots:
        name = path.name
        if not path.is_file() or not (name.startswith(_DOC_NAMES) or name.endswith((".txt", ".md", ".txt.gz", ".md.gz"))):
            continue
        try:
            raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
            texts.append(raw[:200_000].decode("utf-8"))
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
    for path in sorted(Path("/usr/share/vim").glob("vim*/doc/*.txt")):
        texts.append(path.read_text(encoding="utf-8", errors="replace")[:200_000])
    try:
        from pydoc_data.topics import topics

        texts.extend(topics[key] for key in sorted(topics))
    except ImportError:
        pass
    return texts


def _cut(text: str, rng: random.Random) -> list[str]:
    """Cut one file into documents of 3-120 lines, the way a crawl gives pages of varied size."""
    lines = text.split("\n")
    docs, start = [], 0
    while start < len(lines):
        size = rng.choice((3, 8, 15, 30, 60, 120))
        docs.append("\n".join(lines[start : start + size]))
        start += size
    return docs


_WORDS = "the of and to in is that for it with as was on be by this are from at or have an they which one you".split()
_LONG = "information development international government university management environment technology".split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS + _LONG) for _ in range(n)]
    return (" ".join(words)).capitalize() + rng.choice((".", ".", ".", "?", "!", ""))


def _junk(rng: random.Random) -> str:
    kind = rng.randrange(16)
    paragraph = " ".join(_sentence(rng, rng.randint(5, 15)) for _ in range(rng.randint(3, 8)))
    if kind == 0:  # bullet list
        return "\n".join(rng.choice(("• ", "- ", "* ", "‣ ")) + _sentence(rng, rng.randint(2, 8)) for _ in range(rng.randint(3, 30)))
    if kind == 1:  # ellipsis lines
        return "\n".join(_sentence(rng, rng.randint(4, 12)).rstrip(".?!") + rng.choice(("...", "…", ".")) for _ in range(rng.randint(3, 20)))
    if kind == 2:  # hashtags
        return paragraph + "\n" + " ".join("#" + rng.choice(_WORDS + _LONG) for _ in range(rng.randint(1, 30)))
    if kind == 3:  # duplicated lines
        line = _sentence(rng, rng.randint(4, 12))
        return "\n".join(line if rng.random() < rng.random() else _sentence(rng, 8) for _ in range(rng.randint(4, 30)))
    if kind == 4:  # duplicated paragraphs
        return "\n\n".join(paragraph if rng.random() < 0.4 else _sentence(rng, 30) for _ in range(rng.randint(2, 8)))
    if kind == 5:  # repeated n-grams
        phrase = " ".join(rng.choice(_WORDS + _LONG) for _ in range(rng.randint(2, 10)))
        return paragraph + " " + " ".join(phrase for _ in range(rng.randint(1, 12))) + "."
    if kind == 6:  # short lines (menus, navigation)
        return "\n".join(rng.choice(_LONG).capitalize() for _ in range(rng.randint(3, 40))) + "\n" + paragraph
    if kind == 7:  # code
        return "\n".join(f"def f{i}(x):\n    return {{'k': x + {i}}}  # comment" for i in range(rng.randint(1, 15)))
    if kind == 8:  # lorem ipsum, javascript, policy lines, citations
        extra = rng.choice(("Lorem ipsum dolor sit amet, consectetur.", "Please enable JavaScript to view this page.",
                            "By using this site you agree to our Terms of Use.", "This website uses cookies to improve it.",
                            "It was reported [1] and confirmed [citation needed].", "See also [edit] the page."))
        lines = [_sentence(rng, rng.randint(3, 14)) for _ in range(rng.randint(2, 9))]
        lines.insert(rng.randint(0, len(lines)), extra)
        return "\n".join(lines)
    if kind == 9:  # non-Latin scripts
        cyr = "привет мир это тест данных для фильтра качества текста и языка".split()
        return "\n".join(" ".join(rng.choice(cyr) for _ in range(rng.randint(3, 20))) + "." for _ in range(rng.randint(1, 10)))
    if kind == 10:  # symbol spam and numbers
        return " ".join(rng.choice(("$$$", "!!!", "123", "4.5", "->", "|", "***", "...", "%", "2024-01-01", "::")) for _ in range(rng.randint(10, 200)))
    if kind == 11:  # very long and very short words
        return " ".join(rng.choice(("a", "I", "x", "supercalifragilisticexpialidocious", "antidisestablishmentarianism")) for _ in range(rng.randint(20, 120)))
    if kind == 12:  # tiny documents
        return _sentence(rng, rng.randint(0, 12))
    if kind == 13:  # punctuation-heavy prose with contractions, abbreviations, URLs
        bits = ["Don't", "it's", "U.S.", "e.g.", "Mr. Smith", "(see http://example.com/a?b=c)", "well-known", "3-4", "10km",
                "\"quoted\"", "end.Next", "$5.00", "we'll", "they're", "I'm", "a/b", "x:y", "C++", "e-mail", "info@example.org"]
        return " ".join(rng.choice(bits + _WORDS) for _ in range(rng.randint(30, 150))) + "."
    if kind == 14:  # many newlines (lists without bullets)
        return "\n".join(" ".join(rng.choice(_WORDS + _LONG) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(5, 50)))
    return paragraph + "\n" + "\n".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(0, 10)))


def filter_corpus(n: int = 3000, seed: int = 13, junk_share: float = 0.3) -> list[str]:
    """`n` documents: about `junk_share` planted junk, the rest real text from this machine, in a fixed shuffled order."""
    rng = random.Random(seed)
    real: list[str] = []
    for text in _machine_texts():
        real.extend(doc for doc in _cut(text, rng) if doc.strip())
    rng.shuffle(real)
    n_junk = int(n * junk_share) if real else n
    docs = real[: n - n_junk] + [_junk(rng) for _ in range(n_junk)]
    while len(docs) < n:  # a machine with little text: top up with junk
        docs.append(_junk(rng))
    rng.shuffle(docs)
    return docs
