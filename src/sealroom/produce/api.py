"""``produce``: a de-identified dataset → a Bates-numbered, hashed, optionally signed and
encrypted production (see docs/produce.md for the format)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealroom import __version__
from sealroom.dataset import Dataset
from sealroom.dataset.files import sha256_file
from sealroom.dataset.location import Location, location, resolved
from sealroom.errors import ConfigError
from sealroom.keys import load_key
from sealroom.produce.bates import DEFAULT_DIGITS, BatesRange, BatesState, check_prefix
from sealroom.produce.inputs import (
    HIT_COLUMNS,
    REPLACEMENT_COLUMNS,
    SIGNAL_COLUMNS,
    SideSource,
    count_selected,
    hit_ids,
    open_side,
    read_id_list,
)
from sealroom.produce.manifest import PRODUCTION_FORMAT, write_manifest
from sealroom.produce.render import DESIGNATIONS, TIMESTAMP_POLICIES
from sealroom.produce.stage import RenderStep
from sealroom.produce.volume import MANIFEST, PUBLIC_KEY, SIGNATURE, assemble, clear_previous, parse_size
from sealroom.progress import progress_bar
from sealroom.runner import make_runner, run_step

STAGING = ".staging"
DELIVERY = "delivery"


@dataclass
class ProductionResult:
    out: Path
    prefix: str
    first: int
    last: int
    begin: str
    end: str
    documents: int
    volumes: list[str]
    manifest: Path
    signed: bool
    counts: dict[str, int] = field(default_factory=dict)
    archives: list[Path] = field(default_factory=list)


def _sides(ds: Dataset, hits: Location | None) -> tuple[SideSource | None, SideSource | None, SideSource | None]:
    sides = set(ds.manifest.side_outputs)
    reps = (
        open_side("replacements", ds.side("replacements"), ds, REPLACEMENT_COLUMNS) if "replacements" in sides else None
    )
    scan = Dataset.open(hits) if hits is not None else None

    # prefer what deidentify re-mapped; scan's own offsets refer to the text before de-identification
    def own(name: str) -> bool:
        # deidentify declares these outputs even when it got no hits; then the scan output is used
        if name not in sides:
            return False
        return scan is None or ds.side(name).rows > 0 or bool(ds.manifest.config.get("hits"))

    if own("hits"):
        hit_src = open_side("hits", ds.side("hits"), ds, HIT_COLUMNS)
    elif scan is not None:
        hit_src = open_side("hits", scan, ds, HIT_COLUMNS, needs_remap=True)
    else:
        hit_src = None
    if own("signals"):
        sig_src = open_side("signals", ds.side("signals"), ds, SIGNAL_COLUMNS)
    elif scan is not None and "signals" in scan.manifest.side_outputs:
        sig_src = open_side("signals", scan.side("signals"), ds, SIGNAL_COLUMNS, needs_remap=True)
    else:
        sig_src = None
    return hit_src, reps, sig_src


def produce(
    dataset: str | os.PathLike[str] | Location,
    out: Path,
    *,
    prefix: str,
    start: int | None = None,
    select: str = "all",
    hits: str | os.PathLike[str] | Location | None = None,
    designation: str = "CONFIDENTIAL",
    volume_size: str | int = "10GB",
    encrypt_to: str | None = None,
    sign_key: Path | None = None,
    key_file: Path | None = None,
    state_file: Path | None = None,
    show_progress: bool = True,
    timestamps: str = "full",
    digits: int = DEFAULT_DIGITS,
    workers: int | None = None,
    cluster: str | None = None,
    restart: bool = False,
    pdf: bool = False,
) -> ProductionResult:
    """Write the production of ``dataset`` (one document per selected conversation) into ``out``.

    ``dataset`` and ``hits`` may be object-storage URLs; ``out`` (the volumes, and the staging
    dataset inside it) is a local folder.

    ``select`` is ``"all"``, ``"hits"`` (conversations with a reproduced-article hit) or the path of
    a file of conversation ids. ``pdf`` adds page images (IMAGES/*.pdf and an Opticon OPT).
    ``key_file`` keys the DOCIDs (``SEALROOM_KEY`` when None);
    ``state_file`` records Bates ranges across productions and refuses reuse.
    """
    # absolute paths: the step is pickled to workers, which may not share this working directory
    dataset, out = resolved(location(dataset)), Path(out)
    key_file = Path(key_file).resolve() if key_file is not None else None
    hits = resolved(location(hits)) if hits is not None else None
    if select not in ("all", "hits"):
        select = str(Path(select).resolve())
    check_prefix(prefix)
    if designation not in DESIGNATIONS:
        raise ConfigError(f"designation must be one of {DESIGNATIONS}, got {designation!r}", code="designation")
    if timestamps not in TIMESTAMP_POLICIES:
        raise ConfigError(f"timestamps must be one of {TIMESTAMP_POLICIES}, got {timestamps!r}", code="timestamps")
    size_limit = parse_size(volume_size)
    if (out / MANIFEST).exists():
        raise ConfigError(f"{out} already holds a production; choose another --out", code="output_exists")
    key = load_key(key_file)
    if pdf:
        from sealroom.produce.pdf import check_pdf_support

        check_pdf_support()
    signer = None
    if sign_key is not None:
        from sealroom.produce.signing import load_signing_key

        signer = load_signing_key(Path(sign_key))
    recipients = None
    if encrypt_to is not None:
        from sealroom.produce.crypto import parse_recipients

        recipients = parse_recipients(encrypt_to)

    ds = Dataset.open(dataset)
    hit_src, rep_src, sig_src = _sides(ds, hits)
    if select == "all":
        selected, select_desc = None, "all"
    elif select == "hits":
        if hit_src is None:
            raise ConfigError("--select hits needs hits: a deidentify output with hits, or --hits", code="select_hits")
        selected, select_desc = hit_ids(hit_src), "hits"
    else:
        selected = read_id_list(Path(select))
        select_desc = "ids:" + hashlib.sha256("\n".join(sorted(selected)).encode()).hexdigest()[:16]
    counts = count_selected(ds, selected)
    n = sum(c for _, c in counts)
    if n == 0:
        raise ConfigError(f"nothing selected from {dataset} (select={select_desc})", code="empty_selection")

    state = BatesState(state_file) if state_file is not None else None
    first = start if start is not None else (state.next_number(prefix) if state else 1)
    rng = BatesRange(prefix, first, first + n - 1, digits)
    if state is not None:
        state.check(rng)
    shard_plan = []
    number = first
    for file, c in counts:
        shard_plan.append((file, number, c))
        number += c

    out.mkdir(parents=True, exist_ok=True)
    step = RenderStep(
        dataset,
        prefix=prefix,
        digits=digits,
        designation=designation,
        timestamps=timestamps,
        select=select,
        select_fingerprint=select_desc,
        key_file=key_file,
        key_fingerprint=key.fingerprint,
        shard_plan=shard_plan,
        hits=hit_src,
        replacements=rep_src,
        signals=sig_src,
        pdf=pdf,
    )
    staging = out / STAGING
    result = run_step(step, staging, make_runner(workers, cluster), restart=restart, show_progress=show_progress)
    stats = dict(result.stats)

    clear_previous(out)
    with tempfile.TemporaryFile(dir=staging) as spool:
        with progress_bar("produce.volumes", total=n, enabled=show_progress) as advance:
            assembled, files = assemble(
                Dataset.open(staging), out, prefix=prefix, volume_size=size_limit, spool=spool, advance=advance
            )
        header: dict[str, Any] = {
            "format": PRODUCTION_FORMAT,
            "prefix": prefix,
            "digits": digits,
            "bates": {"begin": rng.begin, "end": rng.end, "first": rng.first, "last": rng.last},
            "documents": assembled.documents,
            "volumes": [
                {
                    "name": v.name,
                    "begin": rng.label(v.first),
                    "end": rng.label(v.last),
                    "documents": v.documents,
                    "bytes": v.bytes,
                }
                for v in assembled.volumes
            ],
            "settings": {
                "designation": designation,
                "select": select_desc,
                "timestamps": timestamps,
                "volume_size": size_limit,
                "pdf": pdf,
                "docid_key_fingerprint": key.fingerprint,
                "source": {"stage": ds.manifest.stage, "fingerprint": ds.fingerprint, "rows": ds.rows},
                "sides": {s.name: s.fingerprint for s in (hit_src, rep_src, sig_src) if s is not None},
                "sealroom_version": __version__,
            },
            "counts": {
                "documents": assembled.documents,
                "files": files.count,
                "hits": int(stats.get("hits", 0)),
                "documents_with_hits": int(stats.get("documents_with_hits", 0)),
                "replacements": int(stats.get("replacements", 0)),
                "signals": int(stats.get("signals", 0)),
                "pages": int(stats.get("pages", 0)),
                "ids_not_found": (len(selected) - n) if selected is not None and select != "hits" else 0,
            },
            "produced_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        }
        if signer is not None:
            from sealroom.produce.signing import public_fingerprint

            header["signing_key_fingerprint"] = public_fingerprint(signer.public_key())
        write_manifest(out / MANIFEST, header, spool)
    if assembled.documents != n:
        raise ConfigError(f"assembled {assembled.documents} documents, planned {n}", code="production_count")
    manifest_digest = sha256_file(out / MANIFEST)
    if signer is not None:
        from sealroom.produce.signing import public_pem, sign_manifest

        (out / SIGNATURE).write_bytes(sign_manifest(signer, manifest_digest))
        (out / PUBLIC_KEY).write_bytes(public_pem(signer.public_key()))
    if state is not None:
        state.record(rng, production=out.name, manifest_sha256=manifest_digest)
    shutil.rmtree(staging)
    archives: list[Path] = []
    if recipients is not None:
        from sealroom.produce.crypto import encrypt_production

        archives = encrypt_production(out, out / DELIVERY, recipients, show_progress=show_progress)
    return ProductionResult(
        out=out,
        prefix=prefix,
        first=rng.first,
        last=rng.last,
        begin=rng.begin,
        end=rng.end,
        documents=assembled.documents,
        volumes=[v.name for v in assembled.volumes],
        manifest=out / MANIFEST,
        signed=signer is not None,
        counts=header["counts"],
        archives=archives,
    )
