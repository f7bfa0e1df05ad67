"""Differentially private counts through OpenDP, calibrated to the bounded contributions.

Laplace (pure ε-DP; the discrete Laplace on integer counts) or Gaussian (approximate (ε, δ)-DP,
via zero-concentrated DP converted at the stated δ). OpenDP draws its noise from the operating
system's CSPRNG: it cannot be seeded, by design.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sealroom.errors import ConfigError

MECHANISMS = ("laplace", "gaussian")


@dataclass(frozen=True, slots=True)
class DPConfig:
    """``epsilon`` (and ``delta`` for Gaussian) for the whole report, split evenly over its releases."""

    epsilon: float
    delta: float = 0.0
    mechanism: str = "laplace"

    def __post_init__(self) -> None:
        if not (isinstance(self.epsilon, int | float) and math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ConfigError(f"dp epsilon must be a positive number, got {self.epsilon!r}")
        if self.mechanism not in MECHANISMS:
            raise ConfigError(f"dp mechanism must be one of {', '.join(MECHANISMS)}, got {self.mechanism!r}")
        if self.mechanism == "gaussian" and not (0 < self.delta < 1):
            raise ConfigError(f"the gaussian mechanism needs 0 < delta < 1, got {self.delta!r}")
        if self.mechanism == "laplace" and self.delta != 0:
            raise ConfigError("the laplace mechanism is pure epsilon-DP: give delta 0")


def _opendp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def make_count_measurement(
    mechanism: str, sensitivity_l1: int, sensitivity_linf: int, epsilon: float, delta: float = 0.0
) -> tuple[Any, float]:
    """An OpenDP measurement over a vector of integer counts and its noise scale (Laplace b,
    Gaussian σ), calibrated so that one user — who moves the vector by at most ``sensitivity_l1``
    in L1 and any one cell by at most ``sensitivity_linf`` — costs ``epsilon`` (and ``delta``)."""
    dp = _opendp()
    if mechanism == "laplace":
        space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        scale = sensitivity_l1 / epsilon
        return dp.m.make_laplace(*space, scale=scale), scale
    # L2 sensitivity from the two bounds: ||d||_2 <= sqrt(||d||_1 · ||d||_inf)
    l2 = math.sqrt(sensitivity_l1 * sensitivity_linf)
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=float)

    def build(scale: float) -> Any:
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(dp.m.make_gaussian(*space, scale=scale)), delta)

    scale = dp.binary_search_param(build, d_in=l2, d_out=(epsilon, delta))
    return build(scale), float(scale)


def noisy_counts(
    counts: Sequence[int],
    mechanism: str,
    sensitivity_l1: int,
    sensitivity_linf: int,
    epsilon: float,
    delta: float = 0.0,
) -> tuple[list[int], float]:
    """Counts with calibrated noise (clamped at 0: a count is never negative), and the noise scale."""
    meas, scale = make_count_measurement(mechanism, sensitivity_l1, sensitivity_linf, epsilon, delta)
    if not counts:
        return [], scale
    noisy = meas([int(c) for c in counts])
    return [max(0, int(v)) for v in noisy], scale


#: δ of releasing an open-vocabulary table's *keys* (a month, a model name, an article id) under
#: DP: a key whose true count is below the threshold appears with at most this probability.
KEY_RELEASE_DELTA = 1e-9


def key_release_threshold(mechanism: str, scale: float, min_group_size: int, delta: float = KEY_RELEASE_DELTA) -> float:
    """Noisy user count an open-vocabulary key must reach: the minimum group size plus the noise
    tail at ``delta``, so a key with fewer than ``min_group_size`` true users (one user's own
    model name, say) surfaces with probability at most ``delta``."""
    if mechanism == "laplace":
        return min_group_size + scale * math.log(1 / (2 * delta))
    return min_group_size + scale * math.sqrt(2 * math.log(1 / (2 * delta)))
