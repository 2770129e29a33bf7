"""image_stats (size, aspect, format, Laplacian blurriness), phash (imagehash's DCT hash) and hamming_distance."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import aidb


def encoded(image, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def noise_image(width: int, height: int, seed: int = 0):
    from PIL import Image

    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype("uint8")
    return Image.fromarray(pixels)


def test_image_stats_of_bytes_and_paths(con, tmp_path: Path) -> None:
    from PIL import ImageFilter

    sharp = noise_image(60, 40)
    blurred = sharp.filter(ImageFilter.GaussianBlur(3))
    path = tmp_path / "blurred.jpg"
    blurred.save(path, format="JPEG")
    rows = con.execute("SELECT image_stats(?), image_stats(?)", [encoded(sharp), str(path)]).fetchone()
    assert {k: rows[0][k] for k in ("width", "height", "aspect", "format")} == {"width": 60, "height": 40, "aspect": 1.5, "format": "PNG"}
    assert rows[1]["format"] == "JPEG"
    assert rows[1]["blurriness"] < rows[0]["blurriness"] / 20


def test_laplacian_variance_matches_opencv_definition() -> None:
    from aidb.functions.images import laplacian_variance

    grey = np.zeros((5, 5))
    grey[2, 2] = 1.0  # one bright pixel: response -4 at it, 1 at its four neighbours, over the 3x3 interior
    values = np.array([0, 1, 0, 1, -4, 1, 0, 1, 0], dtype=float)
    assert laplacian_variance(grey) == pytest.approx(values.var())
    assert laplacian_variance(np.ones((2, 9))) == 0.0


def test_phash_equals_imagehash() -> None:
    import imagehash

    from aidb.functions.images import perceptual_hash

    for seed in range(5):
        image = noise_image(50 + 13 * seed, 70, seed)
        assert f"{perceptual_hash(image):016x}" == str(imagehash.phash(image))


def test_phash_finds_near_duplicate_images(con) -> None:
    from PIL import Image, ImageDraw

    def picture(seed: int):
        rng = np.random.default_rng(seed)
        image = Image.new("RGB", (128, 96), tuple(int(v) for v in rng.integers(0, 255, 3)))
        pen = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = rng.integers(0, 100), rng.integers(0, 70)
            pen.ellipse((int(x), int(y), int(x) + 30, int(y) + 25), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
        return image

    original = picture(1)
    rows = [(1, encoded(original)), (2, encoded(original.resize((256, 192)), "JPEG")), (3, encoded(picture(2))), (4, None)]
    con.execute("CREATE TABLE images (id INTEGER, img BLOB)")
    con.executemany("INSERT INTO images VALUES (?, ?)", rows)
    pairs = con.execute(
        "SELECT a.id, b.id, hamming_distance(phash(a.img), phash(b.img)) AS d FROM images a JOIN images b ON a.id < b.id ORDER BY 1, 2"
    ).fetchall()
    distance = {(a, b): d for a, b, d in pairs}
    assert distance[(1, 2)] <= 6 and distance[(1, 3)] >= 16 and distance[(1, 4)] is None


def test_hamming_distance_counts_bits(con) -> None:
    assert con.execute("SELECT hamming_distance(0::UBIGINT, 18446744073709551615::UBIGINT), hamming_distance(5::UBIGINT, 4::UBIGINT)").fetchone() == (64, 1)


def test_unreadable_image_names_the_function_and_row(con) -> None:
    with pytest.raises(aidb.DataError, match=r"image_stats\(\): the BLOB in row 1"):
        con.execute("SELECT image_stats('not an image'::BLOB)")
    with pytest.raises(aidb.DataError, match=r"phash\(\): image file '/nonexistent.png'"):
        con.execute("SELECT phash('/nonexistent.png')")
