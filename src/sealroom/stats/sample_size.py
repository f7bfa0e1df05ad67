"""How many conversations to sample for a target margin of error."""

from __future__ import annotations

import math
from numbers import Integral

from sealroom.errors import ConfigError
from sealroom.stats.intervals import z_value


def sample_size_for_margin(
    margin: float,
    confidence: float = 0.95,
    p: float = 0.5,
    population: int | None = None,
) -> int:
    """Smallest n whose normal-approximation half-width at proportion ``p`` is at most ``margin``.

    n0 = z^2 p (1 - p) / margin^2, then, for a finite population N, n = n0 / (1 + (n0 - 1) / N)
    (Cochran 1977, 4.2). ``p = 0.5`` is the worst case and the usual planning value. For very
    small expected prevalences plan with the expected ``p`` and check the result with an exact
    interval: the normal approximation understates the margin near 0.
    """
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 < margin < 1:
        raise ConfigError(f"margin must be strictly between 0 and 1, got {margin!r}")
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
        raise ConfigError(f"p must be between 0 and 1, got {p!r}")
    z = z_value(confidence)
    # p(1-p) = 0 would ask for no sample at all; one observation is the least that proves anything
    n0 = max(z * z * p * (1 - p) / (margin * margin), 1.0)
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, Integral) or population < 1:
            raise ConfigError(f"population must be a whole number >= 1, got {population!r}")
        n0 = n0 / (1 + (n0 - 1) / population)
        # ceil of a value a hair above an integer (float residue) must not add a whole unit
        return min(int(population), math.ceil(round(n0, 9)))
    return math.ceil(round(n0, 9))
