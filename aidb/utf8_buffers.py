"""The raw UTF-8 bytes of an Arrow string array, for numpy and numba kernels that work on bytes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def offsets_and_bytes(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data) of a large_string array: string i is data[offsets[i]:offsets[i + 1]], offsets[0] == 0.

    Honours the array's slice offset; NULL entries read as empty strings.
    """
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)[strings.offset : strings.offset + len(strings) + 1]
    data_buffer = strings.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]] if data_buffer is not None else np.zeros(0, np.uint8)
    return offsets - offsets[0], data
