"""Checks on the bundled demo corpus (aidb/demo/data/corpus.jsonl) and its ground-truth labels."""

from __future__ import annotations

import itertools
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
if str(TOOLS) not in sys.path:  # the generator is a script in tools/, not part of the package
    sys.path.insert(0, str(TOOLS))

import make_demo_corpus as make_corpus  # noqa: E402

KINDS = {
    "clean", "exact_dup", "near_dup", "junk_boilerplate", "junk_bullets", "junk_ellipsis",
    "junk_symbols", "junk_short", "junk_repeated_lines", "junk_gibberish",
}
DOMAINS = {"web", "code", "books", "wiki", "forum"}


# Independent re-implementations (deliberately not imported from the generator).
def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    return make_corpus.load_corpus()


@pytest.fixture(scope="module")
def by_id(docs) -> dict[int, dict]:
    return {d["id"]: d for d in docs}


@pytest.fixture(scope="module")
def pair_jaccard(docs) -> dict[tuple[int, int], float]:
    """Word-5-gram Jaccard for every pair of documents sharing at least one shingle."""
    sh = {d["id"]: shingles(d["text"]) for d in docs}
    index: dict[tuple, list[int]] = defaultdict(list)
    for doc_id, grams in sh.items():
        for g in grams:
            index[g].append(doc_id)
    shared: Counter = Counter()
    for ids in index.values():
        shared.update(itertools.combinations(sorted(ids), 2))
    return {(a, b): c / (len(sh[a]) + len(sh[b]) - c) for (a, b), c in shared.items()}


def test_committed_file_matches_generator():
    committed = make_corpus.DATA_PATH.read_bytes()
    first = make_corpus.to_jsonl(make_corpus.generate_corpus()).encode("utf-8")
    second = make_corpus.to_jsonl(make_corpus.generate_corpus()).encode("utf-8")
    assert first == second, "generator is not deterministic"
    assert committed == first, "corpus.jsonl is stale: run `python tools/make_demo_corpus.py`"


def test_schema_and_ids(docs, by_id):
    assert [d["id"] for d in docs] == list(range(1, len(docs) + 1))
    assert len({d["url"] for d in docs}) == len(docs)
    for d in docs:
        assert set(d) == {"id", "domain", "lang", "url", "planted", "source_id", "text"}
        assert d["domain"] in DOMAINS and d["planted"] in KINDS and d["lang"] in {"en", "de", "fr"}
        assert re.match(r"^https://([a-z-]+\.)*example\.(com|org)/", d["url"]), d["url"]
        assert isinstance(d["text"], str) and d["text"].strip()
        if d["planted"] in ("exact_dup", "near_dup"):
            src = by_id[d["source_id"]]
            assert src["planted"] == "clean" and src["id"] < d["id"]
            assert (src["domain"], src["lang"]) == (d["domain"], d["lang"])
        else:
            assert d["source_id"] is None
    # Every source is duplicated at most once, so dedup clusters are exactly {source, dup}.
    sources = [d["source_id"] for d in docs if d["source_id"] is not None]
    assert len(sources) == len(set(sources))


def test_planted_counts(docs):
    counts = Counter(d["planted"] for d in docs)
    assert set(counts) == KINDS
    assert 380 <= len(docs) <= 420
    assert 0.65 <= counts["clean"] / len(docs) <= 0.75
    assert 20 <= counts["exact_dup"] <= 30 and 20 <= counts["near_dup"] <= 30
    assert 60 <= sum(v for k, v in counts.items() if k.startswith("junk_")) <= 80
    assert all(counts[k] >= 8 for k in KINDS if k.startswith("junk_"))
    langs = Counter(d["lang"] for d in docs if d["planted"] == "clean")
    assert langs["de"] >= 5 and langs["fr"] >= 5
    assert 0.03 <= (langs["de"] + langs["fr"]) / len(docs) <= 0.07
    assert Counter(d["domain"] for d in docs if d["planted"] == "clean").keys() == DOMAINS


def test_clean_documents_look_like_prose(docs):
    clean = [d for d in docs if d["planted"] == "clean"]
    for d in clean:
        assert 60 <= len(d["text"].split()) <= 400, d["id"]
        lines = [ln for ln in d["text"].splitlines() if ln.strip()]
        assert not any(ln.rstrip().endswith(("...", "…")) for ln in lines), d["id"]
        if d["domain"] != "code":
            n_sent = len(re.findall(r"[.!?](?:\s|$)", d["text"]))
            assert 3 <= n_sent <= 12, d["id"]
            assert not any(ln.lstrip().startswith(("•", "- ", "* ")) for ln in lines), d["id"]
        else:
            assert "```" in d["text"]
    assert sum("\n\n" in d["text"] for d in clean) >= len(clean) // 4


def test_exact_dups_normalise_equal(docs, by_id):
    dups = [d for d in docs if d["planted"] == "exact_dup"]
    raw_equal = sum(d["text"] == by_id[d["source_id"]]["text"] for d in dups)
    for d in dups:
        assert normalise(d["text"]) == normalise(by_id[d["source_id"]]["text"]), d["id"]
    assert 0 < raw_equal < len(dups), "need both byte-identical and normalised-only copies"


def test_near_dups_similar_but_not_equal(docs, by_id):
    for d in docs:
        if d["planted"] == "near_dup":
            src = by_id[d["source_id"]]["text"]
            assert normalise(d["text"]) != normalise(src), d["id"]
            assert 0.5 <= jaccard(shingles(d["text"]), shingles(src)) <= 0.97, d["id"]


def test_no_unplanted_duplicates(docs, by_id, pair_jaccard):
    planted_pairs = {tuple(sorted((d["id"], d["source_id"]))) for d in docs if d["source_id"] is not None}
    clean = {d["id"] for d in docs if d["planted"] == "clean"}
    worst_clean = max((j for (a, b), j in pair_jaccard.items() if a in clean and b in clean), default=0.0)
    assert worst_clean < 0.3
    for (a, b), j in pair_jaccard.items():
        if (a, b) not in planted_pairs:
            assert j < 0.5, (a, b, j)
    norm_groups = Counter(normalise(d["text"]) for d in docs)
    assert sum(c - 1 for c in norm_groups.values()) == sum(d["planted"] == "exact_dup" for d in docs)


def test_junk_has_its_signature(docs):
    clean_vocab = {w for d in docs if d["planted"] == "clean" for w in normalise(d["text"]).split()}
    for d in docs:
        kind, text = d["planted"], d["text"]
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if kind == "junk_short":
            assert len(text.split()) < 10
        elif kind == "junk_bullets":
            assert sum(ln.lstrip().startswith(("•", "-", "*")) for ln in lines) / len(lines) > 0.7
        elif kind == "junk_ellipsis":
            assert all(ln.rstrip().endswith(("...", "…")) for ln in lines)
        elif kind == "junk_repeated_lines":
            assert Counter(lines).most_common(1)[0][1] >= 5
        elif kind == "junk_symbols":
            tokens = text.split()
            assert sum(not t.isalpha() for t in tokens) / len(tokens) > 0.6
            assert text.count("#") >= 5
        elif kind == "junk_gibberish":
            words = normalise(text).split()
            assert sum(w in clean_vocab for w in words) / len(words) < 0.3
        elif kind == "junk_boilerplate":
            low = text.lower()
            assert any(k in low for k in ("cookie", "subscribe", "rights reserved", "privacy", " | "))
