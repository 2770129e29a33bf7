"""One table of character classes (a uint16 bit set per Unicode code point) for the compiled text kernels.

The classes follow Python's `str` predicates (`isspace`, `isalpha`, ...) so the kernels agree with Python
code doing the same test, plus the punctuation sets the Gopher/C4/FineWeb rules and the word tokenizer use.
The table is 2.2 MB and built once per process (about half a second).
"""

from __future__ import annotations

import threading
import unicodedata

import numpy as np

SPACE = 1 << 0  # str.isspace
ALPHA = 1 << 1  # str.isalpha (any script)
UPPER = 1 << 2  # str.isupper
LOWER = 1 << 3  # str.islower
DECIMAL = 1 << 4  # str.isdecimal (what `\d` matches)
SYMBOL_PUNCT = 1 << 5  # the punctuation set of the Gopher rules: a word made only of these is not a word
TERMINAL = 1 << 6  # Unicode Sentence_Terminal: ends a sentence (FineWeb stop chars, sentence splitting)
PREFIX = 1 << 7  # split off the front of a word by the tokenizer
SUFFIX = 1 << 8  # split off the end of a word by the tokenizer
ICON = 1 << 9  # Unicode So (other symbols) but the degree sign: always its own token
QUOTE = 1 << 10  # quotation marks and brackets the tokenizer treats as quotes
PUNCT_CAT = 1 << 11  # Unicode category P* (a punctuation token for sentence splitting)
CURRENCY = 1 << 12  # currency signs

# The characters datatrove's Gopher filter counts as symbols (`datatrove.utils.text.PUNCTUATION`), besides
# the Sentence_Terminal characters and the C0/C1 control characters but tab and newline.
_GOPHER_PUNCTUATION = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
)
_CONTROL = [chr(c) for lo, hi in ((0, 9), (11, 13), (13, 32), (127, 160)) for c in range(lo, hi)]
# Punctuation the English word tokenizer splits off words (the sets spaCy's English tokenizer uses).
_PUNCT = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"
_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉〈〉⟦⟧"
_CURRENCY = "$£€¥฿₽﷼₴" + "".join(chr(c) for c in range(0x20A0, 0x20C1))
_PREFIX_ONLY = "§%=—–+"
_SUFFIX_ONLY = "—–"

_table: np.ndarray | None = None
_lock = threading.Lock()


def char_classes() -> np.ndarray:
    """The uint16 class bits of every code point (index = code point), built on first use."""
    global _table
    with _lock:
        if _table is None:
            _table = _build()
    return _table


def _build() -> np.ndarray:
    import regex

    table = np.zeros(0x110000, dtype=np.uint16)
    terminal = regex.compile(r"\p{Sentence_Terminal}")
    for code in range(0x110000):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category[0] in "CLNPSZ" and category not in ("Co", "Cn", "Cs"):
            bits = (
                (SPACE if ch.isspace() else 0)
                | (ALPHA if category[0] == "L" else 0)
                | (UPPER if ch.isupper() else 0)
                | (LOWER if ch.islower() else 0)
                | (DECIMAL if category == "Nd" else 0)
            )
            if category[0] == "P":
                bits |= PUNCT_CAT | (TERMINAL | SYMBOL_PUNCT if terminal.match(ch) else 0)
            elif category == "So" and ch != "°":
                bits |= ICON | PREFIX | SUFFIX
            table[code] = bits
    for ch in "".join(_CONTROL) + _GOPHER_PUNCTUATION:
        table[ord(ch)] |= SYMBOL_PUNCT
    for ch in _PUNCT + _QUOTES + _CURRENCY + _PREFIX_ONLY:
        table[ord(ch)] |= PREFIX
    for ch in _PUNCT + _QUOTES + _SUFFIX_ONLY:
        table[ord(ch)] |= SUFFIX
    for ch in _QUOTES:
        table[ord(ch)] |= QUOTE
    for ch in _CURRENCY:
        table[ord(ch)] |= CURRENCY
    return table
