"""normalize_text (CCNet normalisation) and the text statistics macros of sql_functions/text_stats.sql."""

from __future__ import annotations

import pytest


def test_normalize_text_follows_ccnet(con) -> None:
    rows = con.execute(
        "SELECT normalize_text(t) FROM (VALUES ('Héllo,  WORLD!'), ('Call 555-1234 now…'), (NULL), ('')) v(t)"
    ).fetchall()
    assert rows == [("hello world",), ("call 000 0000 now",), (None,), ("",)]


def test_normalised_hash_groups_trivial_variants(con) -> None:
    con.execute("CREATE TABLE d AS SELECT * FROM (VALUES (1, 'The cat sat.'), (2, 'the  CAT sat'), (3, 'A dog ran.')) v(id, text)")
    groups = con.execute(
        "SELECT list(id ORDER BY id) FROM d GROUP BY md5(normalize_text(text)) ORDER BY 1"
    ).fetchall()
    assert groups == [([1, 2],), ([3],)]


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("word_count('one two\tthree\n four ')", 4),
        ("word_count('')", 0),
        ("mean_word_length('ab abcd')", 3.0),
        # Gopher statistics as datatrove computes them: tokens '#' 'tag' '#' 'tag' 'word' '...'; 2 '#' per 6 words
        ("symbol_word_ratio('#tag #tag word ...')", 2 / 6),
        ("symbol_word_ratio('a b c d…')", 1 / 5),
        ("frac_lines_end_ellipsis('one...\ntwo\nthree…\n\n')", 2 / 4),  # splitlines(): 4 lines, one empty
        ("frac_bullet_lines('• a\n- b\nplain\n* c')", 2 / 4),  # '*' is no bullet for Gopher
        ("dup_line_frac('x\ny\nx\nx')", 0.5),
        ("dup_line_char_frac('aaaa\nb\naaaa')", 4 / 11),  # per character of the whole text
        ("alpha_word_frac('abc 123 a1 ---')", 0.5),
        ("alpha_word_frac('Привет, мир')", 2 / 3),  # letters of every script; ',' is a word of its own
        ("gopher_stats('x').n_words", 1),
        ("gopher_repetition_stats('a\na').dup_line_frac", 0.5),
        ("len(text_lines(' a \n\n b'))", 2),
    ],
)
def test_text_statistics(con, expression: str, expected: float) -> None:
    assert con.execute(f"SELECT {expression}").fetchone()[0] == pytest.approx(expected)


def test_statistics_are_null_for_null_text(con) -> None:
    row = con.execute("SELECT word_count(NULL), mean_word_length(NULL), dup_line_frac(NULL)").fetchone()
    assert row == (None, None, None)
