"""Binomial confidence intervals for a proportion: Wilson score and Clopper–Pearson (exact).

Both are what a court expert would recognise. Wilson is the default (close to nominal coverage,
never outside [0, 1], sensible at 0 of N); Clopper–Pearson is the conservative "exact" interval
that e-discovery protocols often ask for.
"""

from __future__ import annotations

import math
from numbers import Integral

from scipy.stats import beta, norm

from sealroom.errors import ConfigError


def check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ConfigError(f"confidence must be a number strictly between 0 and 1, got {confidence!r}")
    return float(confidence)


def check_counts(k: int, n: int, *, k_name: str = "positives", n_name: str = "n") -> tuple[int, int]:
    """Counts must be whole numbers with 0 <= k <= n and n >= 1 (no interval exists for n = 0)."""
    for name, value in ((k_name, k), (n_name, n)):
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise ConfigError(f"{name} must be a whole number, got {value!r}")
    k, n = int(k), int(n)
    if n < 1:
        raise ConfigError(f"{n_name} must be at least 1, got {n}")
    if not 0 <= k <= n:
        raise ConfigError(f"{k_name} must be between 0 and {n_name} ({n}), got {k}")
    return k, n


def z_value(confidence: float) -> float:
    """Two-sided standard-normal quantile for ``confidence`` (1.959964 for 0.95)."""
    return float(norm.ppf(1 - (1 - check_confidence(confidence)) / 2))


def wilson_from_proportion(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an observed proportion ``p`` over a (possibly effective, non-integer)
    sample size ``n``; used directly by the stratified estimator."""
    z = z_value(confidence)
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    low, high = centre - half, centre + half
    # the closed form gives exactly 0 / 1 at the edges in exact arithmetic; clamp rounding residue
    if p <= 0:
        low = 0.0
    if p >= 1:
        high = 1.0
    return max(0.0, low), min(1.0, high)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials."""
    k, n = check_counts(k, n)
    return wilson_from_proportion(k / n, n, confidence)


def clopper_pearson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson ("exact") interval from beta quantiles; 0 and 1 exactly at the edges."""
    k, n = check_counts(k, n)
    alpha = 1 - check_confidence(confidence)
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


METHODS = {"wilson": wilson_interval, "clopper-pearson": clopper_pearson_interval}


def interval(k: int, n: int, confidence: float = 0.95, method: str = "wilson") -> tuple[float, float]:
    try:
        fn = METHODS[method]
    except KeyError:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {method!r}") from None
    return fn(k, n, confidence)
