"""The `onnx` embedding backend: an int8 ONNX Runtime copy of a sentence-transformers model, used only if it agrees with torch.

The model is exported once per model fingerprint into a cache folder ($AIDB_CACHE_DIR/onnx, default
~/.cache/aidb/onnx), with mean pooling and L2 normalisation inside the graph, then its MatMul weights are
quantised to int8 (dynamic activation quantisation, per-channel weights). Before the backend is used, every
one of a fixed set of varied sentences must embed with cosine >= MIN_COSINE to the torch output; otherwise
an OperationalError refuses the backend, so CREATE MODEL fails and the catalog is not changed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aidb.errors import OperationalError
from aidb.models.onnx_samples import CALIBRATION_SENTENCES, VERIFICATION_SENTENCES, long_verification_texts

# The bar for keeping a faster backend: cosine to the torch embedding, for every verification sentence.
MIN_COSINE = 0.99
# SmoothQuant's migration strength (Xiao et al. 2023, arXiv:2211.10438): how much of the activations'
# per-channel outlier range is moved into the weights before int8 quantisation. Measured on MiniLM over
# 200 short texts (min cosine to torch): no smoothing 0.974, alpha 0.5 0.961, 0.7 0.989, 0.8 0.980, 0.9 0.925.
SMOOTHING_ALPHA = 0.7
# MatMuls kept in float: the feed-forward down projections, whose GELU inputs carry BERT's largest activation
# outliers (Bondarenko et al. 2021, arXiv:2109.12948). On MiniLM (min cosine to torch over the verification
# sentences / 600 short texts): all int8 0.983 / 0.980 at 2.7x torch speed; down projections float 0.997 /
# 0.998 at ~2.1x; first layer float instead 0.987 ('yes') at 2.6x, below the bar.
FLOAT_MATMULS = re.compile(r"/encoder/layer\.\d+/output/dense/")
# Texts per ONNX Runtime call (sorted by length first). Dynamic quantisation takes one activation scale per
# tensor, i.e. over the whole batch: small batches keep that range tight and the activations in cache. On
# MiniLM over 1,000 short texts, one batch at a time (CPU s vs torch at its best batch size; min cosine to
# torch): batch 64 1.6-2.0x, 0.9971; 32 2.0-2.2x, 0.9985; 16 2.3-2.6x, 0.9986; 8 2.4-2.7x, 0.9988. Two batches
# side by side (PARALLEL_RUNS), wall s: batch 8 2.24-2.26, 6 2.29, 4 2.11-2.18, 2 2.22.
DEFAULT_BATCH_SIZE = 4
# Batches run side by side, one thread each (ONNX Runtime's `run` is thread-safe and releases the GIL), instead
# of one batch at a time split across an intra-op pool: small batches leave little to split. On 2 cores over
# 1,000 short texts: one intra-op pool of 2 threads 2.78 s wall / 4.94 CPU-s; two single-threaded runs 2.24 s / 4.38.
PARALLEL_RUNS = max(1, min(8, os.cpu_count() or 1))
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
FINGERPRINT_SUFFIX = "-onnx-int8"
# Part of the cached file's name: bump it when the export recipe changes, so old exports are not reused.
EXPORT_VERSION = 1

_verified: dict[Path, int] = {}  # exported file -> its mtime when verified, so describe() then load() verify only once
_verify_lock = threading.Lock()


def cache_dir() -> Path:
    root = os.environ.get("AIDB_CACHE_DIR")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "aidb"
    directory = base / "onnx"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def exported_path(model_fingerprint: str) -> Path:
    return cache_dir() / f"{model_fingerprint}-int8-v{EXPORT_VERSION}.onnx"


def _load_transformer(path: Path) -> tuple[Any, Any]:
    """The bare transformer and its fast tokenizer, local files only.

    Eager attention: an earlier export with the default (SDPA) attention measured cosine 0.88-0.98 to torch
    even unquantised; with eager attention the float32 export measures 1.0000 on MiniLM.
    """
    from transformers import AutoModel, AutoTokenizer

    from aidb.models.model_directory import transformer_directory

    folder = transformer_directory(path)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, use_fast=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager").eval()
    return model, tokenizer


def _smooth_linear_layers(model: Any, tokenizer: Any, max_length: int) -> None:
    """SmoothQuant without folding: each encoder Linear becomes x * (1/s) @ (s * W), s from calibration activation maxima.

    BERT is post-LayerNorm, so a LayerNorm output is also the residual stream and 1/s cannot be folded into
    it; an explicit per-channel multiply costs little next to the matmul.
    """
    import torch

    linears = {name: module for name, module in model.encoder.named_modules() if isinstance(module, torch.nn.Linear)}
    maxima: dict[str, torch.Tensor] = {}

    def recorder(name: str):
        def record(_module, inputs, _output) -> None:
            channel_max = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            maxima[name] = torch.maximum(maxima[name], channel_max) if name in maxima else channel_max

        return record

    hooks = [module.register_forward_hook(recorder(name)) for name, module in linears.items()]
    try:
        with torch.no_grad():
            batch = tokenizer(list(CALIBRATION_SENTENCES), padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            model(**batch)
    finally:
        for hook in hooks:
            hook.remove()
    for name, linear in linears.items():
        parent_name, _, attribute = name.rpartition(".")
        parent = model.encoder.get_submodule(parent_name) if parent_name else model.encoder
        setattr(parent, attribute, _smoothed_linear_type()(linear, maxima[name]))


def _pooled_module(model: Any) -> Any:
    """The transformer plus sentence-transformers' mean pooling over the attention mask and L2 normalisation."""
    import torch

    class MeanPooledNormalised(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return MeanPooledNormalised(model)


@functools.cache
def _smoothed_linear_type() -> type:
    """The torch module class, built on first use so that importing this module does not import torch."""
    import torch

    class SmoothedLinear(torch.nn.Module):
        def __init__(self, linear: torch.nn.Linear, activation_max: torch.Tensor) -> None:
            super().__init__()
            weight_max = linear.weight.detach().abs().amax(0).clamp(min=1e-5)
            scale = (activation_max.clamp(min=1e-5) ** SMOOTHING_ALPHA / weight_max ** (1 - SMOOTHING_ALPHA)).clamp(min=1e-5)
            self.register_buffer("inverse_scale", 1.0 / scale)
            self.linear = torch.nn.Linear(linear.in_features, linear.out_features, bias=linear.bias is not None)
            with torch.no_grad():
                self.linear.weight.copy_(linear.weight * scale)
                if linear.bias is not None:
                    self.linear.bias.copy_(linear.bias)

        def forward(self, x):
            return self.linear(x * self.inverse_scale)

    return SmoothedLinear


def export_int8(path: Path, target: Path, max_length: int) -> None:
    """Export the model at `path` to an int8 ONNX file at `target`, written atomically (temp files, then rename)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model, tokenizer = _load_transformer(path)
    if "token_type_ids" not in tokenizer.model_input_names:
        raise OperationalError(f"the onnx backend supports BERT-style models (input_ids, attention_mask, token_type_ids); {path} is not one")
    _smooth_linear_layers(model, tokenizer, max_length)
    sample = tokenizer(["an example sentence", "short"], padding=True, return_tensors="pt")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
        float_file, int8_file = Path(scratch) / "float32.onnx", Path(scratch) / "int8.onnx"
        axes = {name: {0: "batch", 1: "sequence"} for name in ONNX_INPUTS}
        # The exporter's tracer warnings and the quantiser's "consider pre-processing" log line are expected
        # here and would otherwise reach the user's terminal at CREATE MODEL.
        with torch.no_grad(), warnings.catch_warnings(), _quiet_root_logger():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _pooled_module(model), tuple(sample[name] for name in ONNX_INPUTS), str(float_file),
                input_names=list(ONNX_INPUTS), output_names=["embedding"], dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=OPSET, dynamo=False,  # the TorchScript exporter; the dynamo one needs onnxscript
            )
        # Only weight MatMuls (embeddings stay float), and none of FLOAT_MATMULS.
        with _quiet_root_logger():
            quantize_dynamic(
                str(float_file), str(int8_file), weight_type=QuantType.QInt8, per_channel=True,
                op_types_to_quantize=["MatMul"], nodes_to_exclude=_float_matmul_nodes(float_file),
            )
        os.replace(int8_file, target)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _float_matmul_nodes(file: Path) -> list[str]:
    import onnx

    graph = onnx.load(str(file), load_external_data=False).graph
    return [node.name for node in graph.node if node.op_type == "MatMul" and FLOAT_MATMULS.search(node.name)]


@dataclass
class OnnxEmbedder:
    """The int8 ONNX model behind the same `encode` interface as the torch SentenceEmbedder."""

    session: Any
    tokenizer: Any
    fingerprint: str
    dimension: int
    max_length: int
    batch_size: int
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(PARALLEL_RUNS, thread_name_prefix="aidb-onnx"), repr=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Batches of similar length pad little (sentence-transformers sorts the same way).
        order = np.argsort([-len(text) for text in texts], kind="stable")
        batches = [order[start : start + self.batch_size] for start in range(0, len(texts), self.batch_size)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self.lock:
            # Tokenised here, not in the pool: a fast tokenizer resets its padding state per call and is not thread-safe.
            feeds = [self._feeds([texts[row] for row in rows]) for rows in batches]
            for rows, output in zip(batches, self.pool.map(self._run, feeds)):
                vectors[rows] = output
        return vectors

    def _feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        return {name: batch[name].astype(np.int64) for name in ONNX_INPUTS}

    def _run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, feeds)[0]


def open_session(file: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # parallel across batches instead (PARALLEL_RUNS)
    options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own unexported exception types for bad files
        raise OperationalError(f"onnx backend refused: cannot open exported model {file} (delete it to export again): {error}") from error


def verify(embedder: OnnxEmbedder, torch_encode: Any, file: Path) -> float:
    """Minimum cosine over the verification texts (sentences and long texts); OperationalError when any is below MIN_COSINE."""
    texts = [*VERIFICATION_SENTENCES, *long_verification_texts()]
    try:
        cosines = np.sum(embedder.encode(texts) * np.asarray(torch_encode(texts), dtype=np.float32), axis=1)
    except OperationalError:
        raise
    except Exception as error:
        raise OperationalError(f"onnx backend refused: the exported model {file} fails to run: {error}") from error
    worst = int(np.argmin(cosines))
    if not cosines[worst] >= MIN_COSINE:  # `not >=` also refuses NaN
        raise OperationalError(
            f"onnx backend refused: int8 model {file} agrees with torch at min cosine {cosines[worst]:.4f} "
            f"(needs >= {MIN_COSINE}) on {texts[worst]!r}; use backend = 'torch'"
        )
    return float(cosines[worst])


def build_onnx_embedder(
    path: Path, model_fingerprint: str, dimension: int, max_length: int, batch_size: int, torch_encode: Any
) -> OnnxEmbedder:
    """Export (once per fingerprint), open and verify the int8 model; `torch_encode(texts)` gives the reference embeddings."""
    from transformers import AutoTokenizer

    from aidb.models.model_directory import transformer_directory

    file = exported_path(model_fingerprint)
    with _verify_lock:
        if not file.exists():
            export_int8(path, file, max_length)
        tokenizer = AutoTokenizer.from_pretrained(str(transformer_directory(path)), local_files_only=True, use_fast=True)
        embedder = OnnxEmbedder(
            open_session(file), tokenizer, model_fingerprint + FINGERPRINT_SUFFIX, dimension, max_length, batch_size
        )
        stamp = file.stat().st_mtime_ns
        if _verified.get(file) != stamp:
            verify(embedder, torch_encode, file)
            _verified[file] = stamp
    return embedder
