"""Operator retrieval offline: 30 goals written as a user would, with the operators a person would pick for each."""

from __future__ import annotations

import pytest

from aidb.agent.operator_catalog import operator_entries
from aidb.agent.retrieval import MATCH_THRESHOLD, OperatorIndex, content_words
from aidb.models.loaders import BUILTIN_DEFAULTS, load_loader_modules, load_model

# goal -> the operators (any one of them) a person would reach for
GOALS: dict[str, set[str]] = {
    "remove near-duplicate forum posts": {"near_duplicates", "dedup"},
    "drop documents that are exact copies of each other": {"exact_duplicates", "dedup"},
    "find paraphrased duplicates using embeddings": {"semantic_duplicates"},
    "deduplicate the crawl with exact, fuzzy and semantic matching in one go": {"dedup"},
    "keep only English documents": {"lang_id"},
    "filter out low quality spam pages with heuristics": {"gopher_quality", "fineweb_quality", "c4_quality"},
    "remove documents with too many repeated lines": {"gopher_repetition", "dup_line_frac", "dup_line_char_frac"},
    "drop very short documents": {"word_count"},
    "score how natural the text is with a language model": {"perplexity"},
    "train a classifier to tell wikipedia-like text from crawl text": {"CREATE CLASSIFIER", "classify"},
    "keep documents a quality classifier likes": {"classify"},
    "mix web, code and books in fixed proportions": {"mix_sample"},
    "check whether the sample matches the requested domain shares": {"mixture_report"},
    "select raw documents that look like my target wikipedia sample": {"dsir_sample", "dsir_weights"},
    "pick a diverse subset of instruction data by clustering embeddings": {"cluster_sample"},
    "order training examples from easy to hard": {"curriculum"},
    "write the final dataset as parquet shards with a manifest": {"export_shards"},
    "load alpaca instruction tuning data from a json file": {"read_sft"},
    "read web archive files from a common crawl dump": {"read_warc"},
    "extract the main text from html pages": {"extract_text"},
    "count tokens per document for a token budget": {"token_count", "regex_token_count"},
    "compute sentence embeddings of every document": {"embed"},
    "find documents similar to a query by vector similarity": {"vector_search", "hybrid_search", "batch_vector_search"},
    "keyword search over the documents with bm25": {"text_search", "hybrid_search"},
    "explain why a row was removed by deduplication": {"why_dropped"},
    "get a report of quality filter pass rates and histograms": {"quality_report"},
    "pick the video frames that best answer a question": {"keyframes"},
    "filter image-caption pairs whose caption does not match the image": {"clip_score"},
    "find near-duplicate images": {"phash", "hamming_distance"},
    "measure how diverse a selected subset is compared to the full data": {"diversity_report"},
}


@pytest.fixture(scope="module")
def index() -> OperatorIndex:
    load_loader_modules()
    model = load_model(BUILTIN_DEFAULTS["embedding"])  # MiniLM, offline; loaded once per process
    return OperatorIndex(operator_entries(), model.encode)


def test_there_are_thirty_goals_naming_real_operators() -> None:
    names = {e.name for e in operator_entries()}
    assert len(GOALS) == 30
    assert all(expected <= names for expected in GOALS.values()), [e - names for e in GOALS.values() if not e <= names]


def test_top3_hit_rate_is_at_least_080(index: OperatorIndex) -> None:
    misses = {}
    for goal, expected in GOALS.items():
        top3 = [s.entry.name for s in index.rank(goal, 3)]
        if not expected & set(top3):
            misses[goal] = top3
    hit_rate = 1 - len(misses) / len(GOALS)
    print(f"top-3 hit rate {hit_rate:.2f}; misses: {misses}")
    assert hit_rate >= 0.8, misses


def test_an_unrelated_goal_scores_below_the_match_threshold(index: OperatorIndex) -> None:
    assert index.rank("bake a chocolate cake for my grandmother", 1)[0].score < MATCH_THRESHOLD
    assert index.rank("remove near-duplicate forum posts", 1)[0].score >= MATCH_THRESHOLD


def test_keywords_are_stemmed_so_inflections_meet() -> None:
    assert content_words("Removing duplicated documents") == content_words("remove duplicates")
