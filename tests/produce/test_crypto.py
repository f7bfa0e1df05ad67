from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from sealroom.errors import ConfigError
from sealroom.produce.crypto import decrypt_delivery, generate_identity, parse_recipients
from sealroom.produce.errors import DecryptionError
from sealroom.produce.verify import verify_production

pyrage = pytest.importorskip("pyrage")


@pytest.fixture
def identity(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "receiver.age"
    return path, generate_identity(path)


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_encrypted_delivery_round_trips_and_verifies(larger_dataset, make_production, identity, tmp_path) -> None:
    ident, recipient = identity
    r = make_production(larger_dataset, volume_size=20_000, encrypt_to=recipient)
    names = sorted(a.name for a in r.archives)
    assert names == ["PRODUCTION.tar.age"] + [f"{v}.tar.age" for v in r.volumes]
    for a in r.archives:
        assert a.read_bytes().startswith(b"age-encryption.org/v1\n")
        assert b"ABC0000001" not in a.read_bytes()
    received = tmp_path / "received"
    decrypt_delivery(r.out / "delivery", ident, received)
    original = {k: v for k, v in files_of(r.out).items() if not k.startswith("delivery/")}
    assert files_of(received) == original
    assert verify_production(received).ok
    # the production folder itself still verifies: the delivery folder is not part of it
    assert verify_production(r.out).ok


def test_truncated_or_altered_archive_fails_and_leaves_nothing(small_dataset, make_production, identity, tmp_path):
    ident, recipient = identity
    r = make_production(small_dataset, encrypt_to=recipient)
    vol = r.out / "delivery" / "VOL001.tar.age"
    data = vol.read_bytes()
    for name, broken in [
        ("truncated", data[: len(data) - 100]),
        ("flipped", data[:-50] + bytes([data[-50] ^ 1]) + data[-49:]),
    ]:
        bad = tmp_path / f"{name}.tar.age"
        bad.write_bytes(broken)
        dest = tmp_path / f"out-{name}"
        with pytest.raises(DecryptionError, match=f"{name}.tar.age"):
            decrypt_delivery(bad, ident, dest)
        assert list(dest.iterdir()) == []


def test_wrong_identity_is_refused(small_dataset, make_production, identity, tmp_path) -> None:
    _, recipient = identity
    r = make_production(small_dataset, encrypt_to=recipient)
    other = tmp_path / "other.age"
    generate_identity(other)
    with pytest.raises(DecryptionError):
        decrypt_delivery(r.out / "delivery", other, tmp_path / "x")


def test_several_recipients_from_a_file(small_dataset, make_production, tmp_path) -> None:
    a, b = tmp_path / "a.age", tmp_path / "b.age"
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# counsel\n{generate_identity(a)}\n# expert\n{generate_identity(b)}\n")
    r = make_production(small_dataset, encrypt_to=str(recipients))
    for who in (a, b):
        assert verify_production(decrypt_delivery(r.out / "delivery", who, tmp_path / who.stem)[0].parent).ok


def test_bad_recipients_are_refused_before_any_work(tmp_path: Path) -> None:
    for spec in ("age1notarecipient", str(tmp_path / "missing.txt"), ""):
        with pytest.raises(ConfigError):
            parse_recipients(spec)


def test_archives_refuse_path_traversal(tmp_path: Path, identity) -> None:
    ident, recipient = identity
    evil = tmp_path / "evil.tar"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(evil, "w") as tar:
        tar.add(payload, arcname="../escaped.txt")
    enc = tmp_path / "evil.tar.age"
    enc.write_bytes(pyrage.encrypt(evil.read_bytes(), [pyrage.x25519.Recipient.from_str(recipient)]))
    with pytest.raises(DecryptionError):
        decrypt_delivery(enc, ident, tmp_path / "dest")
    assert not (tmp_path / "escaped.txt").exists()
