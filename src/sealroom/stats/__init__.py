"""Statistics to defend figures drawn from a sample: intervals, prevalence, sample size, recall."""

from sealroom.stats.intervals import clopper_pearson_interval, wilson_interval
from sealroom.stats.prevalence import Estimate, Stratum, prevalence, stratified_prevalence
from sealroom.stats.recall import RecallEstimate, elusion_recall
from sealroom.stats.sample_size import sample_size_for_margin

__all__ = [
    "Estimate",
    "RecallEstimate",
    "Stratum",
    "clopper_pearson_interval",
    "elusion_recall",
    "prevalence",
    "sample_size_for_margin",
    "stratified_prevalence",
    "wilson_interval",
]
