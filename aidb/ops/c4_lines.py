"""Compiled C4 line filter (Raffel et al. 2020, as datatrove's C4QualityFilter applies it) for a batch of documents.

Lines (str.splitlines) are stripped; a line is dropped for a word over `max_word_length` characters, for not
ending in terminal punctuation (. ? ! " ', and not ...), for fewer than `min_words_per_line` words, or for
mentioning javascript or a cookie/terms-of-use policy; Wikipedia citation marks ([1], [edit],
[citation needed]) are removed first. A document is dropped for "lorem ipsum" or "{" on a kept line, or for
fewer than `min_num_sentences` sentences on its kept lines (sentences split as spaCy's sentencizer does).
In sentence mode (datatrove's `split_paragraph=False`) the same rules judge the document's sentences instead of
its lines, split by the same sentencizer over the whole text.
"""

from __future__ import annotations

import numba
import numpy as np

from aidb.ops.char_classes import PUNCT_CAT, SPACE, TERMINAL
from aidb.ops.quality_stats import is_line_break
from aidb.ops.word_tokens import tokenize_piece

KEEP, LOREM_IPSUM, CURLY_BRACKET, TOO_FEW_SENTENCES = 0, 1, 2, 3
_LOREM = np.array([ord(c) for c in "lorem ipsum"], dtype=np.uint32)
_JAVASCRIPT = np.array([ord(c) for c in "javascript"], dtype=np.uint32)
_EDIT = np.array([ord(c) for c in "[edit]"], dtype=np.uint32)
_CITATION = np.array([ord(c) for c in "[citation needed]"], dtype=np.uint32)
_POLICIES = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
_POLICY_CODES = np.array([ord(c) for c in "".join(_POLICIES)], dtype=np.uint32)
_POLICY_OFFSETS = np.cumsum([0] + [len(p) for p in _POLICIES]).astype(np.int64)


@numba.njit(cache=True)
def _lower_ascii(c: np.uint32) -> np.uint32:
    return c + 32 if 65 <= c <= 90 else (np.uint32(107) if c == 0x212A else c)


@numba.njit(cache=True)
def _contains(buf, n, needle, lower):
    m = len(needle)
    for i in range(n - m + 1):
        same = True
        for j in range(m):
            c = _lower_ascii(buf[i + j]) if lower else buf[i + j]
            if c != needle[j]:
                same = False
                break
        if same:
            return True
    return False


@numba.njit(cache=True)
def _starts_with(cps, i, e, needle):
    if e - i < len(needle):
        return False
    for j in range(len(needle)):
        if cps[i + j] != needle[j]:
            return False
    return True


@numba.njit(cache=True)
def _strip_citations(cps, cls, a, b, buf, remove):
    """Copy [a, b) into buf, without [digits], [edit] and [citation needed] when `remove`; returns the length."""
    n, i = 0, a
    while i < b:
        if remove and cps[i] == 91:
            j = i + 1
            while j < b and cls[cps[j]] & 16:  # DECIMAL
                j += 1
            if j < b and cps[j] == 93:
                i = j + 1
                continue
            if _starts_with(cps, i, b, _EDIT):
                i += len(_EDIT)
                continue
            if _starts_with(cps, i, b, _CITATION):
                i += len(_CITATION)
                continue
        buf[n] = cps[i]
        n += 1
        i += 1
    return n


@numba.njit(cache=True)
def _sentence_starts(cps, cls, s, e, bounds, starts, ends, suffix_s, suffix_e):
    """Where spaCy's sentencizer starts the sentences of cps[s:e] (written to bounds; returns how many): a new one
    starts at the first non-punctuation token, whitespace tokens included, after a sentence-final character token."""
    count, seen_period, i = 0, False, s
    while i < e:
        j = i
        while j < e and cls[cps[j]] & SPACE:
            j += 1
        if j - i > 1 or (j - i == 1 and cps[i] != 32):  # a whitespace token: not punctuation
            if seen_period:
                bounds[count] = i
                count += 1
                seen_period = False
        if j == e:
            break
        t_end = j
        while t_end < e and not cls[cps[t_end]] & SPACE:
            t_end += 1
        k = tokenize_piece(cps, cls, j, t_end, starts, ends, 0, suffix_s, suffix_e)
        for t in range(k):
            a, b = starts[t], ends[t]
            final = b - a == 1 and (cls[cps[a]] & TERMINAL) != 0
            punct = True
            for q in range(a, b):
                if not cls[cps[q]] & PUNCT_CAT:
                    punct = False
            if count == 0:
                bounds[0] = s
                count = 1
            if seen_period and not punct and not final:
                bounds[count] = a
                count += 1
                seen_period = False
            elif final:
                seen_period = True
        i = t_end
    return count


@numba.njit(cache=True)
def _keeps_line(buf, n, n_words, flags, min_words_per_line):
    """0 drop the line, 1 keep it, or -LOREM_IPSUM / -CURLY_BRACKET to drop the document."""
    _, filter_no_terminal_punct, filter_lorem_ipsum, filter_javascript, filter_curly_bracket, filter_policy = flags
    if filter_no_terminal_punct:
        last = buf[n - 1] if n else 0
        if not (last == 46 or last == 63 or last == 33 or last == 34 or last == 39):
            return 0
        if n >= 3 and buf[n - 1] == 46 and buf[n - 2] == 46 and buf[n - 3] == 46:
            return 0
    if n_words < min_words_per_line:
        return 0
    if filter_lorem_ipsum and _contains(buf, n, _LOREM, True):
        return -LOREM_IPSUM
    if filter_javascript and _contains(buf, n, _JAVASCRIPT, True):
        return 0
    if filter_curly_bracket:
        for q in range(n):
            if buf[q] == 123:
                return -CURLY_BRACKET
    if filter_policy:
        for p in range(len(_POLICY_OFFSETS) - 1):
            if _contains(buf, n, _POLICY_CODES[_POLICY_OFFSETS[p] : _POLICY_OFFSETS[p + 1]], True):
                return 0
    return 1


@numba.njit(cache=True)
def _segments(cps, cls, s, e, split_paragraph, bounds, starts, ends, suffix_s, suffix_e):
    """The units the line rules judge, as bounds[0..n] (returns n): the lines of cps[s:e] (str.splitlines,
    '\r\n' once) or, in sentence mode, its sentences (datatrove's split_into_sentences: one unit when none)."""
    if not split_paragraph:
        n = _sentence_starts(cps, cls, s, e, bounds, starts, ends, suffix_s, suffix_e)
        if n == 0:
            bounds[0], n = s, 1
        bounds[n] = e
        return n
    n, i = 0, s
    while i < e:
        bounds[n] = i
        n += 1
        while i < e and not is_line_break(cps[i]):
            i += 1
        i = i + 2 if i + 1 < e and cps[i] == 13 and cps[i + 1] == 10 else i + 1
    bounds[n] = e  # a line's own break characters are whitespace: stripped with it
    return n


@numba.njit(cache=True, nogil=True)
def c4_lines(offsets, cps, cls, flags, min_num_sentences, min_words_per_line, max_word_length, split_paragraph=True):
    """Per document [reason code, lines, kept lines, sentences], and the kept lines as (offsets, code points).

    With split_paragraph false the units are sentences: each kept one counts as one sentence, and they are
    joined by spaces (datatrove's C4QualityFilter(split_paragraph=False))."""
    n_docs = len(offsets) - 1
    out = np.zeros((n_docs, 4), dtype=np.int64)
    # a sentence may end without whitespace after it ("end.Next"): room for one joiner per code point
    kept = np.empty(len(cps) * (1 if split_paragraph else 2) + n_docs, dtype=np.uint32)
    kept_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    buf = np.empty(len(cps) + 1, dtype=np.uint32)
    starts = np.empty(len(cps) + 2, dtype=np.int64)
    ends, suffix_s, suffix_e = np.empty_like(starts), np.empty_like(starts), np.empty_like(starts)
    bounds, line_bounds = np.empty_like(starts), np.empty_like(starts)
    joiner = 10 if split_paragraph else 32
    k = 0
    for d in range(n_docs):
        s, e = offsets[d], offsets[d + 1]
        doc_start = k
        n_units = _segments(cps, cls, s, e, split_paragraph, bounds, starts, ends, suffix_s, suffix_e)
        for u in range(n_units):
            a, b = bounds[u], bounds[u + 1]
            out[d, 1] += 1
            while a < b and cls[cps[a]] & SPACE:
                a += 1
            while b > a and cls[cps[b - 1]] & SPACE:
                b -= 1
            n_words, word_len, too_long = 0, 0, False
            for q in range(a, b + 1):
                if q < b and not cls[cps[q]] & SPACE:
                    word_len += 1
                    continue
                if word_len:
                    n_words += 1
                    too_long = too_long or (max_word_length >= 0 and word_len > max_word_length)
                word_len = 0
            if too_long:
                continue
            n = _strip_citations(cps, cls, a, b, buf, flags[0])
            verdict = _keeps_line(buf, n, n_words, flags, min_words_per_line)
            if verdict < 0:
                out[d, 0] = -verdict
                break
            if verdict == 0:
                continue
            if min_num_sentences >= 0:
                out[d, 3] += _sentence_starts(buf, cls, 0, n, line_bounds, starts, ends, suffix_s, suffix_e) if split_paragraph else 1
            out[d, 2] += 1
            if k > doc_start:
                kept[k] = joiner
                k += 1
            kept[k : k + n] = buf[:n]
            k += n
        if out[d, 0] == KEEP and out[d, 3] < min_num_sentences:
            out[d, 0] = TOO_FEW_SENTENCES
        # the kept text is "\n".join(lines).strip() (" ".join(sentences).strip() in sentence mode)
        a = doc_start
        while a < k and cls[kept[a]] & SPACE:
            a += 1
        while k > a and cls[kept[k - 1]] & SPACE:
            k -= 1
        if a > doc_start:
            kept[doc_start : k - (a - doc_start)] = kept[a:k].copy()
            k -= a - doc_start
        kept_offsets[d + 1] = k
    return out, kept_offsets, kept[:k]
