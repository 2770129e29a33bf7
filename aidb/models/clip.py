"""CLIP models (Radford et al. 2021) from a local Hugging Face directory, scoring image-text agreement.

`CREATE MODEL c TYPE clip FROM '/models/clip-vit-base-patch32'` needs a directory saved with
`CLIPModel.save_pretrained` plus its tokenizer and image processor. There is no built-in default:
no CLIP weights ship with aidb.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidb.errors import OperationalError, ProgrammingError
from aidb.models.loaders import ModelDescription, model_loader
from aidb.models.model_directory import fingerprint as directory_fingerprint
from aidb.catalog_records import ModelRecord

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

WEIGHT_SUFFIXES = (".safetensors", ".bin")
# Rows per forward pass inside one DuckDB chunk: bounds activation memory for ViT-L sized models.
BATCH_SIZE = 64


@model_loader("clip")
class ClipLoader:
    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        directory = Path(source).expanduser().resolve()
        config = _read_config(directory)
        weights = sorted(p for p in directory.iterdir() if p.suffix in WEIGHT_SUFFIXES)
        if not weights:
            raise OperationalError(f"CLIP model directory {directory} holds no weights (*.safetensors or *.bin)")
        return ModelDescription(
            fingerprint=directory_fingerprint(directory),
            dimension=config.get("projection_dim"),
            source=str(directory),
        )

    def load(self, record: ModelRecord) -> ClipScorer:
        return ClipScorer(Path(record.source))


def _read_config(directory: Path) -> dict[str, Any]:
    config_path = directory / "config.json"
    if not config_path.is_file():
        raise OperationalError(f"{directory} is not a CLIP model directory: {config_path} does not exist")
    config = json.loads(config_path.read_text())
    if config.get("model_type") != "clip":
        raise ProgrammingError(
            f"{directory} holds a {config.get('model_type')!r} model, not a CLIP model (config.json model_type must be 'clip')"
        )
    return config


class ClipScorer:
    """A CLIP model with its tokenizer and image processor, in eval mode on the CPU (or GPU when present)."""

    def __init__(self, directory: Path) -> None:
        import torch
        from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

        if not directory.is_dir():
            raise OperationalError(f"CLIP model directory {directory} is missing")
        self._torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model = CLIPModel.from_pretrained(directory).to(self.device).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(directory)
        self.image_processor = AutoImageProcessor.from_pretrained(directory)
        self.max_text_tokens = self.model.config.text_config.max_position_embeddings
        self.batch_size = BATCH_SIZE

    def cosine_similarity(self, images: list[Image.Image], texts: list[str]) -> np.ndarray:
        """Cosine of the angle between each image's and its text's projected embedding (row by row)."""
        import numpy as np

        out = np.empty(len(texts), dtype=np.float64)
        for start in range(0, len(texts), self.batch_size):
            stop = start + self.batch_size
            out[start:stop] = self._similarity_batch(images[start:stop], texts[start:stop])
        return out

    def image_embeddings(self, images: list[Image.Image]) -> np.ndarray:
        """The L2-normalised projected CLIP embedding of each image, float32 rows (for image dedup)."""
        import numpy as np

        torch = self._torch
        rows = []
        for start in range(0, len(images), self.batch_size):
            batch = [image.convert("RGB") for image in images[start : start + self.batch_size]]
            pixels = self.image_processor(images=batch, return_tensors="pt")
            with torch.inference_mode():
                embeddings = _projected(self.model.get_image_features(pixel_values=pixels["pixel_values"].to(self.device)))
                rows.append(torch.nn.functional.normalize(embeddings.float(), dim=-1).cpu().numpy())
        width = self.model.config.projection_dim
        return np.concatenate(rows) if rows else np.zeros((0, width), dtype=np.float32)

    def _similarity_batch(self, images: list[Image.Image], texts: list[str]) -> np.ndarray:
        torch = self._torch
        # each distinct text once: keyframes asks one question of every frame, a caption column repeats captions
        distinct = list(dict.fromkeys(texts))
        position = {text: i for i, text in enumerate(distinct)}
        tokens = self.tokenizer(distinct, padding=True, truncation=True, max_length=self.max_text_tokens, return_tensors="pt")
        pixels = self.image_processor(images=[image.convert("RGB") for image in images], return_tensors="pt")
        with torch.inference_mode():
            text_embeddings = self.model.get_text_features(
                input_ids=tokens["input_ids"].to(self.device), attention_mask=tokens["attention_mask"].to(self.device)
            )
            image_embeddings = self.model.get_image_features(pixel_values=pixels["pixel_values"].to(self.device))
            text_embeddings = _projected(text_embeddings)[torch.tensor([position[text] for text in texts], device=self.device)]
            image_embeddings = _projected(image_embeddings)
            similarity = torch.nn.functional.cosine_similarity(image_embeddings.float(), text_embeddings.float(), dim=-1)
        return similarity.cpu().double().numpy()


def _projected(features: Any) -> Any:
    # transformers 4 returns the projected embedding; transformers 5 an output whose pooler_output holds it.
    return features if hasattr(features, "dim") else features.pooler_output
