"""The demo's generated media (aidb/demo/media.py): planted captions and a video whose answer frames decode back."""

from __future__ import annotations

import random

from aidb.demo import media


def test_every_fourth_caption_is_planted_wrong_and_labelled_by_what_differs(tmp_path) -> None:
    rows = media._caption_rows(tmp_path / "images", random.Random(0))
    assert len(rows) == 60 and all((tmp_path / "images" / f"{r['id']:03d}.png").is_file() for r in rows)
    wrong = [r for r in rows if r["planted"] != "match"]
    assert [r["id"] for r in wrong] == list(range(0, 60, 4))
    for row in rows:
        drawn = media.PAIRS[row["id"] % len(media.PAIRS)]
        said = tuple(row["caption"].split()[1:])
        expected = "match" if said == drawn else "wrong colour" if said[0] != drawn[0] else "wrong shape"
        assert row["planted"] == expected


def test_the_video_decodes_to_its_frames_with_the_answer_in_four_seconds() -> None:
    import av
    import io

    rows, images = media.shape_video(random.Random(0))
    answers = [r["frame_index"] for r in rows if r["shows_question"]]
    assert len(rows) == 48 and len(answers) == 4 and len({i // media.VIDEO_FPS for i in answers}) == 4
    with av.open(io.BytesIO(media.encode_video(images, media.VIDEO_FPS))) as container:
        decoded = [frame.to_image() for frame in container.decode(video=0)]
    assert len(decoded) == 48 and decoded[0].size == (64, 64)
    blue = [decoded[i].getpixel((x, y)) for i in answers for x in range(64) for y in range(64)]
    assert all(any(b > 150 and r < 90 for r, g, b in blue[k * 4096 : (k + 1) * 4096]) for k in range(4))  # a blue shape each
