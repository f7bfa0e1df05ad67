from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sealroom.cli.main import cli
from sealroom.dataset.files import read_json


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_hold_first_or_options_first_and_explicit_draw(hold: Path, key_file: Path, tmp_path: Path) -> None:
    a = tmp_path / "a"
    code, out = run(
        "sample", hold, "--out", a, "--key-file", key_file, "--size", 40, "--stratify", "model", "-j", 1, "-q"
    )
    assert code == 0, out
    assert "sampled 40 of 2,000" in out
    b = tmp_path / "b"
    code, out = run(
        "sample", "--out", b, "--key-file", key_file, "--size", 40, "--stratify", "model", "-q", "-j", 1, hold
    )
    assert code == 0, out
    c = tmp_path / "c"
    code, out = run("sample", "draw", hold, "-o", c, "--key-file", key_file, "--size", 40, "--stratify", "model", "-q")
    assert code == 0, out
    digests = {read_json(p / "sampling_report.json")["sample_ids"]["sha256"] for p in (a, b, c)}
    assert len(digests) == 1
    assert (a / "sampling_summary.md").read_text().startswith("# Sampling report")

    code, out = run("sample", "verify", a, "--hold", hold, "--key-file", key_file, "-j", 1, "-q")
    assert code == 0, out
    assert "40 conversations re-derived and identical" in out


def test_repeated_where_and_failures_exit_with_codes(hold: Path, key_file: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "w"
    code, out = run(
        "sample",
        hold,
        "--out",
        out_dir,
        "--key-file",
        key_file,
        "--rate",
        "0.5",
        "-q",
        "-j",
        1,
        "--where",
        "model = 'gpt-4'",
        "--where",
        "account_type is not null",
    )
    assert code == 0, out
    assert [e["where"] for e in read_json(out_dir / "sampling_report.json")["exclusions"]] == [
        "model = 'gpt-4'",
        "account_type is not null",
    ]
    code, out = run("sample", hold, "--out", tmp_path / "x", "--key-file", key_file, "--rate", "2")
    assert code == 2 and "--rate must be in (0, 1]" in out
    code, out = run("sample", hold, "--out", tmp_path / "x", "--key-file", tmp_path / "none", "--rate", "0.5")
    assert code == 2 and "--key-file" in out
    code, out = run("sample", hold, "--out", tmp_path / "x", "--key-file", key_file, "--size", 3, "--stratify", "x")
    assert code == 2 and "--stratify: unknown column 'x'" in out


def test_verify_failure_exits_nonzero_naming_the_difference(hold: Path, key_file: Path, tmp_path: Path) -> None:
    s = tmp_path / "s"
    assert run("sample", hold, "--out", s, "--key-file", key_file, "--rate", "0.02", "-q", "-j", 1)[0] == 0
    report = read_json(s / "sampling_report.json")
    report["sample"] += 1
    from sealroom.dataset.files import write_json_atomic

    write_json_atomic(s / "sampling_report.json", report)
    code, out = run("sample", "verify", s, "--hold", hold, "--key-file", key_file, "-q", "-j", 1)
    assert code == 5
    assert "report sample: recorded" in out


@pytest.mark.parametrize("args", [["sample"], ["sample", "--help"], ["sample", "-h"]])
def test_group_help(args: list[str]) -> None:
    code, out = run(*args)
    assert code == 0 if len(args) > 1 else code in (0, 2)  # click >= 8.2: a bare group exits 2 after help
    assert "verify" in out and "HOLD --out S" in out
