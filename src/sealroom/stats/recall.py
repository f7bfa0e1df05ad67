"""Recall of a search, estimated by an elusion test (a random sample of what the search did not return).

Recall = TP / (TP + FN): TP are the relevant items the search returned (counted in review, or
estimated from a sample of the produced set), FN the relevant items left in the null set, estimated
as elusion rate x null-set size. The interval follows ei-recall (Losey 2015, after Grossman and
Cormack): the lower bound pairs the fewest plausible TP with the most plausible FN, the upper bound
the reverse, each from an exact (Clopper-Pearson) binomial interval by default. That makes the
uncertainty of a small elusion sample visible: a 75% point estimate from 600 null-set items is
compatible with recall near 40%.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from numbers import Integral
from typing import Any

from sealroom.errors import ConfigError
from sealroom.stats.intervals import check_confidence, check_counts
from sealroom.stats.prevalence import Estimate, prevalence


@dataclass(frozen=True, slots=True)
class RecallEstimate:
    recall: float
    low: float
    high: float
    confidence: float
    method: str
    produced_positives: float
    produced_positives_low: float
    produced_positives_high: float
    missed: float
    missed_low: float
    missed_high: float
    elusion: Estimate

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["elusion"] = self.elusion.to_dict()
        return d


def _ratio(tp: float, fn: float) -> float:
    # no relevant item anywhere (TP = FN = 0): recall is vacuously perfect
    return 1.0 if tp + fn <= 0 else tp / (tp + fn)


def elusion_recall(
    produced_positives: int | Estimate,
    null_set_size: int,
    null_sample_n: int,
    null_sample_positives: int,
    confidence: float = 0.95,
    method: str = "clopper-pearson",
) -> RecallEstimate:
    """Estimate a search's recall from an elusion sample of its null set.

    ``produced_positives``: relevant items among those the search returned: an exact count when
    every returned item was reviewed, or an :class:`Estimate` with a population (e.g.
    ``prevalence(k, n, population=len(produced))``) when only a sample of them was.
    ``null_set_size``: items the search did not return; ``null_sample_n`` of them were drawn at
    random and ``null_sample_positives`` of those were relevant.
    """
    confidence = check_confidence(confidence)
    k, n = check_counts(null_sample_positives, null_sample_n, k_name="null_sample_positives", n_name="null_sample_n")
    if isinstance(null_set_size, bool) or not isinstance(null_set_size, Integral) or null_set_size < n:
        raise ConfigError(f"null_set_size must be a whole number >= null_sample_n ({n}), got {null_set_size!r}")
    elusion = prevalence(k, n, population=int(null_set_size), confidence=confidence, method=method)
    if isinstance(produced_positives, Estimate):
        if produced_positives.count is None:
            raise ConfigError("produced_positives: an Estimate must carry a population (pass population=...)")
        tp = produced_positives.count
        tp_low = produced_positives.count_low if produced_positives.count_low is not None else tp
        tp_high = produced_positives.count_high if produced_positives.count_high is not None else tp
    elif isinstance(produced_positives, Integral) and not isinstance(produced_positives, bool):
        if produced_positives < 0:
            raise ConfigError(f"produced_positives must be >= 0, got {produced_positives}")
        tp = tp_low = tp_high = float(produced_positives)
    else:
        raise ConfigError(f"produced_positives must be a whole number or an Estimate, got {produced_positives!r}")
    assert elusion.count is not None and elusion.count_low is not None and elusion.count_high is not None
    fn, fn_low, fn_high = elusion.count, elusion.count_low, elusion.count_high
    return RecallEstimate(
        recall=_ratio(tp, fn),
        low=_ratio(tp_low, fn_high),
        high=_ratio(tp_high, fn_low),
        confidence=confidence,
        method=f"ei-recall/{method}",
        produced_positives=tp,
        produced_positives_low=tp_low,
        produced_positives_high=tp_high,
        missed=fn,
        missed_low=fn_low,
        missed_high=fn_high,
        elusion=elusion,
    )
