"""image_duplicates(): perceptual-hash groups by multi-index hashing (checked against brute force), CLIP-embedding
groups, NULL images, bad arguments."""

from __future__ import annotations

import io
import random

import numpy as np
import pyarrow as pa
import pytest

import aidb
from aidb.ops.image_duplicates import hamming_pairs


def _image(seed: int) -> bytes:
    """A 96x96 picture of random coloured rectangles, PNG-encoded."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (96, 96), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(80), rng.randrange(80)
        draw.rectangle([x, y, x + rng.randrange(8, 40), y + rng.randrange(8, 40)], fill=tuple(rng.randrange(256) for _ in range(3)))
    return _encode(image, "PNG")


def _encode(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _copy(png: bytes) -> bytes:
    """The same picture resized to 80x80 and saved as JPEG (quality 80)."""
    from PIL import Image

    return _encode(Image.open(io.BytesIO(png)).convert("RGB").resize((80, 80)), "JPEG", quality=80)


def test_hamming_pairs_equal_brute_force():
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 2**63, size=300, dtype=np.int64).astype(np.uint64)
    flips = rng.integers(0, 64, size=(100, 5)).astype(np.uint64)
    hashes[200:] = hashes[:100] ^ np.bitwise_or.reduce(np.uint64(1) << flips, axis=1)  # up to 5 bits from a row
    for distance in (0, 3, 6):
        left, right = hamming_pairs(hashes, distance)
        found = set(zip(left.tolist(), right.tolist()))
        i, j = np.triu_indices(len(hashes), k=1)
        close = np.bitwise_count(hashes[i] ^ hashes[j]) <= distance
        assert found == set(zip(i[close].tolist(), j[close].tolist()))
    assert len(found) >= 100


@pytest.fixture
def images(con):
    originals = [_image(seed) for seed in range(12)]
    blobs = originals + [_copy(originals[i]) for i in range(4)] + [None]
    con.session.duck.register("rows", pa.table({"id": list(range(100, 100 + len(blobs))), "img": pa.array(blobs, pa.binary())}))
    con.execute("CREATE TABLE images AS SELECT * FROM rows")
    con.session.duck.unregister("rows")
    return con


def test_phash_groups_resized_jpeg_copies_with_their_originals(images):
    rows = images.execute("SELECT id, cluster_id, keep FROM image_duplicates(images, img) ORDER BY id").fetchall()
    removed = {i: c for i, c, keep in rows if not keep}
    assert removed == {112: 100, 113: 101, 114: 102, 115: 103}
    assert (116, 116, True) in rows  # a NULL image is nobody's duplicate


def test_clip_embeddings_group_copies(con, tiny_clip_dir):
    from PIL import Image, ImageDraw

    def shape(colour: str, circle: bool, offset: int) -> bytes:
        image = Image.new("RGB", (64, 64), "white")
        draw = ImageDraw.Draw(image)
        box = [8 + offset, 8 + offset, 40 + offset, 40 + offset]
        (draw.ellipse if circle else draw.rectangle)(box, fill=colour)
        return _encode(image, "PNG")

    red_circle, blue_square = shape("red", True, 0), shape("blue", False, 10)
    blobs = [red_circle, blue_square, _encode(Image.open(io.BytesIO(red_circle)), "PNG", compress_level=1)]
    con.session.duck.register("rows", pa.table({"id": [1, 2, 3], "img": pa.array(blobs, pa.binary())}))
    con.execute("CREATE TABLE pics AS SELECT * FROM rows")
    con.execute(f"CREATE MODEL clip TYPE clip FROM '{tiny_clip_dir}'")
    rows = con.execute("SELECT id, cluster_id FROM image_duplicates(pics, img, method := 'clip', eps := 0.01) ORDER BY id").fetchall()
    assert rows == [(1, 1), (2, 2), (3, 1)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("method := 'dhash'", "argument method must be one of"),
        ("max_distance := 40", "argument max_distance must be an integer in \\[0, 31\\]"),
        ("method := 'clip', eps := 0", "argument eps must be in"),
    ],
)
def test_bad_arguments(images, arguments, message):
    with pytest.raises(aidb.ProgrammingError, match=message):
        images.execute(f"SELECT * FROM image_duplicates(images, img, {arguments})")


def test_an_image_column_of_another_type_is_refused(con):
    con.execute("CREATE TABLE t AS SELECT 1 AS id, 42 AS img")
    with pytest.raises(aidb.ProgrammingError, match="argument image_col: column 'img' of t is INTEGER, expected VARCHAR or BLOB"):
        con.execute("SELECT * FROM image_duplicates(t, img)")
