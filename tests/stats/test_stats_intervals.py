from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

from sealroom.errors import ConfigError
from sealroom.stats import clopper_pearson_interval, wilson_interval

EDGES = [(0, 1), (1, 1), (0, 10), (10, 10), (0, 600), (600, 600), (1, 2), (3, 17), (50, 100), (1, 20_000_000)]
LEVELS = [0.8, 0.9, 0.95, 0.99, 0.999]


@pytest.mark.parametrize(("k", "n"), EDGES)
@pytest.mark.parametrize("confidence", LEVELS)
def test_wilson_matches_statsmodels_and_scipy(k: int, n: int, confidence: float) -> None:
    low, high = wilson_interval(k, n, confidence)
    ref = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    assert low == pytest.approx(ref[0], abs=1e-12) and high == pytest.approx(ref[1], abs=1e-12)
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high, abs=1e-12)


@pytest.mark.parametrize(("k", "n"), EDGES)
@pytest.mark.parametrize("confidence", LEVELS)
def test_clopper_pearson_matches_statsmodels_and_scipy(k: int, n: int, confidence: float) -> None:
    low, high = clopper_pearson_interval(k, n, confidence)
    ref = proportion_confint(k, n, alpha=1 - confidence, method="beta")
    assert low == pytest.approx(ref[0], abs=1e-12) and high == pytest.approx(ref[1], abs=1e-12)
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high, abs=1e-12)


def test_edges_are_exact() -> None:
    """0 of N starts at exactly 0, N of N ends at exactly 1; N = 1 gives the textbook values."""
    assert wilson_interval(0, 50)[0] == 0.0 and wilson_interval(50, 50)[1] == 1.0
    assert clopper_pearson_interval(0, 50)[0] == 0.0 and clopper_pearson_interval(50, 50)[1] == 1.0
    assert clopper_pearson_interval(0, 1) == (0.0, pytest.approx(0.975))
    assert clopper_pearson_interval(1, 1) == (pytest.approx(0.025), 1.0)
    # rule of three: 0 of n has a one-sided 95% (two-sided 90%) upper bound of about 3/n
    assert clopper_pearson_interval(0, 3000, 0.90)[1] == pytest.approx(3 / 3000, rel=0.01)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.floats(0.5, 0.999))
@settings(max_examples=200, deadline=None)
def test_intervals_contain_the_estimate_and_nest(kn: tuple[int, int], confidence: float) -> None:
    k, n = kn
    for fn in (wilson_interval, clopper_pearson_interval):
        low, high = fn(k, n, confidence)
        assert 0.0 <= low <= k / n <= high <= 1.0
        wider = fn(k, n, min(0.9999, confidence + 0.0005))
        assert wider[0] <= low + 1e-12 and wider[1] >= high - 1e-12


@pytest.mark.parametrize(
    ("k", "n", "confidence", "fragment"),
    [
        (1, 0, 0.95, "n must be at least 1"),
        (5, 4, 0.95, "positives must be between 0 and n"),
        (-1, 4, 0.95, "positives must be between"),
        (1.5, 4, 0.95, "positives must be a whole number"),
        (1, 4, 1.0, "confidence must be"),
        (1, 4, 0, "confidence must be"),
        (True, 4, 0.95, "whole number"),
    ],
)
def test_bad_input_names_the_parameter(k: int, n: int, confidence: float, fragment: str) -> None:
    for fn in (wilson_interval, clopper_pearson_interval):
        with pytest.raises(ConfigError, match=fragment):
            fn(k, n, confidence)
