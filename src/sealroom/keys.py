"""Secret keys: loaded from a file or an environment variable, never from the repo or a manifest.

Only a key's *fingerprint* (a domain-separated hash) may be written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from sealroom.errors import KeyFileError

MIN_KEY_BYTES = 16


@dataclass(frozen=True, repr=False)
class SecretKey:
    """Raw key bytes with a safe repr (the bytes never print)."""

    material: bytes
    origin: str

    def __repr__(self) -> str:
        return f"SecretKey(origin={self.origin!r}, fingerprint={self.fingerprint})"

    @property
    def fingerprint(self) -> str:
        """A public, non-reversible identifier of the key (safe in manifests and reports)."""
        return hashlib.sha256(b"sealroom-key-fingerprint\x00" + self.material).hexdigest()[:16]

    def derive(self, purpose: str) -> bytes:
        """A sub-key per purpose, so one key file can serve sampling, pseudonyms and date shifts
        without one use revealing anything about another."""
        return hmac.new(self.material, b"sealroom-derive\x00" + purpose.encode(), "sha256").digest()


def load_key(path: str | os.PathLike[str] | None = None, *, env: str = "SEALROOM_KEY") -> SecretKey:
    """Read a key from ``path``, or from the environment variable ``env`` when no path is given.

    The file's bytes are the key (surrounding whitespace stripped, so an editor's newline does not
    change it). A key shorter than 16 bytes is refused.
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise KeyFileError(f"key file not found: {p}")
        try:
            material = p.read_bytes().strip()
        except OSError as exc:
            raise KeyFileError(f"key file unreadable: {p} ({exc.strerror})") from None
        origin = f"file:{p.name}"
    else:
        value = os.environ.get(env)
        if value is None:
            raise KeyFileError(f"no key: pass --key-file or set {env}")
        material = value.strip().encode()
        origin = f"env:{env}"
    if not material:
        raise KeyFileError(f"key is empty ({origin})")
    if len(material) < MIN_KEY_BYTES:
        raise KeyFileError(f"key is shorter than {MIN_KEY_BYTES} bytes ({origin})")
    return SecretKey(material, origin)


def generate_key_file(path: str | os.PathLike[str]) -> SecretKey:
    """Write a new random 32-byte key (hex) with owner-only permissions."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(os.urandom(32).hex() + "\n")
    return load_key(p)
