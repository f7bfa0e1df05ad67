"""Encrypted delivery: each volume (and the production's top-level files) as a tar archive
encrypted to age X25519 recipients with ``pyrage``.

Why age: the receiving side can decrypt with ``sealroom decrypt`` or with any age implementation
(the ``age`` command line tool, rage, …) without trusting our code; age encrypts in 64 KiB chunks,
each authenticated (ChaCha20-Poly1305) with a final-chunk flag, so a truncated or altered archive
fails to decrypt instead of yielding a shorter plaintext. The tar stream goes through a pipe, so
neither the archive nor the volume is ever held in memory or written unencrypted.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sealroom.errors import ConfigError, KeyFileError
from sealroom.produce.errors import DecryptionError
from sealroom.produce.volume import MANIFEST, PUBLIC_KEY, REDACTION_LOG, SIGNATURE, VOLUME_RE

TOP_LEVEL = (MANIFEST, SIGNATURE, PUBLIC_KEY, REDACTION_LOG)
TOP_ARCHIVE = "PRODUCTION"
SUFFIX = ".tar.age"


def _pyrage():  # type: ignore[no-untyped-def]
    try:
        import pyrage
    except ImportError:  # pragma: no cover - pyrage is a dependency
        raise ConfigError("encryption needs the pyrage package", code="no_pyrage") from None
    return pyrage


def parse_recipients(spec: str) -> list[object]:
    """``age1…`` recipients, comma-separated, or a file of them (one per line, ``#`` comments)."""
    pyrage = _pyrage()
    items = [s.strip() for s in spec.split(",") if s.strip()]
    if len(items) == 1 and not items[0].startswith("age1"):
        p = Path(items[0])
        if not p.is_file():
            raise ConfigError(f"--encrypt-to {items[0]!r} is neither an age1… recipient nor a file", code="recipient")
        lines = p.read_text(encoding="utf-8").splitlines()
        items = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    out = []
    for item in items:
        try:
            out.append(pyrage.x25519.Recipient.from_str(item))
        except Exception:
            raise ConfigError(f"not an age X25519 recipient: {item[:12]}…", code="recipient") from None
    if not out:
        raise ConfigError("--encrypt-to names no recipient", code="recipient")
    return out


def generate_identity(path: Path) -> str:
    """Write an age identity (owner-only) and return its public recipient string."""
    pyrage = _pyrage()
    ident = pyrage.x25519.Identity.generate()
    recipient = str(ident.to_public())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"# public key: {recipient}\n{ident}\n")
    return recipient


def load_identities(path: Path) -> list[object]:
    pyrage = _pyrage()
    if not path.is_file():
        raise KeyFileError(f"identity file not found: {path}")
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            try:
                ids.append(pyrage.x25519.Identity.from_str(s))
            except Exception:
                raise KeyFileError(f"{path} holds a line that is not an age identity") from None
    if not ids:
        raise KeyFileError(f"{path} holds no age identity")
    return ids


def _normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # no owner names or times from this machine inside the archive
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    return info


def _piped(produce_into: Callable[[IO[bytes]], None], consume_from: Callable[[IO[bytes]], None]) -> None:
    """Run ``produce_into(writer)`` in a thread while ``consume_from(reader)`` reads the other end."""
    r, w = os.pipe()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with os.fdopen(w, "wb") as wf:
                produce_into(wf)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        with os.fdopen(r, "rb") as rf:
            consume_from(rf)
    finally:
        t.join()
    if errors:
        raise errors[0]


def _encrypt_tree(root: Path, members: list[str], target: Path, recipients: list[object]) -> None:
    pyrage = _pyrage()

    def write_tar(fh: IO[bytes]) -> None:
        with tarfile.open(fileobj=fh, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for name in members:
                p = root / name
                if p.is_dir():
                    for sub in sorted(p.rglob("*")):
                        tar.add(sub, arcname=str(sub.relative_to(root)), recursive=False, filter=_normalize)
                else:
                    tar.add(p, arcname=name, recursive=False, filter=_normalize)

    tmp = target.with_name(".tmp-" + target.name)
    with open(tmp, "wb") as out:
        _piped(write_tar, lambda rf: pyrage.encrypt_io(rf, out, recipients))
    os.replace(tmp, target)


def encrypt_production(
    production: Path, delivery: Path, recipients: list[object], *, show_progress: bool = True
) -> list[Path]:
    """``VOLnnn.tar.age`` per volume and ``PRODUCTION.tar.age`` with the manifest, signature,
    public key and redaction log, written to ``delivery``."""
    delivery.mkdir(parents=True, exist_ok=True)
    archives = []
    volumes = sorted(p.name for p in production.iterdir() if p.is_dir() and VOLUME_RE.match(p.name))
    top = [n for n in TOP_LEVEL if (production / n).exists()]
    for name, members in [(TOP_ARCHIVE, top)] + [(v, [v]) for v in volumes]:
        target = delivery / f"{name}{SUFFIX}"
        _encrypt_tree(production, members, target, recipients)
        archives.append(target)
    return archives


def decrypt_delivery(source: Path, identity: Path, out: Path) -> list[Path]:
    """Decrypt every ``*.tar.age`` in ``source`` (a folder or one file) into ``out``.

    Each archive is extracted into a temporary folder first and moved into place only after the
    whole stream decrypted and authenticated, so a truncated archive leaves nothing behind.
    """
    pyrage = _pyrage()
    identities = load_identities(identity)
    archives = sorted(source.glob(f"*{SUFFIX}")) if source.is_dir() else [source]
    if not archives:
        raise DecryptionError(f"no *{SUFFIX} archive in {source}", code="decrypt_nothing")
    out.mkdir(parents=True, exist_ok=True)
    restored = []
    for archive in archives:
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-decrypt-", dir=out))
        try:

            def extract(rf: IO[bytes], dest: Path = tmp) -> None:
                with tarfile.open(fileobj=rf, mode="r|") as tar:
                    # the "data" filter refuses absolute paths, "..", links out of dest and devices
                    tar.extractall(dest, filter="data")

            try:
                with open(archive, "rb") as src:
                    _piped(lambda wf, src=src: pyrage.decrypt_io(src, wf, identities), extract)
            except (OSError, tarfile.TarError, ValueError) as exc:
                raise DecryptionError(
                    f"{archive.name}: cannot decrypt ({type(exc).__name__}): wrong identity, or the archive is "
                    "truncated or altered"
                ) from None
            for item in sorted(tmp.iterdir()):
                dest = out / item.name
                if dest.exists():
                    raise DecryptionError(f"{dest} already exists; decrypt into an empty folder", code="decrypt_exists")
                os.replace(item, dest)
                restored.append(dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return restored
