from __future__ import annotations

from pathlib import Path

import pytest

from sealroom.errors import KeyFileError
from sealroom.keys import generate_key_file, load_key


def test_generated_key_loads_and_is_owner_only(tmp_path: Path) -> None:
    key = generate_key_file(tmp_path / "k")
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    assert load_key(tmp_path / "k").material == key.material
    assert key.material.hex() not in repr(key)
    assert key.material.decode() not in repr(key)


def test_fingerprint_and_derived_keys_differ_by_key_and_purpose(tmp_path: Path) -> None:
    a = generate_key_file(tmp_path / "a")
    b = generate_key_file(tmp_path / "b")
    assert a.fingerprint != b.fingerprint
    assert a.derive("sample") != a.derive("pseudonym")
    assert a.derive("sample") != b.derive("sample")


@pytest.mark.parametrize("content", [b"", b"   \n", b"short"])
def test_empty_or_short_keys_are_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "k").write_bytes(content)
    with pytest.raises(KeyFileError):
        load_key(tmp_path / "k")


def test_missing_key_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KeyFileError, match="not found"):
        load_key(tmp_path / "absent")
    monkeypatch.delenv("SEALROOM_KEY", raising=False)
    with pytest.raises(KeyFileError, match="SEALROOM_KEY"):
        load_key()
    monkeypatch.setenv("SEALROOM_KEY", "x" * 32)
    assert load_key().origin == "env:SEALROOM_KEY"
