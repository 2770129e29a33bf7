"""Benchmark: aidb `embed(text, m)` with the int8 ONNX backend vs torch `SentenceTransformer.encode` at its best batch size.

The same measurement as bench/embed.py (shared code there: real short and long texts, the peer's batch size
picked by timing, sides alternated, best of `--repeat`), with the aidb model created
`WITH (backend = 'onnx')`: exported once to an int8 ONNX file cached under $AIDB_CACHE_DIR/onnx and verified
against torch at CREATE MODEL (its time is printed, not counted). Asserted: every aidb vector has cosine >=
the backend's own bar (aidb.models.onnx_embedding.MIN_COSINE, 0.99) to the fp32 torch vector.
Figures go to bench/results/embed_onnx.json.

    python -m bench.embed_onnx                      # 1,000 short and 200 long texts, 2 rounds
    python -m bench.embed_onnx --short 300 --long 60
"""

from __future__ import annotations

from aidb.models.onnx_embedding import MIN_COSINE
from bench.embed import run_benchmark

if __name__ == "__main__":
    run_benchmark(__doc__, "embed_onnx", "backend = 'onnx'", MIN_COSINE, 1000, 200)
