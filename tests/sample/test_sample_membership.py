from __future__ import annotations

import hmac
import pickle
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare, kstest

from sealroom.errors import InputError
from sealroom.keys import SecretKey
from sealroom.sample.membership import TWO_64, KeyedSampler, rate_threshold

KEY = SecretKey(b"k" * 32, "test")


def reference(key: SecretKey, ids: list[str]) -> np.ndarray:
    """The documented definition, written the slow obvious way."""
    sub = key.derive("sample")
    return np.array([int.from_bytes(hmac.digest(sub, i.encode(), "sha256")[:8], "big") for i in ids], dtype=np.uint64)


@given(st.lists(st.text(min_size=0, max_size=80), max_size=40))
@settings(max_examples=60, deadline=None)
def test_matches_hmac_sha256_definition(ids: list[str]) -> None:
    sampler = KeyedSampler(KEY)
    want = reference(KEY, ids)
    assert np.array_equal(sampler.hash_ids(pa.array(ids, pa.string())), want)
    assert np.array_equal(sampler.hash_ids(pa.array(ids, pa.large_string())), want)
    assert np.array_equal(sampler.hash_ids(ids), want)


def test_sliced_and_chunked_arrays_hash_each_id_alone() -> None:
    ids = [f"id-{i}-é" for i in range(50)]
    sampler = KeyedSampler(KEY)
    want = reference(KEY, ids)
    assert np.array_equal(sampler.hash_ids(pa.array(ids).slice(7, 20)), want[7:27])
    chunked = pa.chunked_array([pa.array(ids[:10]), pa.array(ids[10:]).slice(0, 40)])
    assert np.array_equal(sampler.hash_ids(chunked), want)
    assert sampler.digests([b"x"]) == [hmac.digest(KEY.derive("sample"), b"x", "sha256")]


def test_uniform_on_100000_ids_with_a_fixed_key() -> None:
    """Chi-square over 100 equal bins and Kolmogorov-Smirnov: the fixed key makes this deterministic."""
    ids = pa.array([f"conv-{i:08d}" for i in range(100_000)])
    u = KeyedSampler(KEY).uniforms(ids)
    assert u.min() >= 0 and u.max() < 1
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert chisquare(counts).pvalue > 0.001
    assert kstest(u, "uniform").pvalue > 0.001
    # sequential ids must not make neighbouring values correlated
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02


def test_different_key_gives_unrelated_values() -> None:
    ids = [f"c{i}" for i in range(2000)]
    a = KeyedSampler(KEY).uniforms(ids)
    b = KeyedSampler(SecretKey(b"j" * 32, "other")).uniforms(ids)
    assert not np.array_equal(a, b)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.1
    # the same 10% rate picks mostly different conversations
    assert ((a < 0.1) & (b < 0.1)).sum() < 0.5 * (a < 0.1).sum()


def test_pickles_for_workers_and_never_prints_the_key() -> None:
    s = KeyedSampler(KEY)
    s2 = pickle.loads(pickle.dumps(s))
    assert np.array_equal(s2.hash_ids(["a", "b"]), s.hash_ids(["a", "b"]))
    assert "kkkk" not in repr(s) and KEY.derive("sample").hex() not in repr(s)


@given(st.floats(min_value=1e-12, max_value=1.0, exclude_min=False), st.integers(0, TWO_64 - 1))
def test_rate_threshold_is_exact(rate: float, h: int) -> None:
    t = rate_threshold(rate)
    assert (h < t) == (Fraction(h, TWO_64) < Fraction(rate))


def test_rate_threshold_edges() -> None:
    assert rate_threshold(1.0) == TWO_64
    assert rate_threshold(0.5) == 1 << 63
    with pytest.raises(InputError, match="null"):
        KeyedSampler(KEY).hash_ids(pa.array(["a", None]))
