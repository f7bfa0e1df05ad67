from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.errors import ConfigError
from sealroom.stats import sample_size_for_margin
from sealroom.stats.intervals import z_value


@pytest.mark.parametrize(
    ("kw", "n"),
    [
        ({"margin": 0.05}, 385),
        ({"margin": 0.03}, 1068),
        ({"margin": 0.01}, 9604),
        ({"margin": 0.05, "confidence": 0.99}, 664),
        ({"margin": 0.05, "population": 10_000}, 370),
        ({"margin": 0.05, "population": 100}, 80),
        ({"margin": 0.01, "p": 0.1}, 3458),
    ],
)
def test_textbook_values(kw: dict, n: int) -> None:
    assert sample_size_for_margin(**kw) == n


@given(st.floats(0.001, 0.3), st.floats(0.01, 0.99), st.sampled_from([0.9, 0.95, 0.99]))
def test_smallest_n_reaching_the_margin(margin: float, p: float, confidence: float) -> None:
    n = sample_size_for_margin(margin, confidence, p)
    z = z_value(confidence)

    def half(m: int) -> float:
        return z * math.sqrt(p * (1 - p) / m)

    assert half(n) <= margin * (1 + 1e-9)
    assert n == 1 or half(n - 1) > margin * (1 - 1e-9)


def test_bad_input() -> None:
    with pytest.raises(ConfigError, match="margin"):
        sample_size_for_margin(0)
    with pytest.raises(ConfigError, match="p must be"):
        sample_size_for_margin(0.05, p=1.5)
    with pytest.raises(ConfigError, match="population"):
        sample_size_for_margin(0.05, population=0)
    with pytest.raises(ConfigError, match="confidence"):
        sample_size_for_margin(0.05, confidence=95)
