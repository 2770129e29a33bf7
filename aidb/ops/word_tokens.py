"""Compiled English word tokenizer for the heuristic quality filters: code points in, token spans out.

It reproduces the rules of spaCy's blank English tokenizer, which datatrove's Gopher and FineWeb filters count
words with: text is split at whitespace; each piece loses its prefixes (brackets, quotes, `#`, `$`, ...) and
suffixes (punctuation, `'s`, a final `.` after a lower-case letter or digit, units after a number); what is
left is split at infixes (hyphens and `/` between letters, `-` between digits, `...`, symbols). Contractions
split as spaCy's exceptions do (`don't` -> `do` `n't`), single letters and a short list of abbreviations
keep their period (`Mr.`, `e.g.`, `U.S.`), and URLs stay whole. What it does not reproduce (spaCy's full
exception list, emoticons, its URL grammar) moves a word count by one here and there; docs/filters.md
gives the measured agreement.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from aidb.ops.char_classes import ALPHA, DECIMAL, ICON, LOWER, PREFIX, QUOTE, SPACE, SUFFIX, UPPER, CURRENCY
from aidb.ops.utf8_buffers import offsets_and_bytes

# Abbreviations that keep their period (besides single letters and dotted initials such as "e.g.").
_ABBREVIATIONS = (
    "Mr. Mrs. Ms. Dr. St. Jr. Sr. Prof. Gov. Gen. Rep. Sen. Corp. Inc. Ltd. Co. Bros. Mt. Rev. Capt. Lt. Col. Sgt. "
    "vs. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. Ph.D. Ala. Ariz. Ark. Calif. Colo. Conn. "
    "Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. Minn. Miss. Mo. Neb. Nev. Okla. Ore. Pa. Tenn. Va. "
    "Wash. Wis. Adm. Messrs. Mme. Mlle. Dec. N.C. S.C. N.Y. D.C."
).split()
# Contractions written without an apostrophe, split as spaCy splits them: "cannot" -> "can" "not" (word, split).
_BARE_CONTRACTIONS = (
    "cannot:3 id:1 wed:2 im:1 dont:2 cant:2 wont:2 doesnt:4 didnt:3 isnt:2 arent:3 wasnt:3 werent:4 hasnt:3 havent:4 "
    "hadnt:3 couldnt:5 wouldnt:5 shouldnt:6 mustnt:4 neednt:4 aint:2 youre:3 theyre:4 ive:1 youve:3 weve:2 theyve:4 "
    "youll:3 theyll:4 itll:2 hes:2 shes:3 whats:4 thats:4 theres:5 gonna:3 gotta:3 whod:3 whos:3 whove:3 hows:3 "
    "wheres:5 couldve:5 wouldve:5 shouldve:6 mightve:5 mustve:4 yall:1"
).split()
_BARE_WORDS = [w.split(":")[0] for w in _BARE_CONTRACTIONS] + [w.split(":")[0].capitalize() for w in _BARE_CONTRACTIONS]
BARE_SPLITS = np.array([int(w.split(":")[1]) for w in _BARE_CONTRACTIONS] * 2, dtype=np.int64)
# Pieces that stay one token although they hold punctuation: emoticons and a few fixed forms.
_WHOLE = (
    ":) :-) :)) (: (-: =) (= :] :-] [: [= =] :o) :} :-} 8) 8-) ;) ;-) (; :( :-( :(( ): )-: =( >:( :') :'-) :'( :/ :-/ =/ "
    ":| :-| ]= =[ :1 :P :-P :p :-p :O :-O :o :-o :0 :D :-D :3 :x :X :* :-* :> :-> <3 </3 ^_^ ^__^ -_- >.< o.O O.o "
    "o_O O_o o_o C++ and/or w/o '' ' xD E.g. I.e. XD xDD 's 'S ’s ’S e.g. i.e. a.m. p.m. A.M. P.M."
).split()
# Units split off a number (`10km` -> `10` `km`).
_UNITS = "km km² km³ m m² m³ dm dm² dm³ cm cm² cm³ mm mm² mm³ ha µm nm yd in ft kg g mg µg t lb oz m/s km/h kmh mph hPa Pa mbar mb MB kb KB gb GB tb TB T G M K % км км² км³ м м² м³ дм дм² дм³ см см² см³ мм мм² мм³ нм кг г мг м/с км/ч кПа Па мбар Кб КБ кб Мб МБ мб Гб ГБ гб Тб ТБ тб".split()


def _word_table(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words as (offsets, code points, sorted FNV-1a hashes, word index of each hash) for the kernels' lookups."""
    codes = [np.array([ord(c) for c in w], dtype=np.uint32) for w in words]
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in codes], out=offsets[1:])
    hashes = np.array([_fnv1a(c, 0, len(c)) for c in codes], dtype=np.uint64)
    order = np.argsort(hashes, kind="stable")
    return offsets, np.concatenate(codes), hashes[order], order.astype(np.int64)


@numba.njit(cache=True)
def _fnv1a(cps: np.ndarray, s: int, e: int) -> np.uint64:
    h = np.uint64(0xCBF29CE484222325)
    for j in range(s, e):
        h = (h ^ np.uint64(cps[j])) * np.uint64(0x100000001B3)
    return h


WHOLE_TABLE = _word_table(_ABBREVIATIONS + _WHOLE)
BARE_TABLE = _word_table(_BARE_WORDS)
UNIT_TABLE = _word_table(_UNITS)


def code_points(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, code points) of an Arrow string array; string i is cps[offsets[i]:offsets[i + 1]]; NULL is empty."""
    strings = strings.cast(pa.large_string())
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    offsets, data = offsets_and_bytes(strings)
    return _decode_utf8(offsets, data)


@numba.njit(cache=True, nogil=True)
def _decode_utf8(offsets: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cps = np.empty(len(data), dtype=np.uint32)
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    k = 0
    for d in range(len(offsets) - 1):
        i = offsets[d]
        while i < offsets[d + 1]:
            b = data[i]
            if b < 0x80:
                cps[k] = b
                i += 1
            elif b < 0xE0:
                cps[k] = ((b & 0x1F) << 6) | (data[i + 1] & 0x3F)
                i += 2
            elif b < 0xF0:
                cps[k] = ((b & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F)
                i += 3
            else:
                cps[k] = ((b & 0x07) << 18) | ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6) | (data[i + 3] & 0x3F)
                i += 4
            k += 1
        out_offsets[d + 1] = k
    return out_offsets, cps[:k]


@numba.njit(cache=True, inline="always")
def _is(cls: np.ndarray, c: np.uint32, bit: int) -> bool:
    return (cls[c] & bit) != 0


@numba.njit(cache=True)
def _matches_word(cps: np.ndarray, s: int, e: int, table) -> bool:
    return _word_index(cps, s, e, table) >= 0


@numba.njit(cache=True)
def _word_index(cps: np.ndarray, s: int, e: int, table) -> int:
    """Index of the word [s, e) in a `_word_table`, or -1."""
    offsets, codes, hashes, ids = table
    if e - s > 12:
        return -1
    h = _fnv1a(cps, s, e)
    pos = np.searchsorted(hashes, h)
    while pos < len(hashes) and hashes[pos] == h:
        w = ids[pos]
        if offsets[w + 1] - offsets[w] == e - s:
            same = True
            for j in range(e - s):
                if cps[s + j] != codes[offsets[w] + j]:
                    same = False
                    break
            if same:
                return w
        pos += 1
    return -1


@numba.njit(cache=True)
def _is_apostrophe(c: np.uint32) -> bool:
    return c == 39 or c == 0x2019


@numba.njit(cache=True)
def _contraction_split(cps: np.ndarray, cls: np.ndarray, s: int, e: int) -> int:
    """Where a contraction splits (`do|n't`, `I|'m`, `we|'ll`), or -1 when [s, e) is none."""
    n = e - s
    for j in range(s, e):
        if not (_is(cls, cps[j], ALPHA) or _is_apostrophe(cps[j])):
            return -1
    bare = _word_index(cps, s, e, BARE_TABLE)
    if bare >= 0:
        return s + BARE_SPLITS[bare]
    if n >= 4 and _is_apostrophe(cps[e - 2]) and (cps[e - 1] == 116 or cps[e - 1] == 84) and (cps[e - 3] == 110 or cps[e - 3] == 78):
        if _is(cls, cps[e - 4], ALPHA):
            return e - 3
    for length in (2, 3):
        if n > length and _is_apostrophe(cps[e - length]) and _is(cls, cps[e - length - 1], ALPHA):
            tail_ok = True
            for j in range(e - length + 1, e):
                if not _is(cls, cps[j], ALPHA):
                    tail_ok = False
            if not tail_ok:
                continue
            c1 = cps[e - length + 1] | 32
            if length == 2 and (c1 == 109 or c1 == 100):  # 'm 'd
                return e - 2
            if length == 3:
                c2 = cps[e - 1] | 32
                if (c1 == 108 and c2 == 108) or (c1 == 114 and c2 == 101) or (c1 == 118 and c2 == 101):  # 'll 're 've
                    return e - 3
    return -1


@numba.njit(cache=True)
def _is_special(cps: np.ndarray, cls: np.ndarray, s: int, e: int) -> bool:
    n = e - s
    if n <= 0:
        return False
    if _matches_word(cps, s, e, WHOLE_TABLE):
        return True
    if cps[e - 1] == 46:  # '.': a letter, dotted initials (e.g. U.S.) or a listed abbreviation
        c = cps[s]
        if n == 2 and ((65 <= c <= 90) or (97 <= c <= 122) or c == 0xE4 or c == 0xF6 or c == 0xFC):
            return True
        if n >= 4 and n % 2 == 0:
            initials = True
            for j in range(s, e, 2):
                if not (65 <= cps[j] <= 90 and cps[j + 1] == 46):
                    initials = False
                    break
            if initials:
                return True
        return False
    return _contraction_split(cps, cls, s, e) >= 0


@numba.njit(cache=True)
def _prefix_len(cps: np.ndarray, cls: np.ndarray, s: int, e: int) -> int:
    c = cps[s]
    if c == 46:  # '..' and longer runs of dots
        j = s
        while j < e and cps[j] == 46:
            j += 1
        return j - s if j - s >= 2 else 0
    if c == 43:  # '+' unless a number follows
        return 0 if s + 1 < e and _is(cls, cps[s + 1], DECIMAL) else 1
    return 1 if _is(cls, c, PREFIX) else 0


@numba.njit(cache=True)
def _punct_or_quote(cls: np.ndarray, c: np.uint32) -> bool:
    return (cls[c] & (PREFIX | SUFFIX | QUOTE)) != 0 and (cls[c] & ICON) == 0


@numba.njit(cache=True)
def _suffix_len(cps: np.ndarray, cls: np.ndarray, s: int, e: int) -> int:
    """Length of the longest suffix rule matching the end of [s, e) (0 when none)."""
    n = e - s
    if n == 0:
        return 0
    last = cps[e - 1]
    if last == 46:
        j = e
        while j > s and cps[j - 1] == 46:
            j -= 1
        if e - j >= 2:
            return e - j
    if n >= 2 and _is_apostrophe(cps[e - 2]) and (last == 115 or last == 83):
        return 2
    # a unit after a number: units hold no digits, so the only candidate is what follows the last digit
    d = e - 1
    while d >= s and not _is(cls, cps[d], DECIMAL):
        d -= 1
    if s <= d < e - 1 and _matches_word(cps, d + 1, e, UNIT_TABLE):
        return e - d - 1
    if n >= 2 and _is(cls, cps[e - 2], DECIMAL) and (last == 43 or _is(cls, last, CURRENCY)):
        return 1
    if last == 46 and n >= 2:
        prev = cps[e - 2]
        if _is(cls, prev, LOWER) or _is(cls, prev, DECIMAL) or prev == 37 or prev == 0xB2 or prev == 45 or prev == 43:
            return 1
        if _punct_or_quote(cls, prev) or prev == 124:  # spaCy's class also holds '|'
            return 1
        if n >= 3 and _is(cls, prev, UPPER) and _is(cls, cps[e - 3], UPPER):
            return 1
        return 0
    return 1 if _is(cls, last, SUFFIX) else 0


@numba.njit(cache=True)
def _host_char(c: np.uint32) -> bool:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or (0xA1 <= c <= 0xFFFF)


@numba.njit(cache=True)
def _host_then_rest(cps: np.ndarray, cls: np.ndarray, h: int, e: int) -> bool:
    """Whether [h, e) is `label.(label.)*tld[:port][/?#path]`, the host part of spaCy's URL pattern."""
    labels = 0
    i = h
    while True:
        j = i
        while j < e and (_host_char(cps[j]) or cps[j] == 95 or cps[j] == 45):
            j += 1
        if j == i:
            return False
        if j < e and cps[j] == 46:  # a label followed by '.'
            if not (_host_char(cps[i]) and _host_char(cps[j - 1])) or j - i > 63:
                return False
            labels += 1
            i = j + 1
            continue
        break
    if labels == 0:
        return False
    # [i, j) must be the TLD: two or more lower-case letters; the regex may also end it earlier
    t = i
    while t < j and _is(cls, cps[t], LOWER) and _is(cls, cps[t], ALPHA):
        t += 1
    if t - i < 2:
        return False
    if t == e:
        return True
    c = cps[t]
    if c == 47 or c == 63 or c == 35:  # '/', '?', '#': a path
        return True
    if c == 58:  # a port of 2-5 digits, then the end or a path
        p = t + 1
        while p < e and 48 <= cps[p] <= 57:
            p += 1
        if 2 <= p - t - 1 <= 5 and (p == e or cps[p] == 47 or cps[p] == 63 or cps[p] == 35):
            return True
    return False


@numba.njit(cache=True)
def _is_url(cps: np.ndarray, cls: np.ndarray, s: int, e: int) -> bool:
    """spaCy's URL pattern without its IP-address branch: [scheme://][user@]host.tld[:port][/path]."""
    h = s
    for j in range(s + 2, e - 2):
        if cps[j] == 58 and cps[j + 1] == 47 and cps[j + 2] == 47:
            scheme = True
            for q in range(s, j):
                c = cps[q]
                if not (_is(cls, c, ALPHA) or _is(cls, c, DECIMAL) or c == 95 or c == 43 or c == 45 or c == 46):
                    scheme = False
            if scheme:
                h = j + 3
            break
    for q in range(e - 1, h, -1):
        if cps[q] == 64 and _host_then_rest(cps, cls, q + 1, e):  # user@host
            return True
    return _host_then_rest(cps, cls, h, e)


@numba.njit(cache=True)
def _infix_end(cps: np.ndarray, cls: np.ndarray, s: int, i: int, e: int) -> int:
    """End of the infix starting at i in [s, e), or i when none starts there."""
    c = cps[i]
    if c == 46 and i + 1 < e and cps[i + 1] == 46:
        j = i
        while j < e and cps[j] == 46:
            j += 1
        return j
    if c == 0x2026 or _is(cls, c, ICON):
        return i + 1
    if i == s or i + 1 >= e:
        return i
    prev, nxt = cps[i - 1], cps[i + 1]
    if (c == 43 or c == 45 or c == 42 or c == 94) and _is(cls, prev, DECIMAL) and (_is(cls, nxt, DECIMAL) or nxt == 45):
        return i + 1
    if c == 46 and (_is(cls, prev, LOWER) or _is(cls, prev, QUOTE)) and (_is(cls, nxt, UPPER) or _is(cls, nxt, QUOTE)):
        return i + 1
    if c == 44 and _is(cls, prev, ALPHA) and _is(cls, nxt, ALPHA):
        return i + 1
    if c == 45 or c == 0x2013 or c == 0x2014 or c == 126:  # hyphens, dashes, '~'; '--' and '---' too
        j = i + 1
        if c == 45:
            while j < e and j < i + 3 and cps[j] == 45:
                j += 1
        if j < e and (_is(cls, prev, ALPHA) or _is(cls, prev, DECIMAL)) and _is(cls, cps[j], ALPHA):
            return j
        return i
    if (c == 58 or c == 60 or c == 62 or c == 61 or c == 47) and (_is(cls, prev, ALPHA) or _is(cls, prev, DECIMAL)) and _is(cls, nxt, ALPHA):
        return i + 1
    return i


@numba.njit(cache=True)
def _emit(starts: np.ndarray, ends: np.ndarray, k: int, s: int, e: int) -> int:
    starts[k] = s
    ends[k] = e
    return k + 1


@numba.njit(cache=True)
def tokenize_piece(cps, cls, s, e, starts, ends, k, suffix_s, suffix_e):
    """Append the tokens of the whitespace-free piece [s, e) at position k; returns the new k."""
    n_suffixes = 0
    while s < e:
        if _is_special(cps, cls, s, e):
            break
        size = e - s
        pre = _prefix_len(cps, cls, s, e)
        if pre and _is_special(cps, cls, s + pre, e):
            k = _emit(starts, ends, k, s, s + pre)
            s += pre
            break
        suf = _suffix_len(cps, cls, s + pre, e)
        if suf and _is_special(cps, cls, s, e - suf):
            suffix_s[n_suffixes], suffix_e[n_suffixes] = e - suf, e
            n_suffixes += 1
            e -= suf
            break
        if pre and suf and pre + suf <= size:
            k = _emit(starts, ends, k, s, s + pre)
            suffix_s[n_suffixes], suffix_e[n_suffixes] = e - suf, e
            n_suffixes += 1
            s, e = s + pre, e - suf
        elif pre:
            k = _emit(starts, ends, k, s, s + pre)
            s += pre
        elif suf:
            suffix_s[n_suffixes], suffix_e[n_suffixes] = e - suf, e
            n_suffixes += 1
            e -= suf
        if e - s == size:
            break
    if s < e:
        split = _contraction_split(cps, cls, s, e)
        if split >= 0:
            k = _emit(starts, ends, k, s, split)
            k = _emit(starts, ends, k, split, e)
        elif _is_special(cps, cls, s, e) or _is_url(cps, cls, s, e):
            k = _emit(starts, ends, k, s, e)
        else:
            start = s
            i = s
            while i < e:
                end = _infix_end(cps, cls, s, i, e)
                if end == i:
                    i += 1
                    continue
                if i != s:  # spaCy ignores an infix at the very start
                    if i != start:
                        k = _emit(starts, ends, k, start, i)
                    k = _emit(starts, ends, k, i, end)
                    start = end
                i = end
            if start < e:
                k = _emit(starts, ends, k, start, e)
    for j in range(n_suffixes - 1, -1, -1):
        k = _emit(starts, ends, k, suffix_s[j], suffix_e[j])
    return k


@numba.njit(cache=True)
def _merge_whole(cps, starts, ends, first, k):
    """Join adjacent tokens of one piece that together spell a fixed form (`):`, `''`), as spaCy's special matcher does."""
    out = first
    t = first
    while t < k:
        merged = False
        for span in (3, 2):
            last = t + span - 1
            if last < k and _matches_word(cps, starts[t], ends[last], WHOLE_TABLE):
                starts[out], ends[out] = starts[t], ends[last]
                out += 1
                t = last + 1
                merged = True
                break
        if not merged:
            starts[out], ends[out] = starts[t], ends[t]
            out += 1
            t += 1
    return out


@numba.njit(cache=True, nogil=True)
def tokenize_words(offsets: np.ndarray, cps: np.ndarray, cls: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(token offsets per document, token starts, token ends) as code point positions into cps."""
    starts = np.empty(len(cps) + 1, dtype=np.int64)
    ends = np.empty(len(cps) + 1, dtype=np.int64)
    suffix_s = np.empty(len(cps) + 1, dtype=np.int64)
    suffix_e = np.empty(len(cps) + 1, dtype=np.int64)
    doc_tokens = np.zeros(len(offsets), dtype=np.int64)
    k = 0
    for d in range(len(offsets) - 1):
        i = offsets[d]
        end = offsets[d + 1]
        while i < end:
            if _is(cls, cps[i], SPACE):
                i += 1
                continue
            j = i
            while j < end and not _is(cls, cps[j], SPACE):
                j += 1
            first = k
            k = tokenize_piece(cps, cls, i, j, starts, ends, k, suffix_s, suffix_e)
            if k - first > 1:
                k = _merge_whole(cps, starts, ends, first, k)
            i = j
        doc_tokens[d + 1] = k
    return doc_tokens, starts[:k], ends[:k]
