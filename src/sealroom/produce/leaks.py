"""The producing side's last check: no original value from the replacement log appears in the
production (``sealroom verify --against-replacements LOG --originals-key K``).

Two checks, because a value's meaning differs by label:

- **own document**: every original of a conversation is searched (as a whole word) in that
  conversation's document (NATIVES strings and TEXT). De-identification replaces a surface form
  everywhere in its conversation, so any occurrence there is a value that slipped through.
- **everywhere**: originals of direct identifiers (e-mail addresses, phone, card, account and ID
  numbers, credentials, IPs, street addresses, URLs, user names), which name one person wherever
  they appear, are searched in every file of the production.

Names, organisations, places and dates are not searched across documents: another conversation may
mention the same public figure or city legitimately. PDF page images are not searched (their text
is compressed); they are rendered from the TEXT files, which are. Problems name the file, the label
and the replacement's position, never the value.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sealroom.dataset.location import Location
from sealroom.produce.loadfiles import read_dat
from sealroom.produce.verify import IGNORED_DIRS, walk_files
from sealroom.produce.volume import MANIFEST, dat_path

UNIQUE_LABELS = frozenset(
    {
        "EMAIL",
        "PHONE",
        "CREDIT_CARD",
        "US_SSN",
        "IBAN",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "CREDENTIAL",
        "ID_NUMBER",
        "CRYPTO_WALLET",
        "ADDRESS",
        "URL",
        "USERNAME",
    }
)
_CHUNK = 500  # alternatives per compiled pattern


@dataclass(frozen=True, slots=True)
class Original:
    conversation_id: str
    message_index: int
    label: str
    value: str

    @property
    def where(self) -> str:
        return f"a {self.label} replacement (conversation {self.conversation_id}, message {self.message_index})"


@dataclass
class LeakReport:
    problems: list[str] = field(default_factory=list)
    documents: int = 0
    originals: int = 0


class _Matcher:
    """Whole-word search for many literal values at once (values never appear in messages)."""

    def __init__(self, originals: Iterable[Original]) -> None:
        self.by_value: dict[str, Original] = {}
        for o in originals:
            self.by_value.setdefault(o.value, o)
        values = sorted(self.by_value, key=len, reverse=True)
        self.patterns = [
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, values[i : i + _CHUNK])) + r")(?!\w)")
            for i in range(0, len(values), _CHUNK)
        ]

    def found(self, text: str) -> list[Original]:
        hits = {m.group(0) for p in self.patterns for m in p.finditer(text)}
        return [self.by_value[v] for v in sorted(hits)]


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def _searchable(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".json":
        # JSON escapes quotes, backslashes and newlines: search the decoded values (not the keys)
        try:
            return "\n".join(_strings(orjson.loads(raw)))
        except orjson.JSONDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def find_originals(path: Path, originals: Iterable[Original], *, docid_of: Any, min_chars: int = 4) -> LeakReport:
    """Search a production for original values. ``docid_of(conversation_id) -> DOCID`` maps each
    original to its document (the keyed hash produce used). Values shorter than ``min_chars`` are
    skipped: a two-letter original matches everywhere."""
    root = Path(path)
    rep = LeakReport()
    own: dict[str, list[Original]] = defaultdict(list)
    unique: list[Original] = []
    for o in originals:
        if len(o.value.strip()) < min_chars:
            continue
        rep.originals += 1
        own[docid_of(o.conversation_id)].append(o)
        if o.label in UNIQUE_LABELS:
            unique.append(o)
    everywhere = _Matcher(unique) if unique else None

    manifest = orjson.loads((root / MANIFEST).read_bytes())
    document_files: set[str] = set()
    for vol in manifest["volumes"]:
        with open(root / dat_path(vol["name"], manifest["prefix"], "dat"), encoding="utf-8", newline="") as fh:
            for row in read_dat(fh):
                rep.documents += 1
                mine = _Matcher(own[row["DOCID"]]) if own.get(row["DOCID"]) else None
                for key in ("NATIVEPATH", "TEXTPATH"):
                    rel = row[key].replace("\\", "/")
                    document_files.add(rel)
                    text = _searchable(root / rel)
                    seen: set[Original] = set()
                    for o in mine.found(text) if mine else []:
                        seen.add(o)
                        rep.problems.append(
                            f"{rel} (document {row['BEGBATES']}): contains the original value of {o.where}"
                        )
                    for o in everywhere.found(text) if everywhere else []:
                        if o not in seen:
                            rep.problems.append(
                                f"{rel} (document {row['BEGBATES']}): contains the original value of {o.where}"
                            )
    for rel in walk_files(root):
        if rel in document_files or rel.split("/", 1)[0] in IGNORED_DIRS or rel.endswith(".pdf"):
            continue
        for o in everywhere.found(_searchable(root / rel)) if everywhere else []:
            rep.problems.append(f"{rel}: contains the original value of {o.where}")
    # one line per file and replacement, even when several of its values match
    rep.problems = list(dict.fromkeys(rep.problems))
    return rep


def originals_from_log(log: Location, key_file: Path | None) -> Iterator[Original]:
    """Every original in a replacement log written with ``deidentify --log-originals``, decrypted
    in memory with the originals key."""
    from sealroom.dataset import Dataset
    from sealroom.deid.originals import OriginalsCipher
    from sealroom.keys import load_key

    cipher = OriginalsCipher(load_key(key_file))
    columns = ["conversation_id", "message_index", "field", "start", "end", "label", "original_encrypted"]
    for _, table in Dataset.open(log).iter_shards(columns):
        for r in table.to_pylist():
            if r["original_encrypted"] is None:
                continue
            value = cipher.decrypt(
                r["original_encrypted"], r["conversation_id"], r["message_index"], r["field"], r["start"], r["end"]
            )
            yield Original(r["conversation_id"], r["message_index"], r["label"], value)


def docid_function(key_file: Path | None) -> Any:
    """``conversation_id -> DOCID`` under the production's DOCID key (``--key-file`` of produce)."""
    from sealroom.keys import load_key
    from sealroom.produce.stage import DOCID_PURPOSE, docid_for

    material = load_key(key_file).derive(DOCID_PURPOSE)
    return lambda cid: docid_for(material, cid)
