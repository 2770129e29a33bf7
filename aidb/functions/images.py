"""Unimodal image filters: `image_stats` (size, aspect, format, blurriness) and perceptual hashes for image dedup.

`phash` is the DCT perceptual hash of Zauner 2010 as the `imagehash` library computes it (grey 32x32 Lanczos
thumbnail, 2-D DCT-II, the 8x8 lowest frequencies against their median, bits row-major, most significant
first), so `printf('%016x', phash(img))` equals `str(imagehash.phash(img))`. Blurriness is the variance of the
3x3 Laplacian of the grey image (Pech-Pacheco et al. 2000; OpenCV's `Laplacian(ksize=1).var()`): lower is blurrier.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from aidb.functions.clip_score import IMAGE_TYPE, open_image
from aidb.functions.registry import FunctionContext, Param, sql_function

HASH_SIZE = 8
THUMBNAIL = 32  # imagehash's hash_size * highfreq_factor (4)
STATS_TYPE = "STRUCT(width INTEGER, height INTEGER, aspect DOUBLE, format VARCHAR, blurriness DOUBLE)"
_STATS_ARROW = pa.struct(
    [("width", pa.int32()), ("height", pa.int32()), ("aspect", pa.float64()), ("format", pa.string()), ("blurriness", pa.float64())]
)


@sql_function(params=[Param("image", IMAGE_TYPE)], returns=STATS_TYPE)
def image_stats(ctx: FunctionContext, image: pa.Array) -> pa.Array:
    """Width, height, aspect (width / height), format (PNG, JPEG, ...) and blurriness (Laplacian variance) of an image."""
    rows = []
    for row, value in enumerate(image.to_pylist()):
        if value is None:
            rows.append(None)
            continue
        decoded = open_image(value, row, "image_stats")
        width, height = decoded.size
        rows.append({
            "width": width,
            "height": height,
            "aspect": width / height if height else None,
            "format": decoded.format,
            "blurriness": laplacian_variance(np.asarray(decoded.convert("L"), dtype=np.float64)),
        })
    return pa.array(rows, _STATS_ARROW)


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian over the pixels that have all four neighbours (0 for tiny images)."""
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    laplacian = grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1]
    return float(laplacian.var())


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    """The unnormalised DCT-II basis for THUMBNAIL points (scaling does not change the hash)."""
    k = np.arange(THUMBNAIL)[:, None]
    n = np.arange(THUMBNAIL)[None, :]
    return np.cos(np.pi * (2 * n + 1) * k / (2 * THUMBNAIL))


def perceptual_hash(decoded) -> int:
    """The 64-bit DCT hash of a decoded PIL image."""
    from PIL import Image

    pixels = np.asarray(decoded.convert("L").resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS), dtype=np.float64)
    basis = _dct_matrix()
    low = (basis @ pixels @ basis.T)[:HASH_SIZE, :HASH_SIZE]
    bits = (low > np.median(low)).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


@sql_function(params=[Param("image", IMAGE_TYPE)], returns="UBIGINT")
def phash(ctx: FunctionContext, image: pa.Array) -> pa.Array:
    """64-bit perceptual (DCT) hash of an image, as imagehash.phash computes it; compare two with hamming_distance."""
    hashes = [None if value is None else perceptual_hash(open_image(value, row, "phash")) for row, value in enumerate(image.to_pylist())]
    return pa.array(hashes, pa.uint64())


@sql_function(params=[Param("a", "UBIGINT"), Param("b", "UBIGINT")], returns="INTEGER")
def hamming_distance(ctx: FunctionContext, a: pa.Array, b: pa.Array) -> pa.Array:
    """Number of differing bits of two 64-bit hashes (0 = identical; near-duplicate images are within ~10 of 64)."""
    valid = np.asarray(a.is_valid().to_numpy(zero_copy_only=False) & b.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    left = np.asarray(a.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.uint64)
    right = np.asarray(b.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.uint64)
    return pa.array(np.bitwise_count(left ^ right).astype(np.int32), pa.int32(), mask=~valid)
