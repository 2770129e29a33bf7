"""Benchmark: which MatMuls the int8 ONNX embedding backend may quantise, and whether a text's vector depends on its batch.

Each recipe is exported from the bundled MiniLM (the backend's own `export_int8`, with QUANTISED_WEIGHTS and the
smoothing swapped), then run one text per call over real short paragraphs (bench/corpus.py) and degenerate texts
(a word or a symbol repeated, as spam and boilerplate are). Printed per recipe: min / mean cosine to torch
(sentence-transformers, fp32) on both sets and wall seconds for the paragraphs; torch's own time at aidb's batch
size is printed once. Then, for the default recipe, the batch check: each of 50 texts embedded alone against
the same text inside batches of 2, 4 and 8 (max 1 - cosine), with the wall time at each batch size.
Figures go to bench/results/embed_onnx_recipes.json.

    python -m bench.embed_onnx_recipes                  # 1,000 short texts, all recipes
    python -m bench.embed_onnx_recipes --texts 200 --recipes up_only,float
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
from pathlib import Path

import numpy as np

from aidb.catalog_records import ModelRecord
from aidb.models import onnx_embedding
from aidb.models.model_directory import fingerprint, resolve_source
from aidb.models.sentence_transformer import BUILTIN_SOURCE, DEFAULT_BATCH_SIZE, load_sentence_transformer
from bench.corpus import doc_texts
from bench.measure import Timer, write_results

DOWN = r"/encoder/layer\.\d+/output/dense/"
# name -> (regex of the MatMuls kept in float, smoothing on)
RECIPES = {
    "all_but_down": (DOWN, True),
    "plus_attention_out_last_layer": (DOWN + r"|/attention/output/dense/|/encoder/layer\.5/", True),
    "plus_query_key": (DOWN + r"|/attention/self/(query|key)/|/attention/output/dense/|/encoder/layer\.5/", True),
    "up_only": (r"^(?!.*intermediate[./]dense).*$", True),
    "up_only_unsmoothed": (r"^(?!.*intermediate[./]dense).*$", False),
    "float": (r"MatMul", True),
}


def degenerate_texts() -> list[str]:
    rng = random.Random(7)
    words = ["word", "the", "buy", "click", "data", "free", "python", "love", "a", "x"]
    texts = [(word + " ") * count for word in words for count in (3, 30, 200, 1000)]
    texts += [
        "!" * 500, "." * 300, "- " * 400, "= = = " * 100, "0 " * 500, " ".join(str(i) for i in range(600)),
        "ha" * 400, "lol " * 300, "\n".join(["Home | About | Contact | Login"] * 40), "buy cheap watches online " * 60,
        "我们在这里" * 100, "Привет мир " * 100, "مرحبا بالعالم " * 100, "😀" * 200, "http://example.com/" + "a/" * 300,
        "SEO SEO SEO keyword keyword " * 80, " ".join(rng.choice(["lorem", "ipsum", "dolor", "sit", "amet"]) for _ in range(800)),
        "\t".join(["col"] * 500), "AAAAAAAAAA" * 100, "<div><span></span></div>" * 80,
    ]
    return texts


def export_recipe(path: Path, folder: Path, name: str) -> Path:
    """The backend's export, its quantised set replaced unless the recipe is the backend's own (up_only)."""
    float_matmuls, smoothed = RECIPES[name]
    keep_float = re.compile(float_matmuls)
    saved = onnx_embedding._float_matmul_nodes, onnx_embedding._smooth_linear_layers, onnx_embedding.QUANTISED_WEIGHTS
    try:
        import onnx

        def float_nodes(file: Path) -> list[str]:
            graph = onnx.load(str(file), load_external_data=False).graph
            return [node.name for node in graph.node if node.op_type == "MatMul" and keep_float.search(node.name)]

        if not name.startswith("up_only"):
            onnx_embedding._float_matmul_nodes = float_nodes
            onnx_embedding.QUANTISED_WEIGHTS = re.compile(r"\.")  # smooth every Linear (as the first recipe did)
        if not smoothed:
            onnx_embedding._smooth_linear_layers = lambda *args: None
        target = folder / "model.onnx"
        onnx_embedding.export_int8(path, target, 256)
        return target
    finally:
        onnx_embedding._float_matmul_nodes, onnx_embedding._smooth_linear_layers, onnx_embedding.QUANTISED_WEIGHTS = saved


def embedder_for(file: Path, batch_size: int) -> onnx_embedding.OnnxEmbedder:
    tokenizer = onnx_embedding.load_tokenizer(onnx_embedding.tokenizer_path(file), 256)
    return onnx_embedding.OnnxEmbedder(onnx_embedding.open_session(file), tokenizer, "bench", 384, 256, batch_size)


def timed_encode(encode, texts: list[str], repeat: int = 2) -> tuple[np.ndarray, float]:
    encode(texts[:10])
    best, vectors = float("inf"), None
    for _ in range(repeat):
        with Timer() as timer:
            vectors = encode(texts)
        best = min(best, timer.wall)
    return vectors, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1000, help="real short paragraphs")
    parser.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated: " + ", ".join(RECIPES))
    args = parser.parse_args()
    path = resolve_source(BUILTIN_SOURCE)
    torch_model = load_sentence_transformer(ModelRecord("torch", "embedding", BUILTIN_SOURCE, '{"backend": "torch"}', fingerprint(path), 384))
    texts, hard = doc_texts(args.texts, "short"), degenerate_texts()
    reference, torch_wall = timed_encode(torch_model.encode, texts)
    hard_reference = torch_model.encode(hard)
    print(f"{len(texts)} short texts, {len(hard)} degenerate; torch (batch {DEFAULT_BATCH_SIZE}) {torch_wall:.2f} s wall")
    figures: dict = {"texts": len(texts), "degenerate_texts": len(hard), "torch_wall_s": torch_wall, "recipes": {}}
    print(f"{'recipe':<32}{'short min':>10}{'mean':>8}{'degen min':>10}{'mean':>8}{'wall s':>8}{'vs torch':>9}")
    for name in args.recipes.split(","):
        with tempfile.TemporaryDirectory() as folder:
            embedder = embedder_for(export_recipe(path, Path(folder), name), 1)
            vectors, wall = timed_encode(embedder.encode, texts)
            short, degenerate = np.sum(vectors * reference, axis=1), np.sum(embedder.encode(hard) * hard_reference, axis=1)
            figures["recipes"][name] = {
                "short_min": float(short.min()), "short_mean": float(short.mean()), "below_bar": int((short < onnx_embedding.MIN_COSINE).sum()),
                "degenerate_min": float(degenerate.min()), "degenerate_mean": float(degenerate.mean()), "wall_s": wall,
            }
            print(f"{name:<32}{short.min():>10.4f}{short.mean():>8.4f}{degenerate.min():>10.4f}{degenerate.mean():>8.4f}{wall:>8.2f}{torch_wall / wall:>8.2f}x")
            if name == "up_only":
                figures["batch_dependence"] = batch_dependence(embedder, texts)
    write_results("embed_onnx_recipes", figures)


def batch_dependence(embedder: onnx_embedding.OnnxEmbedder, texts: list[str]) -> dict:
    """Max 1 - cosine between a text embedded alone and inside batches (sorted by length, as the backend batches)."""
    alone = np.vstack([embedder.encode([text]) for text in texts[:50]])
    result = {}
    for batch_size in (1, 2, 4, 8):
        embedder.batch_size = batch_size
        vectors, wall = timed_encode(embedder.encode, texts)
        drift = float((1 - np.sum(vectors[:50] * alone, axis=1)).max())
        result[batch_size] = {"max_one_minus_cosine_vs_alone": drift, "wall_s": wall}
        print(f"  batch {batch_size}: max 1 - cosine to the text alone {drift:.2e}, {wall:.2f} s wall")
    embedder.batch_size = 1
    return result


if __name__ == "__main__":
    main()
