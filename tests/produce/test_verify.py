"""Tamper tests: every change to a production makes ``verify`` fail and name what changed."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import orjson
import pytest

from sealroom.dataset.files import dump_json
from sealroom.produce.leaks import Original, find_originals
from sealroom.produce.signing import generate_signing_key, load_signing_key, sign_manifest
from sealroom.produce.verify import verify_production


@pytest.fixture
def signing_key(tmp_path: Path) -> tuple[Path, Path]:
    return generate_signing_key(tmp_path / "sign.pem")


@pytest.fixture
def signed(small_dataset: Path, make_production, signing_key) -> Path:
    return make_production(small_dataset, sign_key=signing_key[0]).out


@pytest.fixture
def unsigned(small_dataset: Path, make_production) -> Path:
    return make_production(small_dataset).out


def rehash(root: Path) -> None:
    """What a forger does to an unsigned production: make the manifest match the altered files."""
    m = orjson.loads((root / "manifest.json").read_bytes())
    for f in m["files"]:
        p = root / f["path"]
        if p.exists():
            f["size"] = p.stat().st_size
            f["sha256"] = hashlib.sha256(p.read_bytes()).hexdigest()
    (root / "manifest.json").write_bytes(dump_json(m))


def test_untouched_production_verifies_with_the_given_key(signed: Path, signing_key) -> None:
    rep = verify_production(signed, public_key=signing_key[1])
    assert rep.ok, rep.problems
    assert rep.signed and rep.signature_key == "given" and rep.documents == 3 and rep.files == 9
    embedded = verify_production(signed)
    assert embedded.ok and any("--public-key" in w for w in embedded.warnings)


def test_one_changed_byte_in_any_file_is_named(signed: Path, signing_key, tmp_path: Path) -> None:
    files = sorted(p.relative_to(signed).as_posix() for p in signed.rglob("*") if p.is_file())
    assert len(files) == 12
    for rel in files:
        copy = tmp_path / f"copy-{rel.replace('/', '_')}"
        shutil.copytree(signed, copy)
        data = bytearray((copy / rel).read_bytes())
        data[len(data) // 2] ^= 0x01
        (copy / rel).write_bytes(bytes(data))
        rep = verify_production(copy, public_key=signing_key[1])
        assert not rep.ok, rel
        named = "manifest.sig" if rel == "manifest.json" else rel
        assert any(p.startswith(named) for p in rep.problems), (rel, rep.problems)


def test_deleted_and_added_files_are_named(unsigned: Path) -> None:
    (unsigned / "VOL001/TEXT/ABC0000002.txt").unlink()
    (unsigned / "VOL001/NATIVES/ABC0000009.json").write_text("{}")
    problems = verify_production(unsigned).problems
    assert "VOL001/TEXT/ABC0000002.txt: listed in manifest.json but missing" in problems
    assert "VOL001/NATIVES/ABC0000009.json: present but not listed in manifest.json" in problems


def test_deleted_load_file_is_named(unsigned: Path) -> None:
    (unsigned / "VOL001/DATA/ABC_VOL001.dat").unlink()
    problems = verify_production(unsigned).problems
    assert any(p.startswith("VOL001/DATA/ABC_VOL001.dat: listed in manifest.json but missing") for p in problems)
    assert any(p.startswith("VOL001/DATA/ABC_VOL001.dat: does not parse") for p in problems)


def test_duplicated_bates_number_is_named_even_when_rehashed(unsigned: Path) -> None:
    for name in ("ABC_VOL001.dat", "ABC_VOL001.csv"):
        p = unsigned / "VOL001/DATA" / name
        lines = p.read_bytes().split(b"\r\n")
        lines[2] = lines[2].replace(b"ABC0000002", b"ABC0000001")
        p.write_bytes(b"\r\n".join(lines))
    rehash(unsigned)
    problems = verify_production(unsigned).problems
    assert any("duplicate Bates number ABC0000001" in p for p in problems), problems


def test_removed_document_leaves_a_named_gap(unsigned: Path) -> None:
    for name in ("ABC_VOL001.dat", "ABC_VOL001.csv"):
        p = unsigned / "VOL001/DATA" / name
        lines = p.read_bytes().split(b"\r\n")
        del lines[2]
        p.write_bytes(b"\r\n".join(lines))
    for sub in ("NATIVES/ABC0000002.json", "TEXT/ABC0000002.txt"):
        (unsigned / "VOL001" / sub).unlink()
    m = orjson.loads((unsigned / "manifest.json").read_bytes())
    m["files"] = [f for f in m["files"] if "ABC0000002" not in f["path"]]
    (unsigned / "manifest.json").write_bytes(dump_json(m))
    rehash(unsigned)
    problems = verify_production(unsigned).problems
    assert any("gap before ABC0000003 (expected ABC0000002)" in p for p in problems), problems
    assert any("redaction_log.csv: document ABC0000002 is not in the production" in p for p in problems)


def test_altered_manifest_is_caught(unsigned: Path, signed: Path) -> None:
    m = orjson.loads((unsigned / "manifest.json").read_bytes())
    m["files"][0]["sha256"] = "0" * 64
    (unsigned / "manifest.json").write_bytes(dump_json(m))
    problems = verify_production(unsigned).problems
    assert problems[0] == "VOL001/NATIVES/ABC0000001.json: SHA-256 differs from manifest.json"
    assert "VOL001 document ABC0000001: DAT SHA256 differs" in problems[1]
    m = orjson.loads((signed / "manifest.json").read_bytes())
    m["documents"] = 2
    (signed / "manifest.json").write_bytes(dump_json(m))
    assert verify_production(signed).problems[0].startswith("manifest.sig: signature does not match manifest.json")


def test_native_that_disagrees_with_its_dat_row_is_named(unsigned: Path) -> None:
    p = unsigned / "VOL001/NATIVES/ABC0000003.json"
    doc = orjson.loads(p.read_bytes())
    doc["designation"] = "AEO"
    p.write_bytes(dump_json(doc))
    rehash(unsigned)
    # rehash() fixed the manifest, but the DAT still carries the native's old SHA256: also named
    problems = verify_production(unsigned).problems
    assert any("ABC0000003.json (VOL001 document ABC0000003): designation" in x for x in problems), problems
    assert any("VOL001 document ABC0000003: DAT SHA256 differs" in x for x in problems)


def test_bad_signature_and_foreign_key(signed: Path, tmp_path: Path, signing_key) -> None:
    other_priv, other_pub = generate_signing_key(tmp_path / "other.pem")
    digest = hashlib.sha256((signed / "manifest.json").read_bytes()).hexdigest()
    # a forger re-signs with their own key and swaps the embedded public key
    (signed / "manifest.sig").write_bytes(sign_manifest(load_signing_key(other_priv), digest))
    (signed / "public_key.pem").write_bytes(other_pub.read_bytes())
    problems = verify_production(signed, public_key=signing_key[1]).problems
    assert problems and problems[0].startswith("manifest.sig: signature does not match")
    # checked only against its own (swapped) key, the fingerprint recorded in the manifest still differs
    assert any("signing_key_fingerprint" in p for p in verify_production(signed).problems)
    (signed / "manifest.sig").write_bytes(b"not base64!\n")
    assert not verify_production(signed, public_key=signing_key[1]).ok


def test_missing_signature_is_a_problem_when_expected(signed: Path, signing_key) -> None:
    (signed / "manifest.sig").unlink()
    assert any("manifest.sig: missing" in p for p in verify_production(signed, public_key=signing_key[1]).problems)
    assert any("manifest.sig: missing" in p for p in verify_production(signed).problems)


def test_not_a_production(tmp_path: Path, unsigned: Path) -> None:
    assert "VOL001 is a volume, verify its production" in verify_production(unsigned / "VOL001").problems[0]
    assert verify_production(tmp_path).problems == ["manifest.json: missing (not a sealroom production)"]
    (tmp_path / "manifest.json").write_text("[1, 2")
    assert not verify_production(tmp_path).ok


def test_find_originals_searches_own_documents_and_direct_identifiers(unsigned: Path) -> None:
    rows = {p.name: orjson.loads(p.read_bytes())["docid"] for p in sorted((unsigned / "VOL001/NATIVES").iterdir())}
    docids = {
        "conv-001": rows["ABC0000001.json"],
        "conv-002": rows["ABC0000002.json"],
        "conv-003": rows["ABC0000003.json"],
    }
    originals = [
        Original("conv-002", 1, "PERSON", "Thorns"),  # still in its own document: a leak
        Original("conv-001", 0, "PERSON", "sharp"),  # only in another conversation: not searched there
        Original("conv-001", 0, "EMAIL", "x@y.example"),
        Original("conv-001", 0, "PERSON", "ab"),  # too short to search
    ]
    rep = find_originals(unsigned, originals, docid_of=docids.__getitem__)
    assert rep.originals == 3 and rep.documents == 3
    assert rep.problems == [
        "VOL001/NATIVES/ABC0000002.json (document ABC0000002): contains the original value of a PERSON "
        "replacement (conversation conv-002, message 1)",
        "VOL001/TEXT/ABC0000002.txt (document ABC0000002): contains the original value of a PERSON "
        "replacement (conversation conv-002, message 1)",
    ]
    # a direct identifier is a leak wherever it appears, JSON-escaped or not
    p = unsigned / "VOL001/NATIVES/ABC0000003.json"
    doc = orjson.loads(p.read_bytes())
    doc["conversation"]["title"] = 'mail "x@y.example"'
    p.write_bytes(orjson.dumps(doc))
    (unsigned / "redaction_log.csv").write_text("x@y.example\n")
    found = find_originals(unsigned, originals, docid_of=docids.__getitem__).problems
    assert any(x.startswith("VOL001/NATIVES/ABC0000003.json (document ABC0000003)") and "EMAIL" in x for x in found)
    assert any(x.startswith("redaction_log.csv: contains the original value of a EMAIL") for x in found)
    assert not any("x@y.example" in x for x in found)


@pytest.mark.parametrize(
    "change",
    [
        {"files": {"not": "a list"}},
        {"files": [1, "x", None]},
        {"volumes": [{"name": "../../etc"}]},
        {"volumes": "VOL001"},
        {"prefix": "A/B"},
        {"bates": {"first": "one"}},
        {"format": "something/else"},
    ],
)
def test_malformed_manifest_is_a_problem_not_a_crash(unsigned: Path, change: dict) -> None:
    m = orjson.loads((unsigned / "manifest.json").read_bytes())
    m.update(change)
    (unsigned / "manifest.json").write_bytes(dump_json(m))
    rep = verify_production(unsigned)
    assert not rep.ok and rep.problems


def test_redaction_log_that_disagrees_with_the_documents_is_named(unsigned: Path) -> None:
    log = unsigned / "redaction_log.csv"
    log.write_bytes(log.read_bytes().replace(b"PERSON,pseudonymize,1", b"PERSON,pseudonymize,0"))
    rehash(unsigned)
    assert verify_production(unsigned).problems == [
        "redaction_log.csv: counts for document ABC0000001 differ from its replacements"
    ]
