"""``verify``: an independent re-check of a production, for the receiving side (and review's
``load``, which refuses a production that fails).

Checked: the manifest parses; the signature (when present) is valid; every listed file exists with
its size and SHA-256 and no unlisted file is present; every volume's DAT and CSV parse, agree, and
match the NATIVES and TEXT files one to one; Bates numbers run without gap or duplicate from the
manifest's first to its last; each NATIVES document agrees with its DAT row; the redaction log
agrees with the documents' replacements. Every problem names the file and, where there is one,
the document (its Bates number).
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sealroom.produce.bates import PREFIX_RE, format_bates, parse_bates
from sealroom.produce.loadfiles import DAT_FIELDS, FIELD_SEP, NEWLINE, QUOTE, opt_line, read_dat
from sealroom.produce.manifest import PRODUCTION_FORMAT
from sealroom.produce.render import NATIVE_FORMAT
from sealroom.produce.volume import (
    MANIFEST,
    PUBLIC_KEY,
    REDACTION_FIELDS,
    REDACTION_LOG,
    SIGNATURE,
    VOLUME_RE,
    dat_path,
)

#: Not part of the signed content: the manifest itself, its signature, the exported public key,
#: and encrypted delivery copies written beside the production.
UNLISTED = {MANIFEST, SIGNATURE, PUBLIC_KEY}
IGNORED_DIRS = {"delivery"}
_CHUNK = 1 << 20


@dataclass
class VerifyReport:
    path: Path
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0
    files: int = 0
    signed: bool = False
    signature_key: str | None = None  # "given" (--public-key) or "embedded" (the production's own)

    def problem(self, text: str) -> None:
        self.problems.append(text)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _check_signature(
    root: Path, manifest_bytes: bytes, manifest: dict[str, Any], public_key: Path | None, rep: VerifyReport
) -> None:
    from sealroom.produce.signing import load_public_key, manifest_signature_valid, public_fingerprint

    sig = root / SIGNATURE
    if not sig.exists():
        if public_key is not None:
            rep.problem(f"{SIGNATURE}: missing, but --public-key was given (the production is not signed)")
        elif "signing_key_fingerprint" in manifest:
            rep.problem(f"{SIGNATURE}: missing, but {MANIFEST} says the production was signed")
        else:
            rep.warnings.append("the production is not signed")
        return
    rep.signed = True
    key_path = public_key if public_key is not None else root / PUBLIC_KEY
    rep.signature_key = "given" if public_key is not None else "embedded"
    try:
        key = load_public_key(key_path)
    except Exception as exc:
        rep.problem(f"{key_path.name}: cannot load the public key ({exc})")
        return
    if not manifest_signature_valid(key, hashlib.sha256(manifest_bytes).hexdigest(), sig.read_bytes()):
        rep.problem(f"{SIGNATURE}: signature does not match {MANIFEST} under the public key {key_path.name}")
        return
    embedded = root / PUBLIC_KEY
    if public_key is not None and embedded.exists() and embedded.read_bytes() != public_key.read_bytes():
        rep.problem(f"{PUBLIC_KEY}: differs from the given public key {public_key.name}")
    recorded = manifest.get("signing_key_fingerprint")
    if recorded is not None and recorded != public_fingerprint(key):
        rep.problem(f"{MANIFEST}: signing_key_fingerprint differs from the key that verified it")
    if public_key is None:
        rep.warnings.append(
            f"signature checked against the production's own {PUBLIC_KEY}; pass --public-key with the key the "
            "producing party gave you to rule out a re-signed production"
        )


def walk_files(root: Path) -> Iterator[str]:
    """Relative paths of every file (and symlink, which is never legitimate here) under ``root``,
    sorted; one directory listing at a time (``Path.rglob`` remembers every path it yielded)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath).relative_to(root)
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames + links):
            yield (base / name).as_posix()


def _check_files(root: Path, manifest: dict[str, Any], rep: VerifyReport) -> dict[str, dict[str, Any]]:
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        rel = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(rel, str) or rel.startswith("/") or ".." in Path(rel).parts:
            rep.problem(f"{MANIFEST}: invalid file path {rel!r}")
            continue
        if rel in listed:
            rep.problem(f"{MANIFEST}: {rel} is listed twice")
            continue
        listed[rel] = entry
        p = root / rel
        if not p.is_file():
            rep.problem(f"{rel}: listed in {MANIFEST} but missing")
            continue
        if p.stat().st_size != entry.get("size"):
            rep.problem(f"{rel}: size {p.stat().st_size} differs from {entry.get('size')} in {MANIFEST}")
        elif _sha256(p) != entry.get("sha256"):
            rep.problem(f"{rel}: SHA-256 differs from {MANIFEST}")
    for rel in walk_files(root):
        if rel in UNLISTED or rel.split("/", 1)[0] in IGNORED_DIRS:
            continue
        if rel not in listed:
            rep.problem(f"{rel}: present but not listed in {MANIFEST}")
    rep.files = len(listed)
    return listed


def _freeze(counts: Counter[str]) -> str:
    """Per-document counts as one short string (a dict of Counters would cost ~1 KB a document)."""
    return "\n".join(f"{k}={v}" for k, v in sorted(counts.items()) if v)


def _redaction_counts(root: Path, rep: VerifyReport) -> dict[str, str] | None:
    p = root / REDACTION_LOG
    if not p.is_file():
        return None
    out: dict[str, str] = {}
    current: str | None = None
    counts: Counter[str] = Counter()
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        if tuple(next(reader, ())) != REDACTION_FIELDS:
            rep.problem(f"{REDACTION_LOG}: header is not {','.join(REDACTION_FIELDS)}")
            return None
        for line_no, row in enumerate(reader, start=2):
            if len(row) != len(REDACTION_FIELDS):
                rep.problem(f"{REDACTION_LOG}: line {line_no} has {len(row)} fields")
                continue
            if row[0] != current:
                if current is not None:
                    out[current] = _freeze(counts)
                if row[0] in out:
                    rep.problem(f"{REDACTION_LOG}: line {line_no}: rows of document {row[0]} are not together")
                current, counts = row[0], Counter()
            if row[3] or row[4]:
                counts[f"{row[3]}\t{row[4]}"] += int(row[5]) if row[5].isdigit() else -1
    if current is not None:
        out[current] = _freeze(counts)
    return out


def _check_document(
    root: Path, vol: str, row: dict[str, str], listed: dict[str, dict[str, Any]], rep: VerifyReport
) -> Counter[str] | None:
    bates = row["BEGBATES"]
    where = f"{vol} document {bates}"
    native_rel = row["NATIVEPATH"].replace("\\", "/")
    text_rel = row["TEXTPATH"].replace("\\", "/")
    for rel, kind, ext in ((native_rel, "NATIVES", "json"), (text_rel, "TEXT", "txt")):
        if rel != f"{vol}/{kind}/{bates}.{ext}":
            rep.problem(f"{where}: {kind} path {rel} is not {vol}/{kind}/{bates}.{ext}")
        if rel not in listed:
            rep.problem(f"{where}: {rel} is not listed in {MANIFEST}")
    image = row.get("IMAGEPATH", "").replace("\\", "/")
    if image:
        if image != f"{vol}/IMAGES/{bates}.pdf":
            rep.problem(f"{where}: IMAGES path {image} is not {vol}/IMAGES/{bates}.pdf")
        if image not in listed:
            rep.problem(f"{where}: {image} is not listed in {MANIFEST}")
        if not row.get("PAGECOUNT", "").isdigit():
            rep.problem(f"{where}: PAGECOUNT {row.get('PAGECOUNT')!r} is not a number")
    elif row.get("PAGECOUNT"):
        rep.problem(f"{where}: PAGECOUNT without IMAGEPATH")
    entry = listed.get(native_rel)
    if entry is not None and row.get("SHA256") != entry.get("sha256"):
        rep.problem(f"{where}: DAT SHA256 differs from {MANIFEST} for {native_rel}")
    if entry is not None and row.get("FILESIZE") != str(entry.get("size")):
        rep.problem(f"{where}: DAT FILESIZE differs from {MANIFEST} for {native_rel}")
    try:
        doc = orjson.loads((root / native_rel).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        rep.problem(f"{native_rel} ({where}): not readable JSON")
        return None
    expect = {
        "format": NATIVE_FORMAT,
        "bates": {"begin": bates, "end": row["ENDBATES"]},
        "docid": row["DOCID"],
        "volume": vol,
        "designation": row["DESIGNATION"],
    }
    for k, v in expect.items():
        if doc.get(k) != v:
            rep.problem(f"{native_rel} ({where}): {k} does not match the DAT row")
    reps = doc.get("replacements") or []
    return Counter(f"{r.get('label')}\t{r.get('operator')}" for r in reps)


def _as_dat(row: dict[str, str]) -> dict[str, str]:
    """A CSV row as the DAT carries it: line breaks (and a literal ®) both read back as newlines."""
    return {k: v.replace("\r\n", "\n").replace("\r", "\n").replace(NEWLINE, "\n") for k, v in row.items()}


class _OptCheck:
    """Compares a volume's Opticon OPT, line by line, with the DAT rows that have page images."""

    def __init__(self, root: Path, vol: str, prefix: str, rep: VerifyReport) -> None:
        self.rel = dat_path(vol, prefix, "opt")
        self.vol = vol
        self.rep = rep
        path = root / self.rel
        # closed in close(), after the volume's DAT rows were streamed past row()
        self.fh = open(path, encoding="utf-8", newline="") if path.is_file() else None  # noqa: SIM115
        self.images = 0
        self.bad = False

    def row(self, row: dict[str, str]) -> None:
        if not row.get("IMAGEPATH"):
            return
        self.images += 1
        expected = opt_line(row["BEGBATES"], self.vol, row["IMAGEPATH"], int(row.get("PAGECOUNT") or 0))
        line = self.fh.readline() if self.fh is not None else ""
        if line != expected and not self.bad and self.fh is not None:
            self.bad = True
            self.rep.problem(f"{self.rel} (document {row['BEGBATES']}): line differs from the DAT row")

    def close(self) -> None:
        if self.fh is None:
            if self.images:
                self.rep.problem(f"{self.rel}: missing, but {self.images} DAT rows have page images")
            return
        if self.fh.readline() and not self.bad:
            self.rep.problem(f"{self.rel}: lines beyond the DAT rows with page images")
        self.fh.close()


def _volume_rows(root: Path, vol: str, prefix: str, rep: VerifyReport) -> Iterator[tuple[int, dict[str, str]]]:
    """A volume's DAT rows, streamed, with its CSV twin compared row for row alongside."""
    dat_rel, csv_rel = dat_path(vol, prefix, "dat"), dat_path(vol, prefix, "csv")
    try:
        with (
            open(root / dat_rel, encoding="utf-8", newline="") as dat_fh,
            open(root / csv_rel, encoding="utf-8", newline="") as csv_fh,
        ):
            header_line = dat_fh.readline()
            header = next(csv.reader([header_line], delimiter=FIELD_SEP, quotechar=QUOTE), [])
            if tuple(header) != DAT_FIELDS:
                rep.problem(f"{dat_rel}: header fields differ from {','.join(DAT_FIELDS)}")
            dat_fh.seek(0)
            twin = csv.reader(csv_fh)
            twin_header = next(twin, None)
            same = twin_header == header
            for line_no, row in enumerate(read_dat(dat_fh), start=2):
                other = next(twin, None)
                same = same and other is not None and _as_dat(dict(zip(twin_header or [], other, strict=False))) == row
                yield line_no, row
            same = same and next(twin, None) is None
            if not same:
                rep.problem(f"{csv_rel}: does not match {dat_rel} row for row")
    except (OSError, ValueError, csv.Error) as exc:
        rep.problem(f"{dat_rel}: does not parse ({type(exc).__name__}: {exc})")


def verify_production(path: Path, *, public_key: Path | None = None) -> VerifyReport:
    root = Path(path)
    rep = VerifyReport(root)
    mf = root / MANIFEST
    if not mf.is_file():
        if VOLUME_RE.match(root.name) and (root.parent / MANIFEST).is_file():
            rep.problem(f"{MANIFEST}: missing; {root.name} is a volume, verify its production {root.parent}")
        else:
            rep.problem(f"{MANIFEST}: missing (not a sealroom production)")
        return rep
    manifest_bytes = mf.read_bytes()
    try:
        manifest = orjson.loads(manifest_bytes)
        prefix = manifest["prefix"]
        digits = int(manifest.get("digits", 7))
        first, last = int(manifest["bates"]["first"]), int(manifest["bates"]["last"])
        volumes = [v["name"] for v in manifest["volumes"]]
        if manifest.get("format") != PRODUCTION_FORMAT or not isinstance(manifest.get("files"), list):
            raise ValueError("format")
        if not all(isinstance(v, str) and VOLUME_RE.match(v) for v in volumes) or not PREFIX_RE.match(prefix):
            raise ValueError("volume or prefix")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        rep.problem(f"{MANIFEST}: not a valid {PRODUCTION_FORMAT} manifest")
        return rep
    _check_signature(root, manifest_bytes, manifest, public_key, rep)
    listed = _check_files(root, manifest, rep)
    redactions = _redaction_counts(root, rep)
    if redactions is None and REDACTION_LOG not in listed:
        rep.problem(f"{REDACTION_LOG}: missing")

    seen: dict[int, str] = {}  # Bates number -> its volume
    expected = first
    for vol, info in zip(volumes, manifest["volumes"], strict=True):
        vol_first: str | None = None
        vol_last: str | None = None
        dat_rel = dat_path(vol, prefix, "dat")
        opt = _OptCheck(root, vol, prefix, rep)
        for line_no, row in _volume_rows(root, vol, prefix, rep):
            opt.row(row)
            bates = row.get("BEGBATES", "")
            try:
                number = parse_bates(bates, prefix)
            except ValueError:
                rep.problem(f"{dat_rel} line {line_no}: BEGBATES {bates!r} is not a Bates number under {prefix}")
                continue
            if row.get("ENDBATES") != bates:
                rep.problem(f"{dat_rel} line {line_no} (document {bates}): ENDBATES differs from BEGBATES")
            if number in seen:
                rep.problem(f"{dat_rel} line {line_no}: duplicate Bates number {bates} (also in {seen[number]})")
                continue
            seen[number] = vol
            if number != expected:
                kind = "gap before" if number > expected else "out of order:"
                want = format_bates(prefix, expected, digits)
                rep.problem(f"{dat_rel} line {line_no}: {kind} {bates} (expected {want})")
            expected = number + 1
            vol_first = vol_first or bates
            vol_last = bates
            rep.documents += 1
            counts = _check_document(root, vol, row, listed, rep)
            if counts is not None and redactions is not None:
                logged = redactions.get(bates)
                if logged is None:
                    rep.problem(f"{REDACTION_LOG}: document {bates} is missing")
                elif logged != _freeze(counts):
                    rep.problem(f"{REDACTION_LOG}: counts for document {bates} differ from its replacements")
        opt.close()
        if (vol_first, vol_last) != (info.get("begin"), info.get("end")):
            rep.problem(f"{MANIFEST}: volume {vol} range differs from its DAT ({vol_first}-{vol_last})")
    for rel in sorted(listed):
        # each DAT row's paths were checked to be VOL/NATIVES|TEXT/<its Bates>; any other is unreferenced
        parts = rel.split("/")
        if len(parts) == 3 and parts[1] in ("NATIVES", "TEXT", "IMAGES"):
            try:
                owner = seen.get(parse_bates(parts[2].rsplit(".", 1)[0], prefix))
            except ValueError:
                owner = None
            if owner != parts[0]:
                rep.problem(f"{rel}: not referenced by any DAT row")
    declared = manifest.get("documents")
    if rep.documents != declared or (seen and max(seen) != last) or (not seen and last >= first):
        rep.problem(f"{MANIFEST}: declares {declared} documents {first}-{last}, DAT rows hold {rep.documents}")
    if redactions is not None:
        produced = {format_bates(prefix, n, digits) for n in seen}
        for bates in sorted(set(redactions) - produced):
            rep.problem(f"{REDACTION_LOG}: document {bates} is not in the production")
    rep.ok = not rep.problems
    return rep
