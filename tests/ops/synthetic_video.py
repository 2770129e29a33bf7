"""Short videos made in memory with PyAV: one drawn frame per time step, for the keyframe tests."""

from __future__ import annotations

import io


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
