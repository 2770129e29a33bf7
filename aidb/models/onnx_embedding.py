"""The `onnx` embedding backend: an int8 ONNX Runtime copy of a sentence-transformers model, used only if it agrees with torch.

The model is exported once per model (keyed by the content of its weights) into aidb's cache folder
($AIDB_CACHE_DIR/onnx, else $XDG_CACHE_HOME/aidb/onnx, else ~/.cache/aidb/onnx), with mean pooling and L2
normalisation inside the graph, then its MatMul weights are quantised to int8 (dynamic activation
quantisation, per-channel weights). Before the backend is used, every one of a fixed set of varied sentences
and long texts must embed with cosine >= MIN_COSINE to the torch output; otherwise an OperationalError refuses
the backend, so CREATE MODEL fails and the catalog is not changed. A passed verification is stamped beside the
exported file (its SHA-256, the ONNX Runtime version, the bar and the verification texts), so later processes
skip loading torch; any change to one of those verifies again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
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
from filelock import FileLock

from aidb.errors import OperationalError
from aidb.file_digest import file_sha256
from aidb.models.cache_folder import cache_dir as aidb_cache_dir
from aidb.models.model_directory import WEIGHT_SUFFIXES, transformer_directory
from aidb.models.onnx_samples import CALIBRATION_SENTENCES, verification_texts

# The bar for using the int8 copy: cosine to the torch embedding, for every verification text.
MIN_COSINE = 0.99
# SmoothQuant's migration strength (Xiao et al. 2023, arXiv:2211.10438): how much of the activations'
# per-channel outlier range is moved into the weights before int8 quantisation. Measured on MiniLM over
# 200 short texts (min cosine to torch), with every MatMul but the down projections int8: no smoothing 0.974,
# alpha 0.5 0.961, 0.7 0.989, 0.8 0.980, 0.9 0.925. With only the up projections int8 it still matters (below).
SMOOTHING_ALPHA = 0.7
# The only MatMuls quantised to int8: each layer's feed-forward up projection (`intermediate.dense`, the widest
# weight, 384 x 1536 in MiniLM); attention and the down projection stay float. Measured on MiniLM one text per call
# (python -m bench.embed_onnx_recipes: min / mean cosine to torch on 1,000 real ~240-character paragraphs, min over
# 60 degenerate texts such as "free free free ...", "= = = ...", 500 "!"; speed against torch at batch 8):
#   all weights int8 except the down projections (the first recipe)   0.9829 / 0.9967   degenerate 0.9647   1.93x
#   + attention outputs and the last layer float                       0.9928 / 0.9980   degenerate 0.9804   1.83x
#   + query and key float too                                          0.9976 / 0.9996   degenerate 0.9952   1.66x
#   only the up projections int8 (this rule)                           0.9988 / 0.9997   degenerate 0.9966   1.74x
#   the same without smoothing                                         0.9935 / 0.9980   degenerate 0.9919   1.75x
#   no int8 at all (float ONNX)                                        1.0000 / 1.0000   degenerate 1.0000   1.52x
# Repeated tokens are the hard case: every token carries the same quantisation error, which mean pooling keeps.
QUANTISED_WEIGHTS = re.compile(r"intermediate[./]dense")
# Texts per ONNX Runtime call. Dynamic quantisation takes one activation scale per tensor, i.e. over the whole
# batch, padding included: in a batch of 2-8 a text's vector depends on its neighbours (measured on MiniLM, max
# 1 - cosine between a text embedded alone and in a batch: 5e-3 with the first recipe, 2.3-3.1e-4 with this one).
# One text per call makes every text's vector a function of that text alone (bit-identical however the rows are
# chunked, cached or spread over Ray workers) and was the fastest (bench/embed_onnx_recipes.py, 1,000 short texts:
# batch 1 10.85 s wall, 2 11.07, 4 11.40, 8 12.04). `WITH (batch_size = n)` trades that for nothing measurable.
DEFAULT_BATCH_SIZE = 1
# Batches run side by side, one thread each (ONNX Runtime's `run` is thread-safe and releases the GIL), instead
# of one batch at a time split across an intra-op pool: small batches leave little to split. On 2 cores over
# 1,000 short texts: one intra-op pool of 2 threads 2.78 s wall / 4.94 CPU-s; two single-threaded runs 2.24 s / 4.38.
# At most one per CPU, and no more than OMP_NUM_THREADS where that is set: Ray sets it to an actor's CPUs (1), and
# two runs in each of two one-CPU actors on 2 cores measured 0.78x the local engine's rate instead of >= 1x.
MAX_PARALLEL_RUNS = 8
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
FINGERPRINT_SUFFIX = "-onnx-int8"
# Part of the cached file's name: bump it when the export recipe changes, so old exports are not reused.
EXPORT_VERSION = 4
STAMP_SUFFIX = ".verified.json"

# exported file -> ((mtime, size, tokenizer's mtime) when verified, min cosine): describe() then load() check the stamp only once
_verified: dict[Path, tuple[tuple[int, int, int], float]] = {}
_verify_lock = threading.Lock()


def parallel_runs() -> int:
    """ONNX Runtime calls an embedder runs side by side (MAX_PARALLEL_RUNS)."""
    cpus = os.cpu_count() or 1
    try:
        allowed = int(os.environ.get("OMP_NUM_THREADS", cpus))
    except ValueError:
        allowed = cpus
    return max(1, min(MAX_PARALLEL_RUNS, cpus, allowed))


def cache_dir() -> Path:
    directory = aidb_cache_dir() / "onnx"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def export_key(path: Path, model_fingerprint: str) -> str:
    """The cached export's key: the model fingerprint plus the full content of its weight files.

    The fingerprint hashes weights by name and size only (cheap on big checkpoints); an exported copy must not
    be reused for other weights of the same shape, so the key reads them (about 0.1 s for MiniLM's 90 MB).
    """
    digest = hashlib.sha256(model_fingerprint.encode())
    for file in sorted(f for f in transformer_directory(path).iterdir() if f.suffix in WEIGHT_SUFFIXES):
        digest.update(file.name.encode() + b"\0" + file_sha256(file).encode())
    return digest.hexdigest()[:16]


def exported_path(key: str) -> Path:
    return cache_dir() / f"{key}-int8-v{EXPORT_VERSION}.onnx"


def tokenizer_path(exported: Path) -> Path:
    return exported.with_name(exported.name + ".tokenizer.json")


def load_tokenizer(file: Path, max_length: int) -> Any:
    """The exported model's tokenizer (`tokenizers.Tokenizer`), truncating at `max_length` and padding to a batch's longest."""
    from tokenizers import Tokenizer

    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_str(saved["tokenizer"])
    except Exception as error:  # OSError, bad JSON, or the tokenizers library's own exception type
        raise OperationalError(f"onnx backend refused: cannot read the exported tokenizer {file} (delete it to export again): {error}") from error
    tokenizer.enable_truncation(max_length=max_length)  # the file's own settings (MiniLM: 128, fixed padding) are replaced
    tokenizer.enable_padding(pad_id=int(saved.get("pad_id") or 0), pad_token=str(saved.get("pad_token") or "[PAD]"))
    return tokenizer


def _load_transformer(path: Path) -> tuple[Any, Any]:
    """The bare transformer and its fast tokenizer, local files only.

    Eager attention: an earlier export with the default (SDPA) attention measured cosine 0.88-0.98 to torch
    even unquantised; with eager attention the float32 export measures 1.0000 on MiniLM.
    """
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # CREATE MODEL / the first embed() prints no weight-loading bar
    folder = transformer_directory(path)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True, use_fast=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager").eval()
    return model, tokenizer


def _smooth_linear_layers(model: Any, tokenizer: Any, max_length: int) -> None:
    """SmoothQuant without folding: each Linear to be quantised becomes x * (1/s) @ (s * W), s from calibration activation maxima.

    BERT is post-LayerNorm, so a LayerNorm output is also the residual stream and 1/s cannot be folded into
    it; an explicit per-channel multiply costs little next to the matmul.
    """
    import torch

    linears = {
        name: module for name, module in model.encoder.named_modules()
        if isinstance(module, torch.nn.Linear) and QUANTISED_WEIGHTS.search(name)
    }
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
    """Export the model at `path` to an int8 ONNX file at `target`, written atomically (temp files, then rename).

    Its tokenizer goes beside it (tokenizer_path) as the `tokenizers` library's JSON that transformers' fast
    tokenizer runs, so loading the backend later needs neither transformers nor torch (2.4 s of imports).
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model, tokenizer = _load_transformer(path)
    if "token_type_ids" not in tokenizer.model_input_names:
        raise OperationalError(f"the onnx backend supports BERT-style models (input_ids, attention_mask, token_type_ids); {path} is not one")
    _smooth_linear_layers(model, tokenizer, max_length)
    sample = tokenizer(["an example sentence", "short"], padding=True, return_tensors="pt")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
        float_file, int8_file = Path(scratch) / "float32.onnx", Path(scratch) / "int8.onnx"
        tokenizer_file = Path(scratch) / "tokenizer.json"
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
        # Only weight MatMuls (embeddings stay float), and of those only QUANTISED_WEIGHTS.
        with _quiet_root_logger():
            quantize_dynamic(
                str(float_file), str(int8_file), weight_type=QuantType.QInt8, per_channel=True,
                op_types_to_quantize=["MatMul"], nodes_to_exclude=_float_matmul_nodes(float_file),
            )
        tokenizer_file.write_text(
            json.dumps({"tokenizer": tokenizer.backend_tokenizer.to_str(), "pad_id": tokenizer.pad_token_id, "pad_token": tokenizer.pad_token}),
            encoding="utf-8",
        )
        os.replace(tokenizer_file, tokenizer_path(target))
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
    return [node.name for node in graph.node if node.op_type == "MatMul" and not QUANTISED_WEIGHTS.search(node.name)]


@dataclass
class OnnxEmbedder:
    """The int8 ONNX model behind the same `encode` interface as the torch SentenceEmbedder."""

    session: Any
    tokenizer: Any
    fingerprint: str
    dimension: int
    max_length: int
    batch_size: int
    min_cosine: float | None = None  # what verification against torch measured
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(parallel_runs(), thread_name_prefix="aidb-onnx"), repr=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Batches of similar length pad little (sentence-transformers sorts the same way).
        order = np.argsort([-len(text) for text in texts], kind="stable")
        batches = [order[start : start + self.batch_size] for start in range(0, len(texts), self.batch_size)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self.lock:
            # Tokenised on the calling thread, batch by batch (a batch pads to its own longest text).
            feeds = [self._feeds([texts[row] for row in rows]) for rows in batches]
            for rows, output in zip(batches, self.pool.map(self._run, feeds)):
                vectors[rows] = output
        return vectors

    def _feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }

    def _run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, feeds)[0]


def open_session(file: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # parallel across batches instead (parallel_runs())
    options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own unexported exception types for bad files
        raise OperationalError(f"onnx backend refused: cannot open exported model {file} (delete it to export again): {error}") from error


def verify(embedder: OnnxEmbedder, torch_encode: Any, file: Path) -> float:
    """Minimum cosine over the verification texts (sentences, degenerate and long texts); OperationalError when any is below MIN_COSINE."""
    texts = verification_texts()
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
    """Export (once per model), open and verify the int8 model; `torch_encode(texts)` gives the reference embeddings.

    The embedder's `min_cosine` is what verification measured (now, or as stamped by an earlier process).
    """
    file = exported_path(export_key(path, model_fingerprint))
    with _verify_lock:
        if not (file.exists() and tokenizer_path(file).exists()):
            # Processes starting together (Ray actors, parallel jobs) export once: the others wait, then find the file.
            with FileLock(str(file) + ".lock"):
                if not (file.exists() and tokenizer_path(file).exists()):
                    export_int8(path, file, max_length)
        embedder = OnnxEmbedder(
            open_session(file), load_tokenizer(tokenizer_path(file), max_length), model_fingerprint + FINGERPRINT_SUFFIX,
            dimension, max_length, batch_size,
        )
        state = (file.stat().st_mtime_ns, file.stat().st_size, tokenizer_path(file).stat().st_mtime_ns)
        known = _verified.get(file)
        if known is not None and known[0] == state:
            embedder.min_cosine = known[1]
            return embedder
        expected = _stamp_fields(file)
        min_cosine = _stamped_min_cosine(file, expected)
        if min_cosine is None:
            min_cosine = verify(embedder, torch_encode, file)
            _write_stamp(file, {**expected, "min_cosine": min_cosine})
        _verified[file] = (state, min_cosine)
        embedder.min_cosine = min_cosine
    return embedder


def _stamp_fields(file: Path) -> dict[str, object]:
    """What a verification stamp must match to stand for a verification of `file` in this environment."""
    import onnxruntime

    texts = hashlib.sha256("\0".join(verification_texts()).encode()).hexdigest()
    return {
        "onnx_sha256": file_sha256(file), "tokenizer_sha256": file_sha256(tokenizer_path(file)),
        "onnxruntime": onnxruntime.__version__, "bar": MIN_COSINE, "texts_sha256": texts,
    }


def _stamped_min_cosine(file: Path, expected: dict[str, object]) -> float | None:
    """The min cosine an earlier verification stamped for exactly this file, runtime, bar and texts; None otherwise."""
    try:
        stamp = json.loads(file.with_name(file.name + STAMP_SUFFIX).read_text(encoding="utf-8"))
        if all(stamp.get(key) == value for key, value in expected.items()):
            min_cosine = float(stamp["min_cosine"])
            return min_cosine if min_cosine >= MIN_COSINE else None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass  # no stamp, or not one aidb wrote: verify again
    return None


def _write_stamp(file: Path, stamp: dict[str, object]) -> None:
    target = file.with_name(file.name + STAMP_SUFFIX)
    try:
        with tempfile.NamedTemporaryFile("w", dir=file.parent, prefix=".stamp-", suffix=".json", delete=False, encoding="utf-8") as handle:
            json.dump(stamp, handle, sort_keys=True)
        os.replace(handle.name, target)
    except OSError:
        pass  # a read-only cache only costs the next process a verification
