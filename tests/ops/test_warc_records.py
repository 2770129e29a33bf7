"""read_warc: pages of warcio-written archives, charsets, globs, corrupt records and cut-off gzip files, SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

import aidb
from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.skipped_inputs import SkippedInputsWarning
from aidb.ops.warc_records import read_warc
from aidb.demo.crawl import Page, page_html, write_warc

FRENCH = "Le café de la gare coûte très cher à Noël."


def pages(n: int, prefix: str = "p") -> list[Page]:
    return [Page(f"https://example.org/{prefix}{i}", page_html(f"Page {i}", [f"Paragraph {i} of the page."]).encode()) for i in range(n)]


def test_pages_come_back_with_their_headers(tmp_path: Path) -> None:
    png = Page("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    missing = Page("https://example.org/gone", b"<html><body>Not found</body></html>", status="404 Not Found")
    path = tmp_path / "crawl.warc.gz"
    offsets = write_warc(path, [*pages(2), png, missing])
    rows = read_warc(str(path)).rows.to_pylist()
    assert [r["url"] for r in rows] == ["https://example.org/p0", "https://example.org/p1", "https://example.org/gone"]
    assert [r["offset"] for r in rows] == [offsets[0], offsets[1], offsets[3]]
    assert [r["http_status"] for r in rows] == [200, 200, 404]
    assert rows[0]["content_type"] == "text/html" and rows[0]["charset"] == "utf-8" and not rows[0]["truncated"]
    assert "<p>Paragraph 0 of the page.</p>" in rows[0]["html"]
    assert rows[0]["warc_record_id"].startswith("<urn:uuid:") and rows[0]["fetched_at"].year >= 2024
    everything = read_warc(str(path), content_types=None).rows
    assert everything.column("content_type").to_pylist() == ["text/html", "text/html", "image/png", "text/html"]
    assert read_warc(str(path), content_types=["image/png"]).rows.column("url").to_pylist() == ["https://example.org/logo.png"]


def test_non_utf8_pages_are_decoded_with_their_charset(tmp_path: Path) -> None:
    declared = Page("https://example.org/fr1", f"<html><body><p>{FRENCH}</p></body></html>".encode("iso-8859-1"),
                    content_type="text/html; charset=ISO-8859-1")
    meta = Page("https://example.org/fr2", f"<html><head><meta charset='windows-1252'></head><body><p>{FRENCH}</p></body></html>".encode("cp1252"),
                content_type="text/html")
    undeclared = Page("https://example.org/fr3", f"<html><body><p>{FRENCH}</p></body></html>".encode("cp1252"), content_type="text/html")
    path = tmp_path / "fr.warc"
    write_warc(path, [declared, meta, undeclared], gzip=False)
    rows = read_warc(str(path)).rows.to_pylist()
    assert [r["charset"] for r in rows] == ["iso8859-1", "cp1252", "cp1252"]  # Python codec names
    assert all(FRENCH in r["html"] for r in rows)


def _broken_uncompressed(tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / "broken.warc"
    offsets = write_warc(path, pages(4), gzip=False)
    data = bytearray(path.read_bytes())
    data[offsets[1]:offsets[1] + 8] = b"GARBAGE!"  # the second response's 'WARC/1.1' line
    path.write_bytes(bytes(data))
    return path, offsets


def test_a_corrupt_record_fails_naming_file_and_offset(tmp_path: Path) -> None:
    path, offsets = _broken_uncompressed(tmp_path)
    with pytest.raises(DataError, match=rf"corrupt WARC record in .*broken.warc at byte offset {offsets[1]}: .*GARBAGE!.*on_error := 'skip'"):
        read_warc(str(path))


def test_skip_reads_past_a_corrupt_record_and_counts_it(tmp_path: Path) -> None:
    path, offsets = _broken_uncompressed(tmp_path)
    scan = read_warc(str(path), on_error="skip")
    assert scan.rows.column("url").to_pylist() == ["https://example.org/p0", "https://example.org/p2", "https://example.org/p3"]
    assert [(s.file, s.place) for s in scan.skipped] == [(str(path), f"byte offset {offsets[1]}")]


def test_a_cut_off_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(path, pages(3))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DataError, match=rf"cut.warc.gz at byte offset {offsets[2]}: truncated gzip member"):
        read_warc(str(path))
    scan = read_warc(str(path), on_error="skip")
    assert scan.rows.num_rows == 2 and [s.place for s in scan.skipped] == [f"byte offset {offsets[2]}"]


def test_a_file_that_is_not_a_warc_and_an_empty_one(tmp_path: Path) -> None:
    for first_line, reason in (("<html><body>not a warc</body></html>", "Unknown archive format"),
                               ("<html><body>saved from a browser, not a WARC</body></html>", "not a WARC or ARC record")):
        (tmp_path / "page.warc").write_text(first_line + "\n<p>More of the page.</p>\n")
        with pytest.raises(DataError, match=rf"corrupt WARC record in .*page.warc at byte offset 0: {reason}"):
            read_warc(str(tmp_path / "page.warc"))
        scan = read_warc(str(tmp_path / "page.warc"), on_error="skip")
        assert scan.rows.num_rows == 0 and [(s.file, s.place) for s in scan.skipped] == [(str(tmp_path / "page.warc"), "byte offset 0")]
    (tmp_path / "empty.warc.gz").write_bytes(b"")  # a crawl that wrote nothing: no records, nothing skipped
    scan = read_warc(str(tmp_path / "empty.warc.gz"))
    assert scan.rows.num_rows == 0 and scan.skipped == []


def test_globs_missing_files_and_bad_options(tmp_path: Path) -> None:
    write_warc(tmp_path / "a.warc.gz", pages(2, "a"))
    (tmp_path / "sub").mkdir()
    write_warc(tmp_path / "sub" / "b.warc.gz", pages(3, "b"))
    assert read_warc(str(tmp_path / "*.warc.gz")).rows.num_rows == 2
    scan = read_warc(str(tmp_path / "**" / "*.warc.gz"))
    assert sorted(set(scan.rows.column("file").to_pylist())) == [str(tmp_path / "a.warc.gz"), str(tmp_path / "sub" / "b.warc.gz")]
    assert scan.rows.num_rows == 5
    with pytest.raises(OperationalError, match=r"no file matches '.*\*.warc'"):
        read_warc(str(tmp_path / "*.warc"))
    with pytest.raises(OperationalError, match=r"file '.*nothere.warc.gz' does not exist"):
        read_warc(str(tmp_path / "nothere.warc.gz"))
    with pytest.raises(ProgrammingError, match="on_error must be one of 'fail', 'skip'"):
        read_warc(str(tmp_path / "a.warc.gz"), on_error="ignore")


def test_large_records_are_cut_at_max_record_bytes(tmp_path: Path) -> None:
    big = Page("https://example.org/big", b"<html><body>" + b"word " * 50_000 + b"</body></html>")
    path = tmp_path / "big.warc.gz"
    write_warc(path, [big, *pages(1)])
    rows = read_warc(str(path), max_record_bytes=20_000).rows.to_pylist()
    assert len(rows[0]["html"]) == 20_000 and rows[0]["truncated"]
    assert rows[1]["url"] == "https://example.org/p0" and not rows[1]["truncated"]


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    write_warc(tmp_path / "a.warc.gz", pages(2, "a"))
    write_warc(tmp_path / "b.warc.gz", pages(2, "b"))
    reports = []
    read_warc(str(tmp_path / "*.warc.gz"), progress=lambda stage, done, total: reports.append((stage, done, total)))
    assert [r[0] for r in reports] == ["read_warc 1/2 a.warc.gz", "read_warc 2/2 b.warc.gz"]
    assert all(done == total > 0 for _, done, total in reports)


def test_the_session_progress_bar_shows_each_file(tmp_path: Path, capsys) -> None:
    write_warc(tmp_path / "a.warc.gz", pages(2, "a"))
    write_warc(tmp_path / "b.warc.gz", pages(2, "b"))
    with aidb.connect(":memory:", autocommit=True, progress=True) as con:
        assert con.execute(f"SELECT count(*) FROM read_warc('{tmp_path}/*.warc.gz')").fetchone() == (4,)
    shown = capsys.readouterr().err
    assert "read_warc 1/2 a.warc.gz" in shown and "read_warc 2/2 b.warc.gz" in shown


def test_read_warc_in_sql(con, tmp_path: Path) -> None:
    path, offsets = _broken_uncompressed(tmp_path)
    with pytest.warns(SkippedInputsWarning):
        con.execute(f"CREATE TABLE pages AS SELECT * FROM read_warc('{path}', with_html := false, on_error := 'skip')")
    assert [d[0] for d in con.execute("SELECT * FROM pages").description] == [
        "file", "offset", "warc_record_id", "url", "fetched_at", "http_status", "content_type", "charset", "truncated"]
    assert con.execute("SELECT count(*) FROM pages").fetchone() == (3,)
    with pytest.warns(SkippedInputsWarning, match=rf"skipped 1 unreadable record\(s\): .*broken.warc at byte offset {offsets[1]}"):
        con.execute(f"SELECT url FROM read_warc('{path}', on_error := 'skip')").fetchall()
    with pytest.raises(aidb.DataError, match=rf"byte offset {offsets[1]}"):
        con.execute(f"SELECT * FROM read_warc('{path}')")
    with pytest.warns(SkippedInputsWarning):
        rows = con.execute(f"SELECT url FROM read_warc('{tmp_path}/*.warc', content_types := ['text/html'], on_error := 'skip') ORDER BY url").fetchall()
    assert rows[0] == ("https://example.org/p0",)


def test_skipped_records_in_a_table_the_statement_writes(con, tmp_path: Path) -> None:
    path, offsets = _broken_uncompressed(tmp_path)
    with pytest.warns(SkippedInputsWarning):
        con.execute(f"CREATE TABLE pages AS SELECT * FROM read_warc('{path}', on_error := 'skip', skipped := 'warc_skipped')")
    assert con.execute("SELECT file, place FROM warc_skipped").fetchall() == [(str(path), f"byte offset {offsets[1]}")]
    assert "GARBAGE!" in con.execute("SELECT error FROM warc_skipped").fetchone()[0]
    good = tmp_path / "good.warc.gz"
    write_warc(good, pages(1))
    con.execute(f"SELECT * FROM read_warc('{good}', skipped := 'warc_skipped')").fetchall()
    assert con.execute("SELECT count(*) FROM warc_skipped").fetchone() == (0,)  # replaced: nothing skipped this time

