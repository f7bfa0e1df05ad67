"""Ed25519 signatures over the manifest, and the signing key files (PEM, PKCS#8 / SPKI).

The signature covers the SHA-256 of the exact bytes of ``manifest.json`` (in a domain-separated
message, so a signature cannot be replayed for another purpose); the manifest covers every other
file by SHA-256, so one signature check plus the hashes proves the whole production unchanged.
Signing the digest rather than the bytes keeps memory flat: Ed25519 needs its whole message in
memory, and the manifest of a large production runs to hundreds of megabytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sealroom.errors import KeyFileError


def generate_signing_key(path: Path) -> tuple[Path, Path]:
    """Write a new private key (owner-only) to ``path`` and its public key to ``path.pub.pem``."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    pub = path.with_name(path.name + ".pub.pem")
    pub.write_bytes(public_pem(key.public_key()))
    return path, pub


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.is_file():
        raise KeyFileError(f"signing key not found: {path}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 key (sealroom signs with Ed25519)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    if not path.is_file():
        raise KeyFileError(f"public key not found: {path}")
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what the parties compare out of band."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


MESSAGE_PREFIX = b"sealroom.production/1 manifest.json sha256 "


def manifest_message(manifest_sha256: str) -> bytes:
    return MESSAGE_PREFIX + manifest_sha256.encode("ascii")


def sign_manifest(key: Ed25519PrivateKey, manifest_sha256: str) -> bytes:
    """The signature file's content: base64 of the 64-byte signature and a newline."""
    return base64.b64encode(key.sign(manifest_message(manifest_sha256))) + b"\n"


def manifest_signature_valid(key: Ed25519PublicKey, manifest_sha256: str, signature_file: bytes) -> bool:
    try:
        raw = base64.b64decode(signature_file.strip(), validate=True)
        key.verify(raw, manifest_message(manifest_sha256))
    except (InvalidSignature, ValueError):
        return False
    return True
