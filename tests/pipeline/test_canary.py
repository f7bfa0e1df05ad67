"""Plant fake identifiers in the raw input, run the whole pipeline, and find none of them in any
byte written outside the hold (THREATS.md: "Raw identifiers leave the hold")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pipeline_helpers import canary_variants, make_workdir

pytestmark = pytest.mark.slow

# raw or public by design: the sources, the key, the hold and the sample (pre-de-identification,
# they never leave), and the publisher's corpus index (public articles)
INSIDE_THE_HOLD = {"sources", "keys", "hold", "sample", "corpus-index", "_pipeline"}


def _readable_text(path: Path) -> str:
    if path.suffix == ".parquet":
        # shards are compressed: search the decoded values, not the bytes
        return json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
    return path.read_bytes().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("canary")
    pipeline_file = make_workdir(root, conversations=40, canaries=6)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SEALROOM_DEBUG", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sealroom.cli.main",
            "--log-file",
            str(root / "events.jsonl"),
            "run",
            str(pipeline_file),
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, proc.stdout + proc.stderr


def test_no_canary_outside_the_hold(finished_run: tuple[Path, str]) -> None:
    root, console = finished_run
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in INSIDE_THE_HOLD and p.name != "pipeline.toml"
    ]
    assert any(p.suffix == ".parquet" for p in files) and any("production" in p.parts for p in files)
    leaks = []
    haystacks = {str(p.relative_to(root)): _readable_text(p).lower() for p in files}
    haystacks["<console output>"] = console.lower()
    for name, value in canary_variants().items():
        for where, text in haystacks.items():
            if value.lower() in text:
                leaks.append(f"{name} in {where}")
    assert leaks == []


def test_the_canaries_were_really_in_the_hold(finished_run: tuple[Path, str]) -> None:
    root, _ = finished_run
    hold_text = " ".join(_readable_text(p) for p in (root / "hold").glob("part-*.parquet"))
    for value in ("Zebulon Quartermaine", "zebulon.q7731@example.org", "4111 1111 1111 1111"):
        assert value in hold_text
