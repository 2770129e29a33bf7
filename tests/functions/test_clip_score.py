"""clip_score(image, text [, model]) with a tiny CLIP trained in a fixture on drawn coloured shapes."""

from __future__ import annotations

import random

import pytest
from aidb.models.tiny_clip import COLOURS, SHAPES, draw, png_bytes

import aidb
from aidb.errors import DataError, ProgrammingError

PAIRS = [(colour, shape) for colour in COLOURS for shape in SHAPES]


@pytest.fixture(scope="module")
def scored(tiny_clip_dir, tmp_path_factory):
    """A database with the trained CLIP registered and every (drawn image, caption) combination as a row."""
    image_dir = tmp_path_factory.mktemp("images")
    rng = random.Random(11)
    rows = []
    for index, (colour, shape) in enumerate(PAIRS):
        image = draw(colour, shape, rng)
        path = image_dir / f"{colour}_{shape}.png"
        image.save(path)
        for caption_colour, caption_shape in PAIRS:
            caption = f"a {caption_colour} {caption_shape}"
            rows.append((index, str(path), png_bytes(image), caption, (colour, shape) == (caption_colour, caption_shape)))
    with aidb.connect(":memory:", autocommit=True) as con:
        cur = con.cursor()
        cur.execute(f"CREATE MODEL tiny TYPE clip FROM '{tiny_clip_dir}'")
        cur.execute("CREATE TABLE pairs (image_id INTEGER, path VARCHAR, data BLOB, caption VARCHAR, matches BOOLEAN)")
        cur.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?, ?)", rows)
        yield cur


def test_matching_captions_score_above_the_others(scored):
    scored.execute(
        "SELECT image_id, max(s) FILTER (WHERE matches) AS match, max(s) FILTER (WHERE NOT matches) AS best_other, "
        "avg(s) FILTER (WHERE NOT matches) AS mean_other "
        "FROM (SELECT image_id, matches, clip_score(data, caption, 'tiny') AS s FROM pairs) GROUP BY image_id"
    )
    rows = scored.fetchall()
    assert len(rows) == len(PAIRS)
    assert all(match > mean_other for _, match, _, mean_other in rows)
    assert sum(match > best_other for _, match, best_other, _ in rows) >= len(PAIRS) // 2
    assert all(-1.0 <= value <= 1.0 for row in rows for value in row[1:])


def test_paths_and_blobs_score_the_same(scored):
    scored.execute("SELECT clip_score(path, caption) AS by_path, clip_score(data, caption, 'tiny') AS by_blob FROM pairs")
    for by_path, by_blob in scored.fetchall():
        assert by_path == pytest.approx(by_blob, abs=1e-9)  # 'tiny' is the default clip model


def test_one_row_at_a_time_equals_the_batch_and_repeats(scored):
    scored.execute("SELECT data, caption, clip_score(data, caption) FROM pairs ORDER BY image_id, caption")
    batch = scored.fetchall()
    scored.execute("SELECT clip_score(data, caption) FROM pairs ORDER BY image_id, caption")
    assert [r[0] for r in scored.fetchall()] == [r[2] for r in batch], "deterministic"
    for data, caption, expected in batch[:8]:
        scored.execute("SELECT clip_score(CAST(? AS BLOB), ?)", [data, caption])  # sqlglot cannot parse ?::BLOB
        assert scored.fetchone()[0] == pytest.approx(expected, abs=1e-5)


def test_null_image_or_text_gives_null(scored):
    scored.execute("SELECT clip_score(NULL::BLOB, 'a red circle'), clip_score(data, NULL), clip_score(NULL, NULL) FROM pairs LIMIT 1")
    assert scored.fetchone() == (None, None, None)


def test_bytes_that_are_no_image_raise_a_data_error(scored):
    with pytest.raises(DataError, match=r"BLOB in row 2 of the chunk \(9 bytes, starting b'not a pn'\) is not in an image format"):
        scored.execute("SELECT clip_score(b, 'a red circle') FROM (VALUES (NULL::BLOB), ('not a png'::BLOB)) AS t(b)")
    with pytest.raises(DataError, match="damaged image"):
        scored.execute("SELECT clip_score(data[1:80], caption) FROM pairs")  # PNG header intact, pixels cut


def test_missing_image_file_raises_a_data_error(scored):
    with pytest.raises(DataError, match="image file '/no/such.png' .* does not exist"):
        scored.execute("SELECT clip_score('/no/such.png', 'a red circle')")


def test_unknown_or_wrong_kind_of_model(scored):
    with pytest.raises(ProgrammingError, match="unknown model 'tinny'.*Did you mean: tiny"):
        scored.execute("SELECT clip_score(data, caption, 'tinny') FROM pairs")


def test_no_builtin_clip_model(con):
    with pytest.raises(ProgrammingError, match="no default clip model.*bundles no CLIP weights.*CREATE MODEL clip TYPE clip"):
        con.cursor().execute("SELECT clip_score('x.png', 'a red circle')")


def test_numbers_are_not_images(con):
    with pytest.raises(ProgrammingError, match="No function matches"):
        con.cursor().execute("SELECT clip_score(42, 'a red circle')")
