"""The sample stage: a reproducible, keyed random sample of a hold, with a report anyone can re-derive."""

from sealroom.sample.api import SampleResult, VerifyResult, sample
from sealroom.sample.membership import KeyedSampler, rate_threshold
from sealroom.sample.verify import verify_sample

__all__ = ["KeyedSampler", "SampleResult", "VerifyResult", "rate_threshold", "sample", "verify_sample"]
