from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sealroom.cli.main import COMMANDS, cli
from sealroom.runner import LocalRunner, run_step
from steps_for_tests import SquaresStep


def test_every_registered_command_loads_and_has_help() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "sealroom, version" in result.output


def test_info_and_validate(tmp_path: Path) -> None:
    run_step(SquaresStep(2, 3), tmp_path / "d", LocalRunner(1), show_progress=False)
    runner = CliRunner()
    info = runner.invoke(cli, ["info", str(tmp_path / "d")])
    assert info.exit_code == 0 and "rows=6" in info.output
    ok = runner.invoke(cli, ["validate", str(tmp_path / "d")])
    assert ok.exit_code == 0
    (tmp_path / "d" / "part-00001.parquet").write_bytes(b"x")
    bad = runner.invoke(cli, ["validate", str(tmp_path / "d")])
    assert bad.exit_code == 5
    assert "part-00001.parquet" in bad.output


def test_missing_dataset_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["info", str(tmp_path / "nothing")])
    assert result.exit_code == 4
    assert "dataset_missing" in result.output
