"""Building small pipeline work folders for the whole-pipeline tests."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from sealroom.dataset.location import location
from sealroom.pipeline.demo import prepare_demo

#: the outputs a pipeline with ``datasets = URL`` writes under that URL
REMOTE_OUTPUTS = ("hold", "sample", "corpus-index", "hits", "deidentified", "labels")

# Distinctive fake identifiers: if any of these appears outside the hold, de-identification leaked.
CANARIES = {
    "name": "Zebulon Quartermaine",
    "first_name": "Zebulon",
    "email": "zebulon.q7731@example.org",
    "phone": "(415) 555-0199",
    "card": "4111 1111 1111 1111",
    "ssn": "536-22-8714",
    "address": "4417 Quillfeather Lane, Springfield, IL 62704",
}


def canary_variants() -> dict[str, str]:
    """Each canary plus the forms a leak might take (digits only, lower case)."""
    out = dict(CANARIES)
    out["phone_digits"] = "4155550199"
    out["card_digits"] = "4111111111111111"
    out["ssn_digits"] = "536228714"
    out["street"] = "Quillfeather"
    return out


def canary_record(i: int) -> dict[str, object]:
    c = CANARIES
    turns = [
        (
            "user",
            f"My name is {c['name']} and I need help disputing a charge on my card {c['card']}. "
            f"Email me at {c['email']} or call {c['phone']}. My SSN is {c['ssn']} if the bank asks.",
        ),
        (
            "assistant",
            f"Hello {c['first_name']}, here is a dispute letter.\n\n{c['name']}\n{c['address']}\n"
            f"Card ending in {c['card'][-4:]}. Phone: {c['phone']}. E-mail: {c['email']}.",
        ),
        ("user", f"Please add my address {c['address']} to the header too, {c['first_name'].upper()} in caps."),
        ("assistant", f"Done: the header now reads {c['name'].upper()}, {c['address']}."),
    ]
    user = hashlib.sha256(f"canary-user-{i % 3}".encode()).hexdigest()
    return {
        "conversation_hash": f"canary-{i:03d}",
        "model": "gpt-4o",
        "timestamp": f"2024-02-{1 + i % 27:02d}T10:00:00+00:00",
        "conversation": [{"role": r, "content": t, "hashed_ip": user} for r, t in turns],
        "turn": 2,
        "language": "English",
        "hashed_ip": user,
    }


def make_workdir(root: Path, *, conversations: int = 60, canaries: int = 0, workers: int = 1) -> Path:
    """A demo work folder (bundled excerpts + synthetic chats + optional canary chats); returns the
    pipeline file. The bundled demo's settings are used, with the given worker count."""
    pipeline_file = prepare_demo(root, conversations=conversations, workers=workers)
    if canaries:
        with open(root / "sources" / "synthetic_chats.jsonl", "a", encoding="utf-8") as fh:
            for i in range(canaries):
                fh.write(json.dumps(canary_record(i)) + "\n")
    text = pipeline_file.read_text()
    # every conversation in the sample, so the canaries are certainly processed
    text = re.sub(r"(?m)^rate = [0-9.]+$", "rate = 1.0", text)
    pipeline_file.write_text(text)
    return pipeline_file


def snapshot(work: Path, tops: tuple[str, ...]) -> dict[str, bytes]:
    """Every output file's bytes under ``tops`` (completion markers and temporaries aside), with the
    production manifest's ``produced_at`` — the one wall-clock value in any output — removed."""
    out = {
        p.relative_to(work).as_posix(): p.read_bytes()
        for top in tops
        for p in sorted((work / top).rglob("*"))
        if p.is_file() and "_done" not in p.parts and not p.name.startswith(".tmp-")
    }
    if "production/manifest.json" in out:
        manifest = json.loads(out["production/manifest.json"])
        assert manifest.pop("produced_at")
        out["production/manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return out


def fetch_remote_outputs(url: str, work: Path) -> None:
    """Copy what a pipeline wrote under ``datasets = url`` into ``work``, beside its local outputs
    (replacing the local corpus index with the copy the scan read)."""
    remote = location(url)
    for name in REMOTE_OUTPUTS:
        shutil.rmtree(work / name, ignore_errors=True)
        remote.fs.get(f"{remote.path}/{name}/", str(work / name), recursive=True)
