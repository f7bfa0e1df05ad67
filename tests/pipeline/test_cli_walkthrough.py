"""The README's stage-by-stage commands, run as a user would (one subprocess per command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sealroom.demo import data_path, synth

pytestmark = pytest.mark.slow


def _sealroom(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "sealroom.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.stdout


def test_every_stage_from_the_command_line(tmp_path: Path) -> None:
    synth.generate(data_path("news_excerpt.jsonl.gz"), tmp_path / "chats.jsonl", conversations=120)
    run = lambda *a, **kw: _sealroom(tmp_path, *a, **kw)  # noqa: E731
    run("keygen", "keys/matter.key")
    run("ingest", "chats.jsonl", str(data_path("chatgpt_export_excerpt.json")), "--out", "work/hold", "-q")
    run(
        "sample", "work/hold", "--out", "work/sample", "--key-file", "keys/matter.key", "--size", "80",
        "--stratify", "month(created_at)", "--where", "account_type is null or account_type != 'business'", "-q",
    )  # fmt: skip
    run("sample", "verify", "work/sample", "--hold", "work/hold", "--key-file", "keys/matter.key")
    run("corpus", "build", str(data_path("news_excerpt.jsonl.gz")), "--out", "work/corpus")
    run("scan", "work/sample", "--index", "work/corpus", "--out", "work/hits", "-q")
    run("deidentify", "work/sample", "--out", "work/deid", "--key-file", "keys/matter.key", "--hits", "work/hits", "-q")
    run("classify", "work/deid", "--out", "work/labels", "--hits", "work/hits", "-q")
    run(
        "report", "--data", "work/deid", "--hits", "work/hits", "--labels", "work/labels",
        "--sampling-report", "work/sample/sampling_report.json", "--out", "work/report", "--min-group-size", "5",
    )  # fmt: skip
    run("produce-keygen", "keys/signing.key")
    run(
        "produce", "work/deid", "--out", "work/prod", "--prefix", "OAI",
        "--key-file", "keys/matter.key", "--sign-key", "keys/signing.key",
    )  # fmt: skip
    run("verify", "work/prod", "--public-key", "keys/signing.key.pub.pem")
    loaded = json.loads(run("load", "work/prod", "--db", "sqlite:///review.db").strip().splitlines()[-1])
    assert loaded["documents"] == 80
    run(
        "users", "add", "alice", "--role", "counsel", "--db", "sqlite:///review.db", env={"SEALROOM_PASSWORD": "x" * 16}
    )
    run("audit", "verify", "--db", "sqlite:///review.db")
    for dataset in ("work/hold", "work/sample", "work/hits", "work/deid", "work/labels"):
        run("validate", dataset)
    assert json.loads((tmp_path / "work/report/report.json").read_text())
