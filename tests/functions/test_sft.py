"""instruction_length and response_length: regex-token lengths of SFT records."""

from __future__ import annotations


def test_lengths(con) -> None:
    row = con.execute(
        "SELECT instruction_length('Add the numbers:', '2, 3'), instruction_length('Say hi.'), instruction_length(NULL, 'x'), "
        "response_length('5.'), response_length(NULL)"
    ).fetchone()
    assert row == (7, 3, None, 2, None)


def test_lengths_filter_a_table(con) -> None:
    con.execute(
        "CREATE TABLE sft AS SELECT * FROM (VALUES (1, 'Explain recursion in detail please', 'No.'), "
        "(2, 'Hi', 'A long and careful answer with several words in it.')) v(id, instruction, output)"
    )
    kept = con.execute("SELECT id FROM sft WHERE response_length(output) >= 2 * instruction_length(instruction)").fetchall()
    assert kept == [(2,)]
