"""keyframes: question-conditioned frame selection with the tiny CLIP on generated videos, spread, errors naming the row."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from aidb.errors import DataError, ProgrammingError
from aidb.models.tiny_clip import COLOURS, SHAPES, draw
from aidb.ops.keyframes import keyframes, select_spread
from aidb.demo.media import encode_video

PAIRS = [(colour, shape) for colour in COLOURS for shape in SHAPES]
FPS = 4
FRAMES = 40  # 10 seconds
ANSWER_FRAMES = 4


def question_videos(videos: int = 6, seed: int = 0) -> tuple[pa.Table, dict[str, set[int]]]:
    """Videos of drawn shapes where only ANSWER_FRAMES frames (at least 1 s apart) show the questioned shape."""
    rng = random.Random(seed)
    rows, answers = [], {}
    for number in range(videos):
        colour, shape = PAIRS[number % len(PAIRS)]
        others = [p for p in PAIRS if p != (colour, shape)]
        answer = set(rng.sample(range(0, FRAMES, FPS), ANSWER_FRAMES))  # one candidate second each
        answer = {index + rng.randrange(FPS) for index in answer}
        frames = [draw(*((colour, shape) if i in answer else rng.choice(others)), rng).resize((64, 64)) for i in range(FRAMES)]
        rows.append({"id": f"v{number}", "video": encode_video(frames, FPS), "question": f"a {colour} {shape}"})
        answers[f"v{number}"] = answer
    return pa.Table.from_pylist(rows), answers


@pytest.fixture(scope="module")
def clip_scorer(tiny_clip_dir: Path):
    from aidb.models.clip import ClipScorer

    return ClipScorer(tiny_clip_dir).cosine_similarity


def test_keyframes_find_the_answer_frames_twice_as_often_as_uniform_sampling(clip_scorer) -> None:
    table, answers = question_videos()
    k = 4
    chosen = keyframes(table, "video", "question", clip_scorer, k=k, candidate_fps=FPS, min_gap_s=0.5, id_col="id")
    assert chosen.num_rows == k * table.num_rows
    hits = sum(index in answers[video] for video, index in zip(chosen.column("video_id").to_pylist(), chosen.column("frame_index").to_pylist()))
    # uniform sampling of k frames, averaged over every phase of its grid
    step = FRAMES // k
    uniform_rate = np.mean([
        sum(offset + i * step in answer for answer in answers.values() for i in range(k)) / (k * len(answers)) for offset in range(step)
    ])
    hit_rate = hits / chosen.num_rows
    assert uniform_rate == pytest.approx(ANSWER_FRAMES / FRAMES)
    assert hit_rate >= 2 * uniform_rate and hit_rate >= 0.4, (hit_rate, uniform_rate)


def test_output_frames_are_pngs_in_time_order(clip_scorer) -> None:
    from PIL import Image
    import io

    table, _ = question_videos(videos=1)
    chosen = keyframes(table, "video", "question", clip_scorer, k=3, candidate_fps=1)
    assert chosen.column("video_id").to_pylist() == ["1"] * 3  # no id_col: the row number
    times = chosen.column("timestamp_s").to_pylist()
    assert times == sorted(times) and all(t == int(t) for t in times)  # one candidate per second
    assert min(np.diff(times)) >= 1.0
    with Image.open(io.BytesIO(chosen.column("frame_png")[0].as_py())) as image:
        assert image.format == "PNG" and image.size == (64, 64)


def test_select_spread_keeps_the_gap_then_fills() -> None:
    times = np.array([0.0, 0.1, 0.2, 5.0, 9.0])
    scores = np.array([0.9, 0.8, 0.7, 0.1, 0.2])
    assert select_spread(times, scores, 2, min_gap_s=1.0) == [0, 4]
    assert select_spread(times, scores, 4, min_gap_s=1.0) == [0, 1, 3, 4]  # gap-respecting 0, 4, 3, then best left: 1
    assert select_spread(times, scores, 9, min_gap_s=0.0) == [0, 1, 2, 3, 4]


def test_bad_videos_and_arguments_name_the_row_or_argument(clip_scorer, tmp_path: Path) -> None:
    good, _ = question_videos(videos=1)
    table = pa.table({"id": ["ok", "broken"], "video": [good.column("video")[0].as_py(), b"not a video at all"], "question": ["a red square"] * 2})
    with pytest.raises(DataError, match=r"the video of row id 'broken' is not a readable video"):
        keyframes(table, "video", "question", clip_scorer, id_col="id")
    empty = pa.table({"id": ["none"], "video": [str(tmp_path / "missing.mp4")], "question": ["a red square"]})
    with pytest.raises(DataError, match=r"row id 'none'"):
        keyframes(empty, "video", "question", clip_scorer, id_col="id")
    numbers = pa.table({"video": [1, 2], "question": ["a", "b"]})
    with pytest.raises(ProgrammingError, match=r"argument video_col: column 'video' is int64; it must hold video bytes"):
        keyframes(numbers, "video", "question", clip_scorer)
    with pytest.raises(ProgrammingError, match="argument k must be a positive integer"):
        keyframes(good, "video", "question", clip_scorer, k=0)
    with pytest.raises(ProgrammingError, match="argument question_col: 'q' is not a column"):
        keyframes(good, "video", "q", clip_scorer)


def test_keyframes_in_sql(con, tiny_clip_dir: Path) -> None:
    import aidb

    table, answers = question_videos(videos=2)
    con.execute(f"CREATE MODEL tiny TYPE clip FROM '{tiny_clip_dir}'")
    con.register("video_rows", table)
    con.execute("CREATE TABLE videos AS SELECT * FROM video_rows")
    rows = con.execute(
        "SELECT video_id, frame_index, timestamp_s FROM keyframes(videos, video, question, k := 3, candidate_fps := 4) ORDER BY video_id, timestamp_s"
    ).fetchall()
    assert len(rows) == 6 and {v for v, _, _ in rows} == {"v0", "v1"}  # the id column names the videos
    assert sum(index in answers[video] for video, index, _ in rows) >= 3
    with pytest.raises(aidb.ProgrammingError, match="argument video_col: column 'n' is int32; it must hold video bytes"):
        con.execute("SELECT * FROM keyframes((SELECT 1 AS n, question FROM videos), n, question)")
    with pytest.raises(aidb.DataError, match="the video of row id 'v0' is not a readable video"):
        con.execute("SELECT * FROM keyframes(videos, question, question)")  # text read as a path that is no video
