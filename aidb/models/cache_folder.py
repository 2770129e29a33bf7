"""Where aidb keeps what it derives from models (trained reference LMs, exported ONNX copies): one folder for all.

`$AIDB_CACHE_DIR`, else `$XDG_CACHE_HOME/aidb`, else `~/.cache/aidb`. Everything in it can be deleted; it is rebuilt on use.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("AIDB_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "aidb"
