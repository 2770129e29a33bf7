"""gopher_quality, gopher_repetition, c4_quality/c4_clean and fineweb_quality: parity with datatrove and SQL behaviour."""

from __future__ import annotations

import pytest

import aidb
from filter_corpus import filter_corpus  # tests/filter_corpus.py

PROSE = (
    "The river runs to the sea and the town that grew on its banks has a long history of trade with the north. "
    "Merchants came to the market every week, and they brought cloth, salt and iron to sell to the farmers. "
    "Over the years the harbour was rebuilt twice, and the old walls were taken down to make room for houses. "
    "Today the town is known for its museum, which holds maps of the coast and letters of the early settlers. "
    "Visitors walk along the river to see the mills, and in summer the boats take them out to the islands."
)


@pytest.fixture(scope="module")
def con():
    connection = aidb.connect(autocommit=True)
    yield connection
    connection.close()


def _one(con, sql: str, *params):
    return con.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def reference_decisions():
    """datatrove's decisions (default parameters, spaCy's blank English tokenizer) on real and junk documents."""
    pytest.importorskip("spacy")
    filters = pytest.importorskip("datatrove.pipeline.filters")
    from datatrove.data import Document

    docs = filter_corpus(1000, seed=7)
    reference = {
        "gopher_quality": filters.GopherQualityFilter(),
        "gopher_repetition": filters.GopherRepetitionFilter(),
        "fineweb_quality": filters.FineWebQualityFilter(),
        "c4_quality": filters.C4QualityFilter(),
        "c4_sentences": filters.C4QualityFilter(split_paragraph=False),
    }
    decisions: dict[str, list] = {name: [] for name in reference}
    cleaned: dict[str, list] = {"c4_quality": [], "c4_sentences": []}
    for i, text in enumerate(docs):  # one document through every filter: datatrove caches its tokens per text
        for name, step in reference.items():
            doc = Document(text=text, id=str(i))
            verdict = step.filter(doc)
            decisions[name].append(None if verdict is True else verdict[1])
            if name in cleaned:
                cleaned[name].append(doc.text if verdict is True else None)
    return docs, decisions, cleaned


# the reference filter's name -> the SQL call that should decide as it does (C4's sentence mode: split_paragraph=False)
CALLS = {"gopher_quality": "gopher_quality(text)", "gopher_repetition": "gopher_repetition(text)",
         "c4_quality": "c4_quality(text)", "fineweb_quality": "fineweb_quality(text)",
         "c4_sentences": "c4_quality(text, split_paragraph := false)"}


@pytest.mark.parametrize("function", list(CALLS))
def test_same_decisions_as_datatrove(con, reference_decisions, function):
    docs, decisions, _ = reference_decisions
    con.execute("CREATE OR REPLACE TEMP TABLE parity AS SELECT * FROM unnest(?) WITH ORDINALITY AS t(text, i)", [docs])
    ours = [r[0] for r in con.execute(f"SELECT {CALLS[function]}.reason FROM parity ORDER BY i").fetchall()]
    agree = sum(a == b for a, b in zip(ours, decisions[function]))
    assert agree / len(docs) >= 0.99, [(a, b) for a, b in zip(decisions[function], ours) if a != b][:10]
    # every rule that fired in the reference also fires here
    assert {r for r in decisions[function] if r} <= {r for r in ours if r} | {"empty"}


@pytest.mark.parametrize("mode", ["c4_quality", "c4_sentences"])
def test_c4_clean_keeps_the_same_lines_as_datatrove(con, reference_decisions, mode):
    docs, _, cleaned = reference_decisions
    con.execute("CREATE OR REPLACE TEMP TABLE parity AS SELECT * FROM unnest(?) WITH ORDINALITY AS t(text, i)", [docs])
    split = "true" if mode == "c4_quality" else "false"
    ours = [r[0] for r in con.execute(f"SELECT c4_clean(text, split_paragraph := {split}) FROM parity ORDER BY i").fetchall()]
    kept = [(a, b) for a, b in zip(cleaned[mode], ours) if a is not None]
    assert len(kept) > 100
    assert sum(a == b for a, b in kept) / len(kept) >= 0.99


def test_prose_passes_every_filter_and_reports_its_statistics(con):
    row = con.execute(
        "SELECT gopher_quality(?) AS g, gopher_repetition(?) AS r, c4_quality(?) AS c, fineweb_quality(?) AS f",
        [PROSE] * 4,
    ).fetchone()
    g, r, c, f = row
    assert g["keep"] and g["reason"] is None and g["n_words"] > 90 and g["stop_words"] == 6
    assert 3 < g["avg_word_length"] < 6 and g["alpha_words_ratio"] > 0.85
    assert r["keep"] and r["dup_line_frac"] == 0.0
    assert c["keep"] and c["sentences"] == 5 and c["kept_lines"] == 1
    assert f["keep"] and f["line_punct_ratio"] == 1.0


def test_reasons_are_named_as_datatrove_names_them(con):
    assert _one(con, "SELECT gopher_quality('too short').reason") == "gopher_short_doc"
    bullets = "\n".join(f"• item {i} of the list with the words and the text" for i in range(30))
    assert _one(con, "SELECT gopher_quality(?).reason", bullets) == "gopher_too_many_bullets"
    assert _one(con, "SELECT gopher_repetition(?).reason", "same para\n\n" * 10) == "dup_para_frac"
    assert _one(con, "SELECT gopher_repetition(?).reason", "same line\n" * 10) == "dup_line_frac"
    assert _one(con, "SELECT gopher_repetition(?).reason", "a\n\nsame line here\nsame line here\nx y z w") == "dup_line_char_frac"
    assert _one(con, "SELECT c4_quality(?).reason", PROSE + "\nLorem ipsum dolor sit amet.") == "lorem_ipsum"
    assert _one(con, "SELECT c4_quality(?).reason", PROSE + "\nThe map is {here} now.") == "curly_bracket"
    assert _one(con, "SELECT c4_quality('One sentence here.').reason") == "too_few_sentences"
    assert _one(con, "SELECT fineweb_quality('').reason") == "empty"
    assert _one(con, "SELECT gopher_repetition('').reason") == "empty"


def test_a_value_exactly_at_a_threshold_is_kept(con):
    # 3 of 10 lines end with an ellipsis: datatrove drops only above 0.3
    exact = "\n".join(["word " * 10 + "the of"] * 7 + ["the end..."] * 3)
    assert _one(con, "SELECT gopher_quality(?).end_ellipsis_lines_ratio", exact) == pytest.approx(0.3)
    assert _one(con, "SELECT gopher_quality(?).reason", exact) != "gopher_too_many_end_ellipsis"


def test_thresholds_can_be_overridden_by_name_and_null_switches_a_rule_off(con):
    assert _one(con, "SELECT gopher_quality(?, min_doc_words := 500).reason", PROSE) == "gopher_short_doc"
    assert _one(con, "SELECT gopher_quality('too short', min_doc_words := NULL).reason") != "gopher_short_doc"
    assert _one(con, "SELECT c4_quality('One sentence here.', min_num_sentences := 1).keep") is True
    assert _one(con, "SELECT gopher_quality(?, stop_words := 'zebra giraffe').reason", PROSE) == "gopher_enough_stop_words"
    assert _one(con, "SELECT fineweb_quality(?, new_line_ratio := 0.001).reason", PROSE + "\n" + PROSE) == "char_dup_ratio"


def test_unicode_letters_count_as_letters(con):
    russian = " ".join(["Привет мир, это проверка текста для фильтра качества и языка."] * 8)
    assert _one(con, "SELECT gopher_quality(?).alpha_words_ratio", russian) > 0.8


def test_null_text_gives_null_and_c4_clean_returns_kept_lines(con):
    assert _one(con, "SELECT gopher_quality(NULL) IS NULL") is True
    assert _one(con, "SELECT c4_clean(NULL) IS NULL") is True
    text = "Menu\nThis line ends well and has words.\nPlease enable JavaScript to see it.\nAnother good line is here!"
    assert _one(con, "SELECT c4_clean(?)", text) == "This line ends well and has words.\nAnother good line is here!"


def test_c4_sentence_mode_judges_sentences_instead_of_lines(con):
    # one line of five good sentences and a javascript one: line mode drops the whole line, sentence mode one sentence
    good = ["The town has a long history of trade.", "Merchants came to the market every week.",
            "The harbour was rebuilt twice over the years.", "Today the town is known for its museum!",
            "Visitors walk along the river to see the mills?"]
    text = " ".join(good[:2] + ["Please enable JavaScript to view the map."] + good[2:]) + "\nMenu"
    lines = con.execute("SELECT c4_quality(?) AS c", [text]).fetchone()[0]
    assert (lines["reason"], lines["lines"], lines["kept_lines"], lines["sentences"]) == ("too_few_sentences", 2, 0, 0)
    sentences = con.execute("SELECT c4_quality(?, split_paragraph := false) AS c", [text]).fetchone()[0]
    assert (sentences["reason"], sentences["lines"], sentences["kept_lines"], sentences["sentences"]) == (None, 7, 5, 5)
    assert _one(con, "SELECT c4_clean(?, split_paragraph := false)", text) == " ".join(good)


def test_a_non_constant_c4_option_is_a_data_error(con):
    con.execute("CREATE OR REPLACE TEMP TABLE opts AS SELECT * FROM (VALUES ('a b c.', 1), ('d e f.', 2)) t(text, n)")
    with pytest.raises(aidb.DataError, match="min_num_sentences must be one constant"):
        con.execute("SELECT c4_quality(text, min_num_sentences := n) FROM opts").fetchall()


def test_quality_report_gives_pass_rates_and_histograms(con):
    texts = [PROSE] * 3 + ["too short"] + ["same line here\n" * 20]
    con.execute("CREATE OR REPLACE TEMP TABLE report_docs AS SELECT * FROM unnest(?) AS t(body)", [texts])
    rows = con.execute("SELECT section, filter, name, bin_lower, bin_upper, docs, fraction FROM quality_report(report_docs, 'body')").fetchall()
    rates = {(r[1], r[2]): (r[5], r[6]) for r in rows if r[0] == "pass_rate"}
    assert rates[("gopher_quality", "kept")] == (3, 0.6)
    assert rates[("gopher_quality", "gopher_short_doc")][0] >= 1
    assert rates[("gopher_repetition", "dup_line_frac")] == (1, 0.2)
    histogram = [r for r in rows if r[0] == "histogram" and r[2] == "n_words"]
    assert sum(r[5] for r in histogram) == 5 and all(r[3] <= r[4] for r in histogram)


def test_fineweb_stop_chars_as_datatrove(con):
    """stop_chars := the characters a punctuated line may end with (datatrove's FineWebQualityFilter(stop_chars=...))."""
    filters = pytest.importorskip("datatrove.pipeline.filters")
    from datatrove.data import Document

    text = "\n".join([f"line {i} of a list, ending in a colon:" for i in range(6)] + ["the last line ends here."] * 2)
    reference = filters.FineWebQualityFilter(stop_chars=(":",)).filter(Document(text=text, id="0"))
    ours = con.execute("SELECT fineweb_quality(?, stop_chars := ':') AS f", [text]).fetchone()[0]
    assert ours["line_punct_ratio"] == pytest.approx(6 / 8)
    assert (ours["reason"] is None) == (reference is True)
    default = con.execute("SELECT fineweb_quality(?) AS f", [text]).fetchone()[0]
    assert default["line_punct_ratio"] == pytest.approx(2 / 8)  # Unicode's terminal punctuation: '.' but not ':'
