from __future__ import annotations

import math

import numpy as np
import pytest

from sealroom.errors import ConfigError
from sealroom.stats import Stratum, prevalence, stratified_prevalence, wilson_interval
from sealroom.stats.intervals import clopper_pearson_interval


def test_prevalence_scales_to_the_population() -> None:
    e = prevalence(2, 10_000, population=20_000_000)
    low, high = wilson_interval(2, 10_000)
    assert (e.proportion, e.low, e.high) == (0.0002, low, high)
    assert e.count == pytest.approx(4000) and e.count_low == pytest.approx(low * 2e7)
    assert e.count_high == pytest.approx(high * 2e7)
    cp = prevalence(2, 10_000, confidence=0.99, method="clopper-pearson")
    assert (cp.low, cp.high) == clopper_pearson_interval(2, 10_000, 0.99) and cp.count is None
    assert e.to_dict()["population"] == 20_000_000


def test_the_99_99_percent_claim_needs_a_large_sample() -> None:
    """0 relevant in 1,000 does not show "more than 99.99% irrelevant"; 0 in 100,000 does."""
    assert prevalence(0, 1000).high > 1e-4
    assert prevalence(0, 100_000).high < 1e-4


def test_prevalence_errors_name_the_parameter() -> None:
    with pytest.raises(ConfigError, match=r"population .* smaller than the sample size"):
        prevalence(1, 100, population=50)
    with pytest.raises(ConfigError, match="method must be one of"):
        prevalence(1, 100, method="wald")


def test_single_stratum_is_the_simple_estimate() -> None:
    e = stratified_prevalence([Stratum(population=10**9, n=400, positives=7)])
    low, high = wilson_interval(7, 400)
    assert e.proportion == pytest.approx(7 / 400)
    assert e.low == pytest.approx(low, rel=1e-6) and e.high == pytest.approx(high, rel=1e-6)


def test_stratified_weights_by_population_not_by_sample() -> None:
    strata = [Stratum(900_000, 500, 5, "a"), Stratum(100_000, 500, 100, "b")]
    e = stratified_prevalence(strata)
    assert e.proportion == pytest.approx(0.9 * 0.01 + 0.1 * 0.2)
    var = 0.9**2 * 0.01 * 0.99 / 500 * (1 - 500 / 900_000) + 0.1**2 * 0.2 * 0.8 / 500 * (1 - 500 / 100_000)
    assert e.n == pytest.approx(min(e.proportion * (1 - e.proportion) / var, 1000))
    assert e.low < e.proportion < e.high
    assert e.count == pytest.approx(29_000) and e.population == 1_000_000
    # the unweighted pooled proportion would be 10.5%: very different
    assert not math.isclose(e.proportion, 105 / 1000)


def test_stratified_zero_positives_still_has_an_upper_bound() -> None:
    e = stratified_prevalence([Stratum(10**6, 300, 0), Stratum(10**5, 300, 0)])
    assert e.proportion == 0 and e.low == 0
    assert e.high == pytest.approx(wilson_interval(0, 600)[1])


def test_stratified_interval_covers_at_about_the_nominal_rate() -> None:
    """A seeded simulation: 95% intervals should cover the true prevalence ~95% of the time."""
    rng = np.random.default_rng(12345)
    pops, ps, ns = [600_000, 300_000, 100_000], [0.02, 0.05, 0.3], [400, 300, 200]
    truth = sum(N * p for N, p in zip(pops, ps, strict=True)) / sum(pops)
    covered = 0
    reps = 1000
    for _ in range(reps):
        ks = rng.binomial(ns, ps)
        e = stratified_prevalence([Stratum(N, n, int(k)) for N, n, k in zip(pops, ns, ks, strict=True)])
        covered += e.low <= truth <= e.high
    assert 0.92 <= covered / reps <= 0.98


@pytest.mark.parametrize(
    ("strata", "fragment"),
    [
        ([], "at least one stratum"),
        ([Stratum(100, 0, 0, "jan")], "stratum jan n must be at least 1"),
        ([Stratum(100, 10, 11, "feb")], "stratum feb positives"),
        ([Stratum(5, 10, 1, "mar")], "stratum mar population"),
        ([Stratum(0, 0, 0)], "population is empty"),
    ],
)
def test_stratified_errors_name_the_stratum(strata: list[Stratum], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        stratified_prevalence(strata)
