from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sealroom.cli.main import cli
from sealroom.stats import Stratum, prevalence, stratified_prevalence


def run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["estimate", *map(str, args)])
    return r.exit_code, r.output


def test_simple_estimate_json_matches_the_library() -> None:
    code, out = run("--positives", 3, "--n", 1000, "--population", 20_000_000, "--json")
    assert code == 0, out
    assert json.loads(out) == pytest.approx(prevalence(3, 1000, 20_000_000).to_dict())
    code, out = run("--positives", 3, "--n", 1000, "--method", "clopper-pearson", "--confidence", 0.99)
    assert code == 0 and "99% CI" in out and "clopper-pearson" in out


def test_stratified_from_csv(tmp_path: Path) -> None:
    csv = tmp_path / "strata.csv"
    csv.write_text("stratum,population,n,positives\n2023-01,1000000,500,4\n2023-02,250000,500,20\n")
    code, out = run("--strata", csv, "--json")
    assert code == 0, out
    want = stratified_prevalence([Stratum(1_000_000, 500, 4), Stratum(250_000, 500, 20)])
    assert json.loads(out)["proportion"] == pytest.approx(want.proportion)
    assert json.loads(out)["high"] == pytest.approx(want.high)


def write_report(folder: Path, strata: list[dict], stratify: str | None) -> Path:
    """The parts of a sampling report `estimate` reads (format, method, strata, totals)."""
    from sealroom.dataset.files import write_json_atomic
    from sealroom.sample.report import FORMAT, REPORT

    folder.mkdir()
    report = {
        "format": FORMAT,
        "method": {"mode": "per_stratum", "stratify": stratify},
        "strata": strata,
        "rows": sum(s["rows"] for s in strata),
        "population": sum(s["population"] for s in strata),
        "sample": sum(s["sample"] for s in strata),
    }
    write_json_atomic(folder / REPORT, report)
    return folder


def test_stratified_from_a_sampling_report(tmp_path: Path) -> None:
    rows = [
        {"value": "gpt-4", "rows": 900, "population": 800, "sample": 50},
        {"value": "gpt-4o", "rows": 300, "population": 300, "sample": 50},
        {"value": None, "rows": 40, "population": 20, "sample": 20},
        {"value": "old", "rows": 10, "population": 0, "sample": 0},
    ]
    s = write_report(tmp_path / "s", rows, "model")
    pos = tmp_path / "pos.csv"
    pos.write_text("stratum,positives\ngpt-4,1\ngpt-4o,0\n(null),5\n")
    code, out = run("--report", s, "--positives-csv", pos, "--json")
    assert code == 0, out
    want = stratified_prevalence([Stratum(800, 50, 1), Stratum(300, 50, 0), Stratum(20, 20, 5)])
    assert json.loads(out)["proportion"] == pytest.approx(want.proportion)
    assert json.loads(out)["population"] == 1120
    pos.write_text("stratum,positives\ngpt-4,1\n")
    code, out = run("--report", s / "sampling_report.json", "--positives-csv", pos)
    assert code == 3 and "no row for stratum" in out
    code, out = run("--report", s, "--positives", 3)
    assert code == 2 and "stratified" in out


def test_unstratified_report(tmp_path: Path) -> None:
    s = write_report(tmp_path / "s", [{"value": None, "rows": 5000, "population": 4000, "sample": 400}], None)
    code, out = run("--report", s, "--positives", 3, "--json")
    assert code == 0, out
    assert json.loads(out) == pytest.approx(prevalence(3, 400, 4000).to_dict())


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--positives", 5], "give --positives and --n"),
        (["--positives", 5, "--n", 3], "positives must be between 0 and n"),
        (["--positives", 1, "--n", 3, "--confidence", 1.5], "confidence must be"),
        (["--positives", 1, "--n", 10, "--population", 5], "population (5) is smaller"),
    ],
)
def test_errors(args: list[object], fragment: str) -> None:
    code, out = run(*args)
    assert code == 2 and fragment in out
