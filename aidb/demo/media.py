"""The demo's multimodal inputs: aidb's small CLIP trained here, drawn image-caption pairs with planted wrong
captions, and a short video in which a few frames show what its question asks for (the same files every run).

The CLIP is `aidb.models.tiny_clip`: 32x32 drawings of 3 colours x 2 shapes, nothing else. It is a stand-in with a
real CLIP's interface (no CLIP weights can be downloaded here); a real CLIP folder registers and runs the same way.
"""

from __future__ import annotations

import io
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from aidb.models.tiny_clip import COLOURS, SHAPES, draw, train_tiny_clip

CLIP_STEPS = 300  # the recipe's default: ~5 s of one core
PAIRS = [(colour, shape) for colour in COLOURS for shape in SHAPES]
IMAGES_PER_PAIR = 10
WRONG_EVERY = 4  # every 4th image gets the caption of another drawing
VIDEO_QUESTION = ("blue", "square")
VIDEO_FPS = 4
VIDEO_SECONDS = 12
ANSWER_FRAMES = 4  # frames, in 4 different seconds, that show the question's shape; the rest show other shapes
FRAME_SIZE = 64


@dataclass(frozen=True)
class DemoMedia:
    folder: Path
    clip_dir: Path  # the trained model, a CLIP folder (config.json, weights, tokenizer, image processor)
    captions: Path  # JSON Lines: id, image (a PNG path), caption, planted ('match', 'wrong colour', 'wrong shape')
    video: Path  # MP4
    frames: Path  # JSON Lines: frame_index, timestamp_s, drawn (its caption), shows_question
    question: str
    training_s: float


def encode_video(frames: list, fps: int = 4) -> bytes:
    """MP4 (MPEG-4 part 2, which every FFmpeg build encodes) bytes of PIL `frames` at `fps` frames per second."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = frames[0].size
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "2"}  # near-lossless: colours survive encoding
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_image(image.convert("RGB"))):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def write_media_inputs(folder: Path, seed: int = 0) -> DemoMedia:
    """Train the small CLIP into `folder`/tiny_clip and write the image-caption pairs and the video beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    clip_dir = train_tiny_clip(folder / "tiny_clip", steps=CLIP_STEPS)
    training_s = time.perf_counter() - started
    rng = random.Random(seed)
    captions = folder / "captions.jsonl"
    captions.write_text("".join(json.dumps(row) + "\n" for row in _caption_rows(folder / "images", rng)), encoding="utf-8")
    video, frames = folder / "shapes.mp4", folder / "frames.jsonl"
    rows, images = shape_video(rng)
    video.write_bytes(encode_video(images, VIDEO_FPS))
    frames.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    question = _caption(VIDEO_QUESTION)
    return DemoMedia(folder, clip_dir, captions, video, frames, question, training_s)


def _caption(pair: tuple[str, str]) -> str:
    return f"a {pair[0]} {pair[1]}"


def _caption_rows(image_folder: Path, rng: random.Random) -> list[dict]:
    image_folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in range(IMAGES_PER_PAIR * len(PAIRS)):
        drawn = PAIRS[number % len(PAIRS)]
        path = image_folder / f"{number:03d}.png"
        draw(*drawn, rng).save(path)
        said = drawn if number % WRONG_EVERY else rng.choice([p for p in PAIRS if p != drawn])
        planted = "match" if said == drawn else "wrong colour" if said[0] != drawn[0] else "wrong shape"
        rows.append({"id": number, "image": path.as_posix(), "caption": _caption(said), "planted": planted})
    return rows


def shape_video(rng: random.Random, question: tuple[str, str] = VIDEO_QUESTION) -> tuple[list[dict], list]:
    """The frames of a VIDEO_SECONDS video (PIL images) and a row per frame saying what it shows: ANSWER_FRAMES
    frames, in different seconds, show `question`'s shape, the others another shape."""
    total = VIDEO_SECONDS * VIDEO_FPS
    answer = {second * VIDEO_FPS + rng.randrange(VIDEO_FPS) for second in rng.sample(range(VIDEO_SECONDS), ANSWER_FRAMES)}
    others = [p for p in PAIRS if p != question]
    rows, images = [], []
    for index in range(total):
        drawn = question if index in answer else rng.choice(others)
        images.append(draw(*drawn, rng).resize((FRAME_SIZE, FRAME_SIZE)))
        rows.append({"frame_index": index, "timestamp_s": index / VIDEO_FPS, "drawn": _caption(drawn), "shows_question": index in answer})
    return rows, images
