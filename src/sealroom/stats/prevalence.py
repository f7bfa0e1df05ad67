"""Prevalence estimates from a simple or stratified random sample, scaled to the population.

"More than 99.99% are irrelevant" is a claim about a population made from a sample; an
:class:`Estimate` carries the proportion, its interval, and the same figures as counts in the
population, so a report can say "between 120 and 410 of 20,000,000 conversations".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from numbers import Integral
from typing import Any

from sealroom.errors import ConfigError
from sealroom.stats.intervals import check_confidence, check_counts, interval, wilson_from_proportion


@dataclass(frozen=True, slots=True)
class Estimate:
    """A proportion with its confidence interval; ``count*`` are set when a population size is known."""

    proportion: float
    low: float
    high: float
    confidence: float
    method: str
    n: float
    positives: float
    population: int | None = None
    count: float | None = None
    count_low: float | None = None
    count_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_population(population: int | None, n: int, name: str = "population") -> int | None:
    if population is None:
        return None
    if isinstance(population, bool) or not isinstance(population, Integral):
        raise ConfigError(f"{name} must be a whole number, got {population!r}")
    if population < n:
        raise ConfigError(f"{name} ({population}) is smaller than the sample size n ({n})")
    return int(population)


def prevalence(
    k: int,
    n: int,
    population: int | None = None,
    confidence: float = 0.95,
    method: str = "wilson",
) -> Estimate:
    """Prevalence of positives from ``k`` positives in a simple random sample of ``n``.

    No finite-population correction is applied: for a sample that is a large share of a small
    population the interval is conservative (too wide), never too narrow.
    """
    k, n = check_counts(k, n)
    confidence = check_confidence(confidence)
    population = _check_population(population, n)
    low, high = interval(k, n, confidence, method)
    p = k / n
    counts: dict[str, float | None] = {"count": None, "count_low": None, "count_high": None}
    if population is not None:
        counts = {"count": p * population, "count_low": low * population, "count_high": high * population}
    return Estimate(p, low, high, confidence, method, n, k, population, **counts)


@dataclass(frozen=True, slots=True)
class Stratum:
    """One stratum of a stratified sample: its population size, sample size and positives found."""

    population: int
    n: int
    positives: int
    name: str | None = None


def stratified_prevalence(strata: list[Stratum], confidence: float = 0.95) -> Estimate:
    """Population-weighted prevalence over strata, with a Wilson interval on the effective sample size.

    Point estimate: sum of W_h * p_h with W_h = N_h / N. Variance: sum of W_h^2 p_h (1 - p_h) / n_h
    times the finite-population correction (1 - n_h / N_h). The interval is the Wilson interval at
    the design's effective sample size p (1 - p) / variance (Korn & Graubard 1998), capped at the
    total sample size; where every stratum shows 0% or 100% the variance is 0 and the total sample
    size is used, so "0 positives" still yields an honest upper bound instead of a zero-width interval.
    """
    confidence = check_confidence(confidence)
    if not strata:
        raise ConfigError("strata: at least one stratum is needed")
    total = 0
    for i, s in enumerate(strata):
        label = s.name if s.name is not None else f"#{i}"
        if s.population == 0 and s.n == 0:
            continue
        check_counts(s.positives, s.n, k_name=f"stratum {label} positives", n_name=f"stratum {label} n")
        _check_population(s.population, s.n, f"stratum {label} population")
        total += s.population
    if total == 0:
        raise ConfigError("strata: the population is empty")
    p = 0.0
    var = 0.0
    n_total = 0
    k_total = 0
    for s in strata:
        if s.population == 0:
            continue
        w = s.population / total
        ph = s.positives / s.n
        p += w * ph
        fpc = 1 - s.n / s.population
        var += w * w * ph * (1 - ph) / s.n * fpc
        n_total += s.n
        k_total += s.positives
    p = min(max(p, 0.0), 1.0)
    n_eff = float(n_total) if var <= 0 else min(p * (1 - p) / var, float(n_total))
    if math.isnan(n_eff) or n_eff <= 0:
        n_eff = float(n_total)
    low, high = wilson_from_proportion(p, n_eff, confidence)
    return Estimate(
        proportion=p,
        low=low,
        high=high,
        confidence=confidence,
        method="stratified-wilson",
        n=n_eff,
        positives=k_total,
        population=total,
        count=p * total,
        count_low=low * total,
        count_high=high * total,
    )
