"""clip_score(image, text [, model]): how well an image matches a caption, by a CLIP model from the catalog.

The image argument is a DuckDB UNION(path VARCHAR, data BLOB): DuckDB casts a VARCHAR argument
(a file path) or a BLOB argument (PNG/JPEG/... bytes) to it implicitly, so both kinds of column
work with one signature and the implementation knows from the union tag which one each row is.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from aidb.errors import DataError, ProgrammingError
from aidb.functions.registry import FunctionContext, Param, sql_function

if TYPE_CHECKING:
    from PIL import Image

IMAGE_TYPE = "UNION(path VARCHAR, data BLOB)"


@sql_function(
    params=[Param("image", IMAGE_TYPE), Param("text", "VARCHAR"), Param("model", "VARCHAR", None)],
    returns="DOUBLE",
    model_kind="clip",
)
def clip_score(ctx: FunctionContext, image: pa.Array, text: pa.Array, model: pa.Array) -> pa.Array:
    """Cosine similarity in [-1, 1] of the CLIP embeddings of an image (file path or BLOB) and a text."""
    # Raw cosine, not CLIPScore's 2.5 * max(cos, 0) (Hessel et al. 2021): that is one SQL expression
    # away (2.5 * greatest(clip_score(...), 0)) while the raw value keeps the order of negative scores.
    images = image.to_pylist()
    texts = text.to_pylist()
    names = model.to_pylist()
    scores = np.full(len(texts), np.nan)
    for name in dict.fromkeys(names):  # one CLIP model per distinct model argument, in order of appearance
        rows = [i for i, n in enumerate(names) if n == name and images[i] is not None and texts[i] is not None]
        if not rows:
            continue
        scorer = _clip_model(ctx, name)
        # Decode one model batch at a time: a chunk of 2048 decoded photos would take gigabytes.
        for start in range(0, len(rows), scorer.batch_size):
            batch = rows[start : start + scorer.batch_size]
            decoded = [open_image(images[i], i) for i in batch]
            scores[batch] = scorer.cosine_similarity(decoded, [texts[i] for i in batch])
    return pa.array(scores, type=pa.float64(), mask=np.isnan(scores))


def _clip_model(ctx: FunctionContext, name: str | None):
    try:
        return ctx.model("clip", name)
    except ProgrammingError as error:
        if name is not None:
            raise
        raise ProgrammingError(
            f"clip_score(): {error}. aidb bundles no CLIP weights: register a local Hugging Face CLIP directory with "
            "CREATE MODEL clip TYPE clip FROM '/path/to/clip-vit-base-patch32', or pass the model name as the third argument"
        ) from error


def open_image(value: str | bytes, row: int, function: str = "clip_score") -> Image.Image:
    """A decoded image from a file path (str) or encoded bytes; DataError naming `function`, the row and the problem."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(value, str):
        try:
            with Image.open(value) as image:
                image.load()
                return image
        except FileNotFoundError:
            raise DataError(f"{function}(): image file {value!r} (row {row + 1} of the chunk) does not exist") from None
        except (OSError, UnidentifiedImageError) as error:
            raise DataError(f"{function}(): cannot read image file {value!r} (row {row + 1} of the chunk): {error}") from error
    try:
        with Image.open(io.BytesIO(value)) as image:
            image.load()
            return image
    except UnidentifiedImageError as error:
        raise _bad_blob(value, row, "not in an image format Pillow can read (PNG, JPEG, GIF, WebP, ...)", function) from error
    except OSError as error:  # a known format, but truncated or corrupt
        raise _bad_blob(value, row, f"a damaged image: {error}", function) from error


def _bad_blob(value: bytes, row: int, problem: str, function: str) -> DataError:
    return DataError(f"{function}(): the BLOB in row {row + 1} of the chunk ({len(value)} bytes, starting {value[:8]!r}) is {problem}")
