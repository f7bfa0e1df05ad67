from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from dataset_builders import conversation, write_conversations
from sealroom.errors import ConfigError
from sealroom.report import PrivacyBudgetError, PrivacyLedger, build_report
from sealroom.report.build import OPEN_VOCABULARY_TABLES
from sealroom.report.dp import KEY_RELEASE_DELTA, DPConfig, make_count_measurement

SAMPLES = 20_000


def _discrete_laplace_mean_abs(b: float) -> float:
    a = math.exp(-1.0 / b)
    return 2 * a / (1 - a * a)


@pytest.mark.parametrize(("sensitivity", "epsilon"), [(1, 0.1), (5, 0.5)])
def test_laplace_noise_has_the_calibrated_scale(sensitivity: int, epsilon: float) -> None:
    """b = Δ/ε. OpenDP samples from the OS CSPRNG (not seedable); the tolerance is ~7 standard
    errors of the mean absolute deviation, and a mechanism off by 20% in scale is rejected."""
    meas, scale = make_count_measurement("laplace", sensitivity, 1, epsilon)
    assert scale == pytest.approx(sensitivity / epsilon)
    assert meas.map(sensitivity) <= epsilon + 1e-12
    noise = np.array(meas([0] * SAMPLES), dtype=float)
    mad = float(np.mean(np.abs(noise)))
    expected = _discrete_laplace_mean_abs(scale)
    tolerance = 7 * expected / math.sqrt(SAMPLES)
    assert abs(mad - expected) < tolerance
    assert abs(mad - _discrete_laplace_mean_abs(1.2 * scale)) > tolerance  # the test can fail
    assert abs(float(np.mean(noise))) < 7 * math.sqrt(2) * scale / math.sqrt(SAMPLES)


def test_gaussian_noise_has_the_calibrated_scale() -> None:
    meas, sigma = make_count_measurement("gaussian", 4, 1, 1.0, 1e-6)
    eps, delta = meas.map(2.0)  # L2 = sqrt(L1 · Linf) = 2
    assert eps <= 1.0 + 1e-9 and delta == pytest.approx(1e-6)
    noise = np.array(meas([0] * SAMPLES), dtype=float)
    sd = float(np.std(noise))
    assert abs(sd - sigma) < 7 * sigma / math.sqrt(2 * SAMPLES)
    assert abs(sd - 1.2 * sigma) > 7 * sigma / math.sqrt(2 * SAMPLES)


def test_dp_parameters_are_validated() -> None:
    with pytest.raises(ConfigError):
        DPConfig(0.0)
    with pytest.raises(ConfigError):
        DPConfig(1.0, 0.0, "gaussian")
    with pytest.raises(ConfigError):
        DPConfig(1.0, 1e-6, "laplace")


def test_ledger_refuses_an_overspend_and_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    ledger = PrivacyLedger.open(path, budget_epsilon=1.0)
    for _ in range(10):
        ledger.charge(epsilon=0.1, delta=0.0, release="r", inputs=["f"])
    before = path.read_bytes()
    with pytest.raises(PrivacyBudgetError, match="left of its budget") as err:
        ledger.charge(epsilon=0.01, delta=0.0, release="r", inputs=["f"])
    assert err.value.code == "privacy_budget_exceeded"
    assert path.read_bytes() == before
    assert ledger.state()["releases"] == 10


def test_ledger_needs_a_budget_and_keeps_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give a budget"):
        PrivacyLedger.open(tmp_path / "l.json")
    PrivacyLedger.open(tmp_path / "l.json", budget_epsilon=2.0)
    with pytest.raises(ConfigError, match="cannot be changed"):
        PrivacyLedger.open(tmp_path / "l.json", budget_epsilon=3.0)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ConfigError, match="not a sealroom privacy ledger"):
        PrivacyLedger.open(tmp_path / "bad.json").state()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    convs = [conversation(f"c{i}", "How do I fix this Python error?", user_key=f"u{i}") for i in range(120)]
    return write_conversations(tmp_path / "d", convs, per_shard=60)


def test_dp_report_states_its_budget_and_the_ledger_stops_a_second_release(tmp_path: Path, data: Path) -> None:
    ledger = tmp_path / "ledger.json"
    first = build_report(
        data, tmp_path / "r1", min_group_size=10, dp_epsilon=40.0, budget_ledger=ledger, budget_epsilon=60
    )
    dp = first.report["protections"]["differential_privacy"]
    assert dp["applied"] and dp["epsilon"] == 40.0 and dp["mechanism"] == "laplace"
    assert sum(r["epsilon"] for r in dp["releases"]) == pytest.approx(40.0)
    assert dp["ledger"]["spent"]["epsilon"] == pytest.approx(40.0)
    totals = next(r for r in dp["releases"] if r["release"] == "totals.users")
    assert totals["scale"] == pytest.approx(1 / 2.0)  # one cell: sensitivity 1, epsilon 40/20
    users = first.report["totals"]["users"]
    assert abs(users - 120) < 30  # scale 0.5: a deviation of 30 has probability ~e^-60
    with pytest.raises(PrivacyBudgetError):
        build_report(data, tmp_path / "r2", min_group_size=10, dp_epsilon=40.0, budget_ledger=ledger)
    assert not (tmp_path / "r2" / "report.json").exists()
    state = json.loads(ledger.read_text())
    assert len(state["releases"]) == 1
    assert "ε = 40.0" in (tmp_path / "r1" / "report.html").read_text()


def test_a_new_ledger_without_a_budget_gets_exactly_the_first_release(tmp_path: Path, data: Path) -> None:
    ledger = tmp_path / "ledger.json"
    build_report(data, tmp_path / "r1", min_group_size=10, dp_epsilon=2.0, budget_ledger=ledger)
    assert json.loads(ledger.read_text())["budget"]["epsilon"] == 2.0
    with pytest.raises(PrivacyBudgetError):
        build_report(data, tmp_path / "r2", min_group_size=10, dp_epsilon=0.1, budget_ledger=ledger)


def test_key_releases_are_charged_as_delta_and_the_default_delta_budget_follows_epsilon(
    tmp_path: Path, data: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    first = build_report(
        data, tmp_path / "r1", min_group_size=10, dp_epsilon=1.0, budget_ledger=ledger, budget_epsilon=2.0
    )
    per_report = len(OPEN_VOCABULARY_TABLES) * KEY_RELEASE_DELTA
    dp = first.report["protections"]["differential_privacy"]
    assert dp["delta"] == 0.0 and dp["delta_total"] == pytest.approx(per_report)
    assert dp["ledger"]["spent"]["delta"] == pytest.approx(per_report)
    assert dp["ledger"]["budget"]["delta"] == pytest.approx(2 * per_report)  # two reports' worth, like ε
    build_report(data, tmp_path / "r2", min_group_size=10, dp_epsilon=1.0, budget_ledger=ledger)
    with pytest.raises(PrivacyBudgetError):
        build_report(data, tmp_path / "r3", min_group_size=10, dp_epsilon=1e-6, budget_ledger=ledger)


def test_a_ledger_without_delta_budget_refuses_a_report_that_releases_keys(tmp_path: Path, data: Path) -> None:
    ledger = tmp_path / "ledger.json"
    PrivacyLedger.open(ledger, budget_epsilon=10.0, budget_delta=0.0)
    with pytest.raises(PrivacyBudgetError, match="delta"):
        build_report(data, tmp_path / "r", min_group_size=10, dp_epsilon=1.0, budget_ledger=ledger)
    assert json.loads(ledger.read_text())["releases"] == []


def test_the_ledger_compares_tiny_deltas_relative_to_the_budget(tmp_path: Path) -> None:
    ledger = PrivacyLedger.open(tmp_path / "l.json", budget_epsilon=1.0, budget_delta=3e-9)
    for _ in range(3):
        ledger.charge(epsilon=0.1, delta=1e-9, release="r", inputs=[])
    with pytest.raises(PrivacyBudgetError):
        ledger.charge(epsilon=0.1, delta=1e-9, release="r", inputs=[])
