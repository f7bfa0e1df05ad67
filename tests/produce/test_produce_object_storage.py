"""produce from datasets on object storage: the same production as from local folders.

The de-identified dataset and the scan output (``--hits``) live in a bucket of the test S3 server
(``tests/objectstore.py``); the production volumes are written to a local folder, as always.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
from click.testing import CliRunner
from produce_fixtures import FixtureStep, conversations
from test_produce import ScanLikeStep

from objectstore import upload
from sealroom.cli.main import cli
from sealroom.produce.api import ProductionResult
from sealroom.produce.verify import verify_production
from sealroom.runner import LocalRunner, run_step


def files(out: Path) -> dict[str, bytes]:
    """Every file of a production; the manifest without its production time."""
    found = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    manifest = orjson.loads(found.pop("manifest.json"))
    assert manifest.pop("produced_at")
    found["manifest.json"] = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)
    return found


def deidentified_without_hits(folder: Path) -> tuple[Path, Path]:
    """A de-identified dataset with no hits of its own (five shards), and a scan output with hits and
    a signal whose offsets produce re-maps through the replacement log."""
    convs, reps, hits = conversations(n_extra=7)
    run_step(FixtureStep(convs, reps, [], 2), folder / "D", LocalRunner(1), show_progress=False)
    signals = [
        {"conversation_id": "conv-001", "message_index": 0, "start": 0, "end": 2, "signal": "s", "publisher": None}
    ]
    run_step(ScanLikeStep(convs, signals, hits, 10), folder / "HITS", LocalRunner(1), show_progress=False)
    return folder / "D", folder / "HITS"


def test_production_from_object_storage_equals_one_from_local_folders(
    tmp_path: Path, s3_root: str, larger_dataset: Path, make_production: Callable[..., ProductionResult]
) -> None:
    local = make_production(larger_dataset, volume_size=20_000, out=tmp_path / "LOCAL")
    src = upload(larger_dataset, f"{s3_root}/deid")
    remote = make_production(src, volume_size=20_000, out=tmp_path / "REMOTE", workers=2)
    assert remote.documents == local.documents == 40 and len(remote.volumes) > 1
    assert files(remote.out) == files(local.out)
    assert verify_production(remote.out).ok

    d, scan = deidentified_without_hits(tmp_path / "in")
    local = make_production(d, hits=scan, select="hits", out=tmp_path / "LOCAL-HITS")
    s3_d, s3_scan = upload(d, f"{s3_root}/d"), upload(scan, f"{s3_root}/scan/hits")
    remote = make_production(s3_d, hits=s3_scan, select="hits", out=tmp_path / "REMOTE-HITS")
    assert remote.documents == 1 and remote.counts["hits"] == 1 and remote.counts["signals"] == 1
    assert files(remote.out) == files(local.out)


def test_produce_command_takes_urls(
    tmp_path: Path, s3_root: str, key_file: Path, make_production: Callable[..., ProductionResult]
) -> None:
    d, scan = deidentified_without_hits(tmp_path / "in")
    s3_d, s3_scan = upload(d, f"{s3_root}/d"), upload(scan, f"{s3_root}/scan/hits")
    out = tmp_path / "PROD"
    args = ["produce", s3_d, "--hits", s3_scan, "--out", str(out), "--prefix", "ABC", "--key-file", str(key_file)]
    r = CliRunner().invoke(cli, [*args, "-j", "1", "-q"])
    assert r.exit_code == 0, r.output
    assert "produced 10 documents ABC0000001-ABC0000010" in r.output
    assert files(out) == files(make_production(d, hits=scan, out=tmp_path / "LOCAL").out)
