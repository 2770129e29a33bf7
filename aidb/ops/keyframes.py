"""Question-conditioned video keyframes (KeyVideoLLM-style, Liang et al. 2024): the k frames that best match a question.

Each video is decoded with PyAV (FFmpeg) at `candidate_fps` candidate frames per second, every candidate is
scored against the row's question by a text-image model (the CLIP cosine of `clip_score`), and the k best are
kept greedily with at least `min_gap_s` seconds between kept frames, so the selection spreads over the video
instead of taking k neighbours of one moment. When the gap leaves fewer than k, the best remaining frames fill up.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from aidb.errors import DataError, OperationalError, ProgrammingError
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, input_column, operator, quote_identifier

if TYPE_CHECKING:
    from PIL import Image

RESULT_SCHEMA = pa.schema([
    ("video_id", pa.string()), ("frame_index", pa.int64()), ("timestamp_s", pa.float64()), ("score", pa.float64()), ("frame_png", pa.binary()),
])
# Frames scored per model call: bounds the decoded images held at once.
SCORE_BATCH = 64
Scorer = Callable[[list["Image.Image"], list[str]], np.ndarray]


@dataclass(frozen=True)
class Candidate:
    frame_index: int  # index of the frame among all decoded frames of the video
    timestamp_s: float
    image: Any  # PIL.Image.Image


def require_av() -> Any:
    try:
        import av
    except ImportError as error:
        raise OperationalError('keyframes() decodes video with PyAV, which is not installed: pip install "aidb[video]"') from error
    return av


def candidate_frames(video: bytes | str, candidate_fps: float, place: str) -> Iterator[Candidate]:
    """Decoded frames about 1 / candidate_fps seconds apart (the first frame at or after each tick)."""
    av = require_av()
    source = io.BytesIO(video) if isinstance(video, bytes) else video
    try:
        with av.open(source) as container:
            if not container.streams.video:
                raise DataError(f"keyframes(): {place} has no video stream")
            stream = container.streams.video[0]
            next_tick = 0.0
            for index, frame in enumerate(container.decode(stream)):
                seconds = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 1)
                if seconds + 1e-9 >= next_tick:
                    yield Candidate(index, seconds, frame.to_image())
                    next_tick = seconds + 1.0 / candidate_fps
    except (av.error.FFmpegError, OSError) as error:
        raise DataError(f"keyframes(): {place} is not a readable video: {error}") from error


def select_spread(timestamps: np.ndarray, scores: np.ndarray, k: int, min_gap_s: float) -> list[int]:
    """Indices of up to k candidates: best score first, skipping any within min_gap_s of a kept one, then filling up."""
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    for i in order:
        if len(kept) == k:
            break
        if all(abs(timestamps[i] - timestamps[j]) >= min_gap_s for j in kept):
            kept.append(int(i))
    for i in order:
        if len(kept) == k:
            break
        if int(i) not in kept:
            kept.append(int(i))
    return sorted(kept, key=lambda i: timestamps[i])


def keyframes(
    table: pa.Table,
    video_col: str,
    question_col: str,
    score: Scorer,
    *,
    k: int = 8,
    candidate_fps: float = 1.0,
    min_gap_s: float | None = None,
    id_col: str | None = None,
) -> pa.Table:
    """(video_id, frame_index, timestamp_s, score, frame_png) of the k best frames of each row's video for its question.

    `video_col` holds encoded video bytes (BLOB) or file paths (VARCHAR); `min_gap_s` defaults to 1 / candidate_fps.
    Rows with a NULL video or question give no frames; an unreadable or empty video is a DataError naming the row.
    """
    _check_arguments(table, video_col, question_col, k, candidate_fps, min_gap_s, id_col)
    gap = 1.0 / candidate_fps if min_gap_s is None else float(min_gap_s)
    ids = table.column(id_col).to_pylist() if id_col else list(range(1, table.num_rows + 1))
    out: dict[str, list] = {name: [] for name in RESULT_SCHEMA.names}
    for row_id, video, question in zip(ids, table.column(video_col).to_pylist(), table.column(question_col).to_pylist()):
        if video is None or question is None:
            continue
        place = f"the video of row {id_col or 'number'} {row_id!r}"
        frames = list(candidate_frames(video, candidate_fps, place))
        if not frames:
            raise DataError(f"keyframes(): {place} has no frames (zero-length video)")
        scores = np.concatenate([
            np.asarray(score([f.image for f in frames[s : s + SCORE_BATCH]], [question] * len(frames[s : s + SCORE_BATCH])), dtype=np.float64)
            for s in range(0, len(frames), SCORE_BATCH)
        ])
        timestamps = np.array([f.timestamp_s for f in frames])
        for i in select_spread(timestamps, scores, k, gap):
            out["video_id"].append(str(row_id))
            out["frame_index"].append(frames[i].frame_index)
            out["timestamp_s"].append(frames[i].timestamp_s)
            out["score"].append(float(scores[i]))
            out["frame_png"].append(_png(frames[i].image))
    return pa.table(out, schema=RESULT_SCHEMA)


def _check_arguments(table: pa.Table, video_col: str, question_col: str, k: int, fps: float, gap: float | None, id_col: str | None) -> None:
    for argument, column in (("video_col", video_col), ("question_col", question_col), ("id_col", id_col)):
        if column is not None and column not in table.column_names:
            raise ProgrammingError(f"keyframes(): argument {argument}: {column!r} is not a column of the table ({', '.join(table.column_names)})")
    kind = table.schema.field(video_col).type
    if not (pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise ProgrammingError(f"keyframes(): argument video_col: column {video_col!r} is {kind}; it must hold video bytes (BLOB) or file paths (VARCHAR)")
    question_kind = table.schema.field(question_col).type
    if not (pa.types.is_string(question_kind) or pa.types.is_large_string(question_kind)):
        raise ProgrammingError(f"keyframes(): argument question_col: column {question_col!r} is {question_kind}, not text")
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ProgrammingError(f"keyframes(): argument k must be a positive integer, got {k!r}")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0:
        raise ProgrammingError(f"keyframes(): argument candidate_fps must be a positive number, got {fps!r}")
    if gap is not None and (isinstance(gap, bool) or not isinstance(gap, (int, float)) or gap < 0):
        raise ProgrammingError(f"keyframes(): argument min_gap_s must be a number >= 0, got {gap!r}")


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@operator(
    name="keyframes",
    params=[
        OperatorParam("videos", "table"),
        OperatorParam("video_col", "column"),
        OperatorParam("question_col", "column"),
        OperatorParam("k", "integer", 8),
        OperatorParam("candidate_fps", "number", 1.0),
        OperatorParam("min_gap_s", "number", None),
        OperatorParam("model", "string", None),
        OperatorParam("id_col", "column", None),
    ],
)
def keyframes_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """The k frames of each video best matching its question by CLIP, spread in time: (video_id, frame_index, timestamp_s, score, frame_png)."""
    video_col = input_column(source, "keyframes", "video_col", args["video_col"])
    question_col = input_column(source, "keyframes", "question_col", args["question_col"])
    id_col = args["id_col"] or ("id" if "id" in source.columns else None)
    columns = [c for c in (id_col, video_col, question_col) if c is not None]
    table = source.query([quote_identifier(c) for c in dict.fromkeys(columns)])
    require_av()  # before the model loads: say which extra is missing first
    scorer = source.context.model("clip", args["model"])
    return OperatorResult(keyframes(
        table, video_col, question_col, scorer.cosine_similarity, k=args["k"], candidate_fps=args["candidate_fps"],
        min_gap_s=args["min_gap_s"], id_col=id_col,
    ))
