"""Keyframe scoring: `keyframes()` through SQL vs a direct PyAV + CLIP loop, with the same tiny CLIP, side by side.

Videos: the demo's generated shape videos (aidb/demo/media.py `shape_video`: 12 s at 4 fps, 64x64, a question per
video whose shape 4 frames show), MP4 bytes in a DuckDB BLOB column. The model: aidb's tiny CLIP
(`aidb.models.tiny_clip`, trained once before timing), registered with CREATE MODEL for aidb and loaded with
transformers' `CLIPModel` / `AutoTokenizer` / `AutoImageProcessor` for the peer.

- aidb: `SELECT video_id, frame_index FROM keyframes(videos, video, question, k := 4, candidate_fps := 4,
  min_gap_s := 1)`.
- the peer, as one would write it by hand: per video, decode every frame with PyAV (`container.decode`,
  `frame.to_image()`), encode the question once and all frames in one batch under `torch.inference_mode()`,
  cosine of the normalised projections, then the same greedy pick (best first, 1 s apart).

Both must pick the same frames of every video (asserted). frames/s counts decoded frames.

    python -m bench.keyframes --videos 40 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa

import aidb
from aidb.demo.media import PAIRS, VIDEO_FPS, encode_video, shape_video
from aidb.models.tiny_clip import train_tiny_clip
from bench.measure import alternate, ratio, summarise, write_results

K = 4
MIN_GAP_S = 1.0


def make_videos(count: int, seed: int = 0) -> tuple[pa.Table, int]:
    rng = random.Random(seed)
    rows, frames = [], 0
    for number in range(count):
        colour, shape = PAIRS[number % len(PAIRS)]
        truth, images = shape_video(rng, (colour, shape))
        rows.append({"id": f"v{number}", "video": encode_video(images, VIDEO_FPS), "question": f"a {colour} {shape}"})
        frames += len(truth)
    return pa.Table.from_pylist(rows), frames


class DirectLoop:
    """PyAV decoding and transformers' CLIP called directly: the loop a user would write without aidb."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

        self.torch = torch
        self.model = CLIPModel.from_pretrained(model_dir).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.processor = AutoImageProcessor.from_pretrained(model_dir)

    def pick(self, video: bytes, question: str) -> list[int]:
        import av

        torch = self.torch
        with av.open(io.BytesIO(video)) as container:
            decoded = list(container.decode(video=0))
        times = np.array([float(frame.time) for frame in decoded])
        images = [frame.to_image() for frame in decoded]
        with torch.inference_mode():
            tokens = self.tokenizer([question], return_tensors="pt")
            text = _tensor(self.model.get_text_features(**tokens))
            pixels = self.processor(images=images, return_tensors="pt")["pixel_values"]
            image = _tensor(self.model.get_image_features(pixel_values=pixels))
            scores = torch.nn.functional.cosine_similarity(image, text, dim=-1).double().numpy()
        kept: list[int] = []
        for i in np.argsort(-scores, kind="stable"):
            if len(kept) < K and all(abs(times[i] - times[j]) >= MIN_GAP_S for j in kept):
                kept.append(int(i))
        return sorted(kept)


def _tensor(features):
    return features if hasattr(features, "dim") else features.pooler_output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model_dir = train_tiny_clip(Path(tempfile.mkdtemp(prefix="bench_keyframes_")) / "tiny_clip")
    table, frames = make_videos(args.videos)
    con = aidb.connect(":memory:", autocommit=True, progress=False)
    con.session.duck.register("video_rows", table)
    con.execute("CREATE TABLE videos AS SELECT * FROM video_rows")
    con.execute(f"CREATE MODEL clip TYPE clip FROM '{model_dir}'")
    direct = DirectLoop(model_dir)
    ids, videos, questions = (table.column(c).to_pylist() for c in ("id", "video", "question"))

    def peer() -> set[tuple[str, int]]:
        return {(video_id, index) for video_id, video, question in zip(ids, videos, questions) for index in direct.pick(video, question)}

    def aidb_sql() -> set[tuple[str, int]]:
        rows = con.execute(
            f"SELECT video_id, frame_index FROM keyframes(videos, video, question, k := {K}, candidate_fps := {VIDEO_FPS}, min_gap_s := {MIN_GAP_S})"
        ).fetchall()
        return {(video_id, index) for video_id, index in rows}

    runs = alternate({"PyAV + CLIP loop": peer, "aidb": aidb_sql}, repeat=args.repeat)
    assert runs["aidb"].result == runs["PyAV + CLIP loop"].result, "different frames picked"
    assert len(runs["aidb"].result) == K * args.videos
    figures = {
        "videos": args.videos, "frames": frames, "k": K,
        "sides": summarise(runs, items=frames), "aidb_vs_direct_loop": ratio(runs, "PyAV + CLIP loop", "aidb"),
    }
    print("keyframes:", frames, "frames;", {name: round(frames / run.best_wall) for name, run in runs.items()}, "frames/s;",
          "aidb / loop", figures["aidb_vs_direct_loop"], flush=True)
    print(write_results("keyframes", figures))


if __name__ == "__main__":
    main()
