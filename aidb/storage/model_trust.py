"""Which model catalog rows this machine's aidb wrote: an HMAC of each row keyed by a per-machine secret.

A `.aidb` file may come from someone else, and whoever can write its catalog can point a model at
any file (a pickle among them). aidb signs every model row it creates with a secret kept in the
user's config folder (`$XDG_CONFIG_HOME/aidb/model-signing-key`, else `~/.config/aidb/...`, mode
0600); a row whose signature does not verify was written elsewhere, or changed since.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

KEY_FILE = "model-signing-key"
_keys: dict[Path, bytes] = {}  # by key file: tests point XDG_CONFIG_HOME elsewhere to play another machine
_key_lock = threading.Lock()


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "aidb"


def signing_key() -> bytes:
    """This machine's secret, made on first use; a process-only one where the config folder cannot be written."""
    path = config_dir() / KEY_FILE
    with _key_lock:
        if path not in _keys:
            _keys[path] = _read_or_create(path)
        return _keys[path]


def _read_or_create(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key.hex())
    except FileExistsError:  # another process made it first
        return bytes.fromhex(path.read_text().strip())
    except OSError:
        pass  # models made now verify in this process only
    return key


def sign_model(name: str, kind: str, source: str, fingerprint: str | None) -> str:
    message = "\0".join((name, kind, source, fingerprint or "")).encode("utf-8", "surrogatepass")
    return hmac.new(signing_key(), message, hashlib.sha256).hexdigest()


def signature_valid(name: str, kind: str, source: str, fingerprint: str | None, signature: str | None) -> bool:
    return signature is not None and hmac.compare_digest(sign_model(name, kind, source, fingerprint), signature)
