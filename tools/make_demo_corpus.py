"""Deterministic generator for the bundled demo corpus (``aidb/demo/data/corpus.jsonl``); not part of the package.

The corpus is small (400 documents) and entirely written by this project: the
documents are composed from the hand-written templates and slot vocabularies in
``demo_corpus_material`` (beside this script).  Nothing is downloaded or copied from third-party text.

It exists so that ``aidb demo`` and the test suite have realistic-looking data
with a *known ground truth*.  Every document carries a ``planted`` label:

* ``clean`` (280): readable multi-sentence prose on nine topics (data
  engineering, databases, cooking, gardening, travel, history of computing,
  astronomy, music, sports) in the web/books/wiki/forum domains, short
  explanations with SQL/Python snippets in the ``code`` domain, and 20 simple
  German/French documents.  Documents on one topic share vocabulary (useful for
  embedding and perplexity demos) but are composed so that distinct clean
  documents share almost no word 5-grams.
* ``exact_dup`` (25): copies of clean documents, some byte-identical and some
  differing only in case, whitespace or punctuation, so that a normalised
  exact-dedup finds more than a raw hash does.
* ``near_dup`` (25): copies with small edits (sentences replaced, inserted or
  removed, words swapped) whose word-5-gram Jaccard with the source lies in
  [0.6, 0.93], the range a MinHash near-dedup should catch.
* ``junk_*`` (10 each of seven kinds): boilerplate (cookie banners, menus,
  "all rights reserved"), bullet-only pages, lines ending in an ellipsis,
  symbol/hashtag spam, very short texts, one line repeated many times, and
  random-letter gibberish -- what heuristic quality filters should remove.

Duplicates carry ``source_id`` (the id of the clean original; ``null``
elsewhere) and always come after their source in id order, so "keep the first"
dedup keeps the original.  Everything is driven by ``random.Random(20261124)``,
so the output is byte-identical across runs.  Regenerate with
``python tools/make_demo_corpus.py`` (tests/demo/test_corpus.py checks the bundled file is what it writes).
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import demo_corpus_material as M  # beside this script: tools/ is sys.path[0] when it runs

SEED = 20261124
DATA_PATH = Path(__file__).resolve().parents[1] / "aidb" / "demo" / "data" / "corpus.jsonl"
PLANTED_KINDS = (
    "clean", "exact_dup", "near_dup", "junk_boilerplate", "junk_bullets", "junk_ellipsis",
    "junk_symbols", "junk_short", "junk_repeated_lines", "junk_gibberish",
)
JUNK_KINDS = PLANTED_KINDS[3:]
N_PROSE, N_CODE, N_DE, N_FR = 232, 28, 10, 10
N_EXACT, N_NEAR, N_JUNK_EACH = 25, 25, 10
NEAR_RANGE = (0.6, 0.93)

TOPICS = list(M.TOPIC_SENTENCES)
DOMAIN_WEIGHTS = {  # per topic: web, wiki, books, forum
    "data-engineering": (4, 2, 1, 3), "databases": (3, 3, 1, 3), "cooking": (4, 1, 2, 3),
    "gardening": (4, 1, 2, 3), "travel": (4, 1, 3, 2), "computing-history": (2, 4, 3, 1),
    "astronomy": (2, 4, 2, 2), "music": (3, 2, 3, 2), "sports": (3, 2, 2, 3),
}
FRAME_PROB = {"forum": (0.9, 0.7), "web": (0.7, 0.5), "books": (0.6, 0.4), "wiki": (0.5, 0.3)}
HOSTS = {
    "web": ["blog.example.com", "www.example.com", "notes.example.org", "journal.example.org"],
    "wiki": ["wiki.example.org", "encyclopedia.example.com"],
    "books": ["books.example.org", "library.example.com"],
    "forum": ["forum.example.com", "community.example.org"],
    "code": ["dev.example.com", "snippets.example.org"],
}
STOPWORDS = set("a an the and or of to in on for at by with is are was were be it its that this as from "
                "so but if than then into your you we our they their there what which who".split())
SLOT_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
ALT_RE = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")


# --------------------------------------------------------------------------- text helpers

def normalize_text(text: str) -> str:
    """Lower-case, drop punctuation, collapse whitespace (the 'normalised exact' key)."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def word_shingles(text: str, n: int = 5, normalise: bool = True) -> set[tuple[str, ...]]:
    words = normalize_text(text).split() if normalise else text.split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int = 5, normalise: bool = True) -> float:
    x, y = word_shingles(a, n, normalise), word_shingles(b, n, normalise)
    return len(x & y) / len(x | y) if x or y else 1.0


def fill(rng: random.Random, template: str, bound: dict | None = None, extra: dict | None = None,
         capitalize: bool = True) -> str:
    """Fill ``{slot}`` placeholders.  ``bound`` pins a value per slot for a whole document."""
    used: dict[str, list[str]] = {}

    def repl(m: re.Match) -> str:
        name = m.group(1)
        if extra and name in extra:
            return extra[name]
        if bound is not None and name in bound:
            return bound[name]
        taken = used.setdefault(name, [])
        options = [v for v in M.VOCAB[name] if v not in taken] or M.VOCAB[name]
        value = rng.choice(options)
        taken.append(value)
        if bound is not None:
            bound[name] = value
        return value

    out = ALT_RE.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    out = SLOT_RE.sub(repl, out)
    return out[:1].upper() + out[1:] if capitalize else out


def pick(rng: random.Random, usage: dict, pool: list, k: int, exclude=()) -> list:
    """Pick ``k`` items, preferring the least used so far (keeps documents mutually distinct)."""
    cands = [t for t in pool if t not in exclude]
    ranked = sorted(cands, key=lambda t: (usage.get(t, 0), rng.random()))[:k]
    for t in ranked:
        usage[t] = usage.get(t, 0) + 1
    return ranked


def pick_spread(rng: random.Random, usage: dict, history: list[set], pool: list, k: int) -> list:
    """Pick ``k`` templates so the set shares as few templates as possible with earlier documents."""
    chosen: list = []
    overlaps = [0] * len(history)  # templates shared so far with each earlier document
    for _ in range(k):
        def cost(t):
            worst = max((o + (t in h) for o, h in zip(overlaps, history)), default=0)
            return (worst, usage.get(t, 0), rng.random())
        best = min((t for t in pool if t not in chosen), key=cost)
        chosen.append(best)
        usage[best] = usage.get(best, 0) + 1
        overlaps = [o + (best in h) for o, h in zip(overlaps, history)]
    history.append(set(chosen))
    return chosen


def render(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras)


def split_paragraphs(rng: random.Random, sents: list[str]) -> list[list[str]]:
    if len(sents) < 5 or rng.random() < 0.45:
        return [sents]
    n_par = 2 if len(sents) < 8 else rng.choice([2, 3])
    cuts = sorted(rng.sample(range(2, len(sents) - 1), n_par - 1))
    bounds = [0, *cuts, len(sents)]
    return [sents[bounds[i]:bounds[i + 1]] for i in range(n_par) if bounds[i] < bounds[i + 1]]


def slugify(text: str, k: int = 5) -> str:
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOPWORDS and len(w) > 2]
    return "-".join(words[:k]) or "page"


def n_words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- clean documents

def make_prose(rng: random.Random, usage: dict, history: list[set], topic: str) -> dict:
    domain = rng.choices(["web", "wiki", "books", "forum"], weights=DOMAIN_WEIGHTS[topic])[0]
    extra = {"topic_phrase": rng.choice(M.TOPIC_PHRASES[topic]), "topic_title": M.TOPIC_TITLES[topic]}
    pool = M.TOPIC_SENTENCES[topic]
    chosen = pick_spread(rng, usage, history, pool, rng.randint(4, 8))
    body = [fill(rng, t) for t in chosen]
    p_open, p_close = FRAME_PROB[domain]
    opener = [fill(rng, pick(rng, usage, M.OPENERS[domain], 1)[0], extra=extra)] if rng.random() < p_open else []
    closer = [fill(rng, pick(rng, usage, M.CLOSERS[domain], 1)[0], extra=extra)] if rng.random() < p_close else []
    while n_words(" ".join(opener + body + closer)) < 60 and len(opener + body + closer) < 12:
        t = pick(rng, usage, pool, 1, exclude=chosen)[0]
        chosen.append(t)
        body.append(fill(rng, t))
    paras = split_paragraphs(rng, opener + body + closer)
    slug = slugify(body[0])
    host = rng.choice(HOSTS[domain])
    num = rng.randint(100, 99999)
    path = {
        "web": f"/{topic}/{rng.randint(2016, 2025)}/{rng.randint(1, 12):02d}/{slug}",
        "wiki": f"/wiki/{M.TOPIC_TITLES[topic].replace(' ', '_')}/{slug.replace('-', '_').capitalize()}",
        "books": f"/read/{topic}/{slug}/chapter-{rng.randint(1, 24)}",
        "forum": f"/t/{topic}/{slug}/{num}",
    }[domain]
    return {"domain": domain, "lang": "en", "topic": topic, "paras": paras, "url": f"https://{host}{path}"}


def make_code(rng: random.Random, usage: dict, history: list[set]) -> dict:
    lang, funcs, intro, code = pick(rng, usage, M.CODE_SNIPPETS, 1)[0]
    bound = {"func": rng.choice(funcs)} if funcs else {}
    head = [fill(rng, intro, bound)]
    if rng.random() < 0.5:
        head.insert(0, fill(rng, pick(rng, usage, M.CODE_OPENERS, 1)[0], bound))
    block = f"```{lang}\n{fill(rng, code, bound, capitalize=False)}\n```"
    chosen = pick_spread(rng, usage, history, M.CODE_SENTENCES, rng.randint(3, 5))
    tail = [fill(rng, t, bound) for t in chosen]
    while n_words(" ".join(head + tail) + " " + block) < 60:
        t = pick(rng, usage, M.CODE_SENTENCES, 1, exclude=chosen)[0]
        chosen.append(t)
        tail.append(fill(rng, t, bound))
    text = "\n\n".join([" ".join(head), block, " ".join(tail)])
    url = f"https://{rng.choice(HOSTS['code'])}/snippets/{lang}/{slugify(head[-1])}-{rng.randint(100, 9999)}"
    return {"domain": "code", "lang": "en", "topic": "code", "text": text, "url": url}


def make_foreign(rng: random.Random, usage: dict, history: list[set], lang: str) -> dict:
    pool = M.GERMAN_SENTENCES if lang == "de" else M.FRENCH_SENTENCES
    sents = [fill(rng, t) for t in pick_spread(rng, usage, history, pool, rng.randint(6, 8))]
    while n_words(" ".join(sents)) < 60:
        sents.append(fill(rng, pick(rng, usage, pool, 1)[0]))
    domain = rng.choice(["web", "forum", "wiki", "books"])
    url = f"https://{rng.choice(HOSTS[domain])}/{lang}/{slugify(sents[0])}-{rng.randint(100, 9999)}"
    return {"domain": domain, "lang": lang, "topic": "misc", "paras": split_paragraphs(rng, sents), "url": url}


# --------------------------------------------------------------------------- duplicates

EXACT_VARIANTS = ["identical"] * 9 + ["lower"] * 3 + ["upper"] * 2 + ["whitespace"] * 5 + ["punct"] * 4 + ["lower_ws"] * 2


def exact_variant(rng: random.Random, text: str, kind: str) -> str:
    if kind in ("lower", "lower_ws"):
        text = text.lower()
    if kind == "upper":
        text = text.upper()
    if kind in ("whitespace", "lower_ws"):
        text = "".join("  " if c == " " and rng.random() < 0.15 else c for c in text)
        text = text.replace("\n\n", rng.choice(["\n", "\n\n\n", "\n \n"]))
        text = rng.choice(["", " ", "\n"]) + text + rng.choice(["  ", "\n", " \n"])
    if kind == "punct":
        text = text.replace(",", "") if "," in text and rng.random() < 0.6 else re.sub(r"\.(?=\s|$)", "", text)
    return text


def mirror_url(rng: random.Random, url: str, near: bool) -> str:
    host, path = url.split("://", 1)[1].split("/", 1)
    if near:
        return rng.choice([f"https://syndicated.example.com/{path}", f"https://{host}/{path}-updated",
                           f"https://reposts.example.org/{host}/{path}"])
    return rng.choice([f"https://mirror.example.org/{path}", f"https://{host}/{path}?utm_source=newsletter",
                       f"https://archive.example.org/web/2024/{host}/{path}"])


def near_variant(rng: random.Random, doc: dict) -> list[list[str]]:
    src_text = render(doc["paras"])
    pool = M.TOPIC_SENTENCES[doc["topic"]]
    for _ in range(200):
        paras = [list(p) for p in doc["paras"]]
        for op in rng.sample(["replace", "delete", "insert", "swap", "adverb"], rng.randint(1, 3)):
            pi = rng.randrange(len(paras))
            si = rng.randrange(len(paras[pi]))
            if op == "replace":
                paras[pi][si] = fill(rng, rng.choice(pool))
            elif op == "delete" and sum(map(len, paras)) > 4 and len(paras[pi]) > 1:
                del paras[pi][si]
            elif op == "insert":
                paras[pi].insert(si, fill(rng, rng.choice(pool)))
            elif op in ("swap", "adverb"):
                words = paras[pi][si].split()
                i = rng.randrange(1, len(words) - 2)
                if op == "swap":
                    words[i], words[i + 1] = words[i + 1], words[i]
                else:
                    words.insert(i, rng.choice(["really", "often", "usually", "simply", "certainly", "quite"]))
                paras[pi][si] = " ".join(words)
        text = render(paras)
        js = (jaccard(src_text, text), jaccard(src_text, text, normalise=False))
        if NEAR_RANGE[0] <= min(js) and max(js) <= NEAR_RANGE[1]:
            return paras
    raise RuntimeError("could not build a near duplicate")


# --------------------------------------------------------------------------- junk

def make_junk(rng: random.Random, usage: dict, kind: str, idx: int) -> dict:
    topic = TOPICS[idx % len(TOPICS)]
    num = rng.randint(1000, 99999)
    if kind == "junk_boilerplate":
        lines = [fill(rng, t) for t in pick(rng, usage, M.BOILERPLATE_LINES, rng.randint(5, 9))]
        domain, url = "web", f"https://www.example.com/{rng.choice(['privacy', 'cookies', 'subscribe', 'login', 'terms', 'newsletter'])}?page={num}"
    elif kind == "junk_bullets":
        values = [v for s in M.BULLET_SLOTS[topic] for v in M.VOCAB[s]]
        marks = rng.choice([["•"], ["-"], ["*"], ["•", "-"], ["*", "-"]])
        items = rng.sample(values, min(len(values), rng.randint(7, 14)))
        lines = [f"{rng.choice(marks)} {v[:1].upper() + v[1:]}" for v in items]
        if len(lines) >= 9 and rng.random() < 0.7:  # a heading, yet still >= 90% bullet lines
            lines.insert(0, rng.choice(M.BULLET_HEADINGS))
        domain, url = "web", f"https://www.example.com/{topic}/tags/{num}"
    elif kind == "junk_ellipsis":
        lines = []
        for t in rng.sample(M.TOPIC_SENTENCES[topic], rng.randint(4, 7)):
            words = fill(rng, t).split()[: rng.randint(5, 10)]
            end = rng.choice(["...", "…", " ...", f" {rng.choice(M.ELLIPSIS_TEASERS)}..."])
            lines.append(" ".join(words).rstrip(",.;:") + end)
        domain, url = rng.choice(["web", "forum"]), f"https://news.example.org/{topic}/latest?page={num}"
    elif kind == "junk_symbols":
        lines = []
        for _ in range(rng.randint(3, 7)):
            toks = ["#" + rng.choice(M.HASHTAG_WORDS)]
            for _ in range(rng.randint(5, 12)):
                r = rng.random()
                toks.append("#" + rng.choice(M.HASHTAG_WORDS) if r < 0.5 else rng.choice(M.SYMBOL_RUNS)
                            if r < 0.9 else rng.choice(["wow", "omg", "lol", "yes", "now"]))
            lines.append(" ".join(toks))
        domain, url = rng.choice(["web", "forum"]), f"https://social.example.com/posts/{num}"
    elif kind == "junk_short":
        lines = [fill(rng, pick(rng, usage, M.SHORT_TEXTS, 1)[0])]
        domain, url = rng.choice(["web", "forum"]), f"https://forum.example.com/t/{topic}/{num}#reply-{rng.randint(1, 40)}"
    elif kind == "junk_repeated_lines":
        line = fill(rng, M.PROMO_LINES[idx]) if idx < len(M.PROMO_LINES) else fill(rng, rng.choice(M.TOPIC_SENTENCES[topic]))
        lines = [line] * rng.randint(6, 20)
        domain, url = "web", f"https://shop.example.com/offers/{num}"
    elif kind == "junk_gibberish":
        letters = "etaoinshrdlucmfwypvbgkqjxz"
        lines = []
        for _ in range(rng.randint(4, 9)):
            words = ["".join(rng.choices(letters, k=rng.randint(2, 11))) for _ in range(rng.randint(6, 14))]
            lines.append(" ".join(words).capitalize() + rng.choice([".", "", "?", "!"]))
        domain = rng.choice(["web", "forum", "wiki"])
        url = f"https://{rng.choice(HOSTS[domain])}/p/{''.join(rng.choices(letters, k=8))}"
    else:
        raise ValueError(kind)
    return {"domain": domain, "lang": "en", "text": "\n".join(lines), "url": url}


# --------------------------------------------------------------------------- assembly

def generate_corpus() -> list[dict]:
    """Build the corpus; returns records with id, domain, lang, url, planted, source_id, text."""
    rng = random.Random(SEED)
    usage: dict = {}
    docs: list[dict] = []
    history: dict[str, list[set]] = {t: [] for t in [*TOPICS, "code", "de", "fr"]}
    for i in range(N_PROSE):
        topic = TOPICS[i % len(TOPICS)]
        docs.append(make_prose(rng, usage, history[topic], topic))
    docs += [make_code(rng, usage, history["code"]) for _ in range(N_CODE)]
    docs += [make_foreign(rng, usage, history["de"], "de") for _ in range(N_DE)]
    docs += [make_foreign(rng, usage, history["fr"], "fr") for _ in range(N_FR)]
    for d in docs:
        d.setdefault("text", render(d["paras"]) if "paras" in d else "")
        d.update(planted="clean", src=None)

    prose = list(range(N_PROSE))
    exact_src = rng.sample(prose, N_EXACT)
    rest = [i for i in prose if i not in exact_src and n_words(docs[i]["text"]) >= 80]
    near_src = rng.sample(rest, N_NEAR)
    variants = list(EXACT_VARIANTS)
    rng.shuffle(variants)
    for s, kind in zip(exact_src, variants):
        src = docs[s]
        docs.append({"domain": src["domain"], "lang": src["lang"], "text": exact_variant(rng, src["text"], kind),
                     "url": mirror_url(rng, src["url"], near=False), "planted": "exact_dup", "src": s})
    for s in near_src:
        src = docs[s]
        docs.append({"domain": src["domain"], "lang": src["lang"], "text": render(near_variant(rng, src)),
                     "url": mirror_url(rng, src["url"], near=True), "planted": "near_dup", "src": s})
    for kind in JUNK_KINDS:
        for j in range(N_JUNK_EACH):
            docs.append({**make_junk(rng, usage, kind, j), "planted": kind, "src": None})

    # Make URLs unique (collisions are unlikely but possible).
    seen: set[str] = set()
    for d in docs:
        base, k = d["url"], 2
        while d["url"] in seen:
            d["url"], k = f"{base}-{k}", k + 1
        seen.add(d["url"])

    order = list(range(len(docs)))
    rng.shuffle(order)
    pos = {key: p for p, key in enumerate(order)}
    for key, d in enumerate(docs):  # a duplicate always follows its source
        if d["src"] is not None and pos[key] < pos[d["src"]]:
            a, b = pos[key], pos[d["src"]]
            order[a], order[b] = order[b], order[a]
            pos[key], pos[d["src"]] = b, a
    ids = {key: p + 1 for p, key in enumerate(order)}
    return [{
        "id": ids[key], "domain": docs[key]["domain"], "lang": docs[key]["lang"], "url": docs[key]["url"],
        "planted": docs[key]["planted"],
        "source_id": ids[docs[key]["src"]] if docs[key]["src"] is not None else None,
        "text": docs[key]["text"],
    } for key in order]


def to_jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def load_corpus(path: Path | str = DATA_PATH) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    records = generate_corpus()
    DATA_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(DATA_PATH, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(to_jsonl(records))
    counts: dict[str, int] = {}
    for r in records:
        counts[r["planted"]] = counts.get(r["planted"], 0) + 1
    print(f"wrote {len(records)} documents to {DATA_PATH}")
    for kind in PLANTED_KINDS:
        print(f"  {kind:<20} {counts.get(kind, 0)}")


if __name__ == "__main__":
    main()
