"""deidentify over datasets on object storage: the same output as on local folders.

The conversations, the scan hits (``--hits``) and the output live in a bucket of the test S3 server
(``tests/objectstore.py``); key files stay local.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

# the stand-in analyzer must be importable by name (worker processes load it from the step's spec)
sys.path.insert(0, str(Path(__file__).parent / "engine"))

from engine_standin import chat, hit, write_conversations, write_hits

from objectstore import assert_same_dataset, upload
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.dataset.location import is_remote, location
from sealroom.deid import deidentify
from sealroom.errors import QuarantineError
from sealroom.keys import generate_key_file
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations

STANDIN = "engine_standin:StandInAnalyzer"
ARTICLE = "President Barack Obama said on Tuesday that the plan would work."


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    generate_key_file(tmp_path / "keys" / "deid.key")
    return tmp_path / "keys" / "deid.key"


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Conversations over two shards, and a scan output with a hit and a publisher signal."""
    assistant = f"Barack Obama's aide Jane Smith replied. Quote: {ARTICLE} End."
    start = assistant.index(ARTICLE)
    user = "I read it in the New York Times; mail jane@example.org."
    at = user.index("New York Times")
    signal = {"conversation_id": "conv-x", "message_index": 0, "role": "user", "start": at, "end": at + 14,
              "signal": "publisher_named", "publisher": "nyt", "detail": None}  # fmt: skip
    src = write_conversations(
        tmp_path / "hold",
        [[chat("conv-x", user, assistant), chat("conv-y", "Bob called +33 612 345 6789.")], [chat("conv-z", "Hi.")]],
    )
    hits = write_hits(tmp_path / "hits", [hit("conv-x", 1, start, start + len(ARTICLE))], signals=[signal])
    return src, hits


def test_deidentify_from_and_to_object_storage_equals_a_local_run(
    tmp_path: Path, s3_root: str, key_file: Path, inputs: tuple[Path, Path]
) -> None:
    src, hits = inputs
    run = {"key_file": key_file, "analyzer": STANDIN, "show_progress": False}
    deidentify(src, tmp_path / "out", hits=hits, runner=LocalRunner(1), **run)
    s3_src, s3_hits = upload(src, f"{s3_root}/hold"), upload(hits, f"{s3_root}/scan/hits")
    result = deidentify(s3_src, f"{s3_root}/deid", hits=s3_hits, runner=LocalRunner(2), **run)
    assert is_remote(result.out_dir) and result.stats["hits"] == 1 and result.stats["signals"] == 1
    assert_same_dataset(tmp_path / "out", f"{s3_root}/deid")
    ds = Dataset.open(f"{s3_root}/deid")
    conv = table_to_conversations(ds.read())[0]
    (mapped,) = ds.side("hits").read().to_pylist()
    assert conv.messages[1].content[mapped["start"] : mapped["end"]] == ARTICLE
    assert "New York Times" in conv.messages[0].content and "jane@example.org" not in conv.messages[0].content


def test_quarantine_on_object_storage_fails_naming_the_record(
    s3_root: str, key_file: Path, inputs: tuple[Path, Path]
) -> None:
    src, _ = inputs
    bad = write_conversations(src.parent / "bad", [[chat("conv-ok", "Hello Bob."), chat("conv-bad", "\u2620FAIL")]])
    s3_src = upload(bad, f"{s3_root}/bad")
    # finalize reads the quarantine side output back from the bucket to name what was withheld
    with pytest.raises(QuarantineError, match=r"conv-bad \(internal\)"):
        deidentify(
            s3_src, f"{s3_root}/out", key_file=key_file, analyzer="engine_standin:FailingAnalyzer", show_progress=False
        )
    (shard,) = location(f"{s3_root}/out/quarantine").glob("part-*.parquet")
    assert shard.stat().st_size > 0


def test_deidentify_command_takes_urls(tmp_path: Path, s3_root: str, key_file: Path, inputs: tuple[Path, Path]) -> None:
    src, hits = inputs
    s3_src, s3_hits = upload(src, f"{s3_root}/hold"), upload(hits, f"{s3_root}/scan/hits")
    args = ["deidentify", s3_src, "--out", f"{s3_root}/deid", "--hits", s3_hits, "--key-file", str(key_file)]
    r = CliRunner().invoke(cli, [*args, "--analyzer", STANDIN, "-q", "-j", "1"])
    assert r.exit_code == 0, r.output
    assert "3 conversations" in r.output and f"→ {s3_root}/deid " in r.output
    local = deidentify(src, tmp_path / "out", key_file=key_file, hits=hits, analyzer=STANDIN, show_progress=False)
    assert Dataset.open(f"{s3_root}/deid").fingerprint == local.manifest.fingerprint
