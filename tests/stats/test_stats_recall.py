from __future__ import annotations

import pytest

from sealroom.errors import ConfigError
from sealroom.stats import elusion_recall, prevalence
from sealroom.stats.intervals import clopper_pearson_interval

# The published example (ANCHORS.md, after ei-recall): a 75% recall point estimate has a 95% lower bound
# of about 40% with an elusion sample of 600, 54% with 2,400 and 63% with 9,500. Scenario: 7,500 relevant
# items found, 2,500 missed among a 1,000,000-item null set (elusion 0.25%), elusion samples of those sizes
# showing the expected number of relevant items (rounded to whole items).
PUBLISHED = [(600, 0.40), (2400, 0.54), (9500, 0.63)]


def test_reproduces_the_published_behaviour() -> None:
    lows = []
    for n, published_low in PUBLISHED:
        r = elusion_recall(7500, 1_000_000, n, round(0.0025 * n))
        assert r.low < r.recall < r.high
        assert abs(r.low - published_low) < 0.05, (n, r.low)
        lows.append(r.low)
    assert lows == sorted(lows)  # more elusion review narrows the interval
    r = elusion_recall(7500, 1_000_000, 2400, 6)
    assert r.recall == pytest.approx(0.75)
    # a 600-item elusion sample cannot rule out that most relevant items were missed
    assert elusion_recall(7500, 1_000_000, 600, 2).low < 0.5


def test_bounds_follow_the_elusion_interval() -> None:
    r = elusion_recall(100, 50_000, 1000, 3)
    lo, hi = clopper_pearson_interval(3, 1000)
    assert r.missed == pytest.approx(150) and r.missed_high == pytest.approx(hi * 50_000)
    assert r.low == pytest.approx(100 / (100 + hi * 50_000))
    assert r.high == pytest.approx(100 / (100 + lo * 50_000))
    assert r.to_dict()["elusion"]["positives"] == 3


def test_zero_elusion_hits_still_bounds_recall() -> None:
    r = elusion_recall(500, 100_000, 1500, 0)
    assert r.recall == 1.0 and r.high == 1.0
    assert r.low < 0.75  # 0 of 1,500 still allows ~250 missed items


def test_produced_positives_from_a_sample_widen_the_interval() -> None:
    exact = elusion_recall(7500, 1_000_000, 2400, 6)
    produced = prevalence(750, 1000, population=10_000)  # 75% precision on a 10,000-item production
    sampled = elusion_recall(produced, 1_000_000, 2400, 6)
    assert sampled.recall == pytest.approx(exact.recall)
    assert sampled.low < exact.low and sampled.high > exact.high


def test_bad_input() -> None:
    with pytest.raises(ConfigError, match="null_set_size"):
        elusion_recall(10, 100, 600, 1)
    with pytest.raises(ConfigError, match="null_sample_positives"):
        elusion_recall(10, 10_000, 600, 601)
    with pytest.raises(ConfigError, match="produced_positives"):
        elusion_recall(-1, 10_000, 600, 1)
    with pytest.raises(ConfigError, match="population"):
        elusion_recall(prevalence(1, 10), 10_000, 600, 1)
