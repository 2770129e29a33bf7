"""A tiny CLIP built offline for tests: word-level tokenizer over colour/shape words, 32x32 images.

`save_tiny_clip(directory)` writes an untrained model; `train_tiny_clip(directory)` additionally runs a
few contrastive steps (Radford et al. 2021 symmetric InfoNCE) on PIL-drawn coloured squares and circles.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}
SHAPES = ("square", "circle")
WORDS = ["<pad>", "<bos>", "<eos>", "<unk>", "a", "photo", "of", *COLOURS, *SHAPES]
IMAGE_SIZE = 32


def draw(colour: str, shape: str, rng: random.Random | None = None) -> "Image.Image":  # noqa: F821
    """A 32x32 grey image with one coloured shape at a random place and size."""
    from PIL import Image, ImageDraw

    rng = rng or random.Random(0)
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), (128, 128, 128))
    size = rng.randint(12, 20)
    x, y = rng.randint(0, IMAGE_SIZE - size), rng.randint(0, IMAGE_SIZE - size)
    box = (x, y, x + size, y + size)
    pen = ImageDraw.Draw(image)
    (pen.rectangle if shape == "square" else pen.ellipse)(box, fill=COLOURS[colour])
    return image


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def save_tiny_clip(directory: Path):
    """Write an untrained tiny CLIP with its tokenizer and image processor; returns the model."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, PreTrainedTokenizerFast

    vocab = {word: index for index, word in enumerate(WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<bos> $A <eos>", special_tokens=[("<bos>", vocab["<bos>"]), ("<eos>", vocab["<eos>"])]
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>"
    )
    config = CLIPConfig(
        text_config=dict(
            vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
            max_position_embeddings=16, bos_token_id=vocab["<bos>"], eos_token_id=vocab["<eos>"], pad_token_id=vocab["<pad>"],
        ),
        vision_config=dict(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=IMAGE_SIZE, patch_size=8,
        ),
        projection_dim=16,
    )
    torch.manual_seed(0)
    model = CLIPModel(config)
    processor = CLIPImageProcessor(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    wrapped.save_pretrained(directory)
    processor.save_pretrained(directory)
    return model, wrapped, processor


def train_tiny_clip(directory: Path, steps: int = 150) -> Path:
    """Save a tiny CLIP trained to match 'a <colour> <shape>' captions with drawn images."""
    import torch

    model, tokenizer, processor = save_tiny_clip(directory)
    pairs = [(colour, shape) for colour in COLOURS for shape in SHAPES]
    captions = [f"a {colour} {shape}" for colour, shape in pairs]
    tokens = tokenizer(captions, padding=True, return_tensors="pt")
    rng = random.Random(0)
    # A fixed pool of drawings per pair, preprocessed once: image preprocessing would dominate the step time.
    pool = [processor(images=[draw(c, s, rng) for c, s in pairs], return_tensors="pt")["pixel_values"] for _ in range(16)]
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    # One thread: for a model this small, thread synchronisation costs more than it saves (7x on a busy 2-core box).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for step in range(steps):
            pixels = pool[step % len(pool)]
            loss = model(
                input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"], pixel_values=pixels, return_loss=True
            ).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.save_pretrained(directory)
    return directory
