from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dataset_builders import conversation, write_conversations
from sealroom.cli.main import cli


def test_cli_report_writes_json_and_html_and_refuses_an_overspend(tmp_path: Path) -> None:
    convs = [conversation(f"c{i}", "How do I fix this Python error?", user_key=f"u{i}") for i in range(60)]
    data = write_conversations(tmp_path / "d", convs)
    runner = CliRunner()
    res = runner.invoke(cli, ["report", "--data", str(data), "--out", str(tmp_path / "r"), "--min-group-size", "5"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["totals"] == {"users": 60, "conversations": 60}
    assert (tmp_path / "r" / "report.html").read_text().startswith("<!DOCTYPE html>")
    args = ["report", "--data", str(data), "--dp-epsilon", "1", "--budget-ledger", str(tmp_path / "ledger.json")]
    first = runner.invoke(cli, [*args, "--out", str(tmp_path / "r1"), "--budget-epsilon", "1.5"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, [*args, "--out", str(tmp_path / "r2")])
    assert second.exit_code == 8
    assert "privacy_budget_exceeded" in second.output
    assert not (tmp_path / "r2").exists()
