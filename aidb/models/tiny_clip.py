"""A reproducible recipe for a tiny CLIP, trained offline on CPU in seconds, for tests, the demo and notebooks.

No CLIP weights can be downloaded here, so aidb trains its own toy: a word-level tokenizer over the caption
words ("a photo of a red circle"), 32x32 images of one coloured square or circle drawn with Pillow, and a
2-layer text and vision transformer (width 32, projection 16) trained with CLIP's symmetric InfoNCE loss
(Radford et al. 2021) on those generated image-caption pairs. It knows 3 colours x 2 shapes and nothing else:
it is a stand-in with the interface of a real CLIP, and any real CLIP folder works the same way.

    python -m aidb.models.tiny_clip /tmp/tiny_clip            # 300 steps, ~11 s of one CPU core
    CREATE MODEL clip TYPE clip FROM '/tmp/tiny_clip';

`save_tiny_clip(directory)` writes an untrained model; `train_tiny_clip(directory, steps)` trains and saves it.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}
SHAPES = ("square", "circle")
WORDS = ["<pad>", "<bos>", "<eos>", "<unk>", "a", "photo", "of", *COLOURS, *SHAPES]
IMAGE_SIZE = 32
IMAGES_PER_PAIR = 4  # drawings of each (colour, shape) per training step
POOL_BATCHES = 24  # distinct preprocessed training batches, cycled


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
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # saving a 100 kB model prints no "Writing model shards" bar
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


def train_tiny_clip(directory: Path, steps: int = 300) -> Path:
    """Save a tiny CLIP trained to match 'a <colour> <shape>' captions with drawn images.

    Each step contrasts IMAGES_PER_PAIR fresh-looking drawings of every (colour, shape) pair with the six
    captions: image-to-caption cross-entropy plus caption-to-image cross-entropy against all of its drawings
    (CLIP's symmetric loss, with several positives per caption since captions repeat within a batch).
    """
    import torch
    import torch.nn.functional as F

    model, tokenizer, processor = save_tiny_clip(directory)
    pairs = [(colour, shape) for colour in COLOURS for shape in SHAPES]
    captions = [f"a {colour} {shape}" for colour, shape in pairs]
    tokens = tokenizer(captions, padding=True, return_tensors="pt")
    rng = random.Random(0)
    # A fixed pool of drawings, preprocessed once: image preprocessing would dominate the step time.
    labels = torch.arange(len(pairs)).repeat(IMAGES_PER_PAIR)
    pool = [
        processor(images=[draw(*pairs[i], rng) for i in labels.tolist()], return_tensors="pt")["pixel_values"] for _ in range(POOL_BATCHES)
    ]
    text_targets = F.one_hot(labels, len(pairs)).T.float()
    text_targets /= text_targets.sum(dim=1, keepdim=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    # One thread: for a model this small, thread synchronisation costs more than it saves (7x on a busy 2-core box).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for step in range(steps):
            output = model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"], pixel_values=pool[step % len(pool)])
            loss = F.cross_entropy(output.logits_per_image, labels) + F.cross_entropy(output.logits_per_text, text_targets)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    finally:
        torch.set_num_threads(threads)
    model.eval()
    model.save_pretrained(directory)
    return directory


def main(argv: list[str] | None = None) -> None:
    """Command line: train the tiny CLIP into a folder and print how long it took."""
    import argparse
    import time

    parser = argparse.ArgumentParser(prog="python -m aidb.models.tiny_clip", description="Train aidb's tiny CLIP on generated shapes.")
    parser.add_argument("directory", type=Path, help="folder to save the model in (created)")
    parser.add_argument("--steps", type=int, default=300, help="contrastive training steps (default 300)")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    train_tiny_clip(options.directory, steps=options.steps)
    print(f"tiny CLIP trained in {time.perf_counter() - started:.1f} s ({options.steps} steps): CREATE MODEL clip TYPE clip FROM '{options.directory.resolve()}'")


if __name__ == "__main__":
    main()
