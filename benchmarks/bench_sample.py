"""Benchmark the sample stage: keyed membership (ids/s per core) and whole sampling runs.

    python benchmarks/bench_sample.py [--ids 1000000] [--conversations 100000] [--shards 4]

Membership alternatives, all single-threaded and all computing HMAC-SHA256 exactly:
``hmac.digest`` per id (key pads rebuilt every call), ``hmac.new(...).copy()`` per id, hashlib
objects with both pads pre-absorbed (what ``KeyedSampler`` does), and ``KeyedSampler.hash_ids`` on
an Arrow array (the real path, including slicing ids out of the Arrow buffer). Then whole runs of
``sealroom.sample.sample`` on a synthetic hold with one worker: ``--rate`` (one pass) and
``--size`` with strata (keys pass, threshold selection, select pass). Throughput is per CPU-second of
this process (so per core, even on a loaded machine); peak memory is the maximum resident set size.
"""

from __future__ import annotations

import argparse
import hmac
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sealroom.dataset.writer import TaskWriter
from sealroom.keys import SecretKey
from sealroom.runner import LocalRunner, run_step
from sealroom.sample import KeyedSampler, sample
from sealroom.schema import CONVERSATION_SCHEMA
from sealroom.step import Stats, Step, Task

KEY = SecretKey(b"benchmark-key-0123456789abcdef", "bench")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process (everything runs in-process on one core), so a machine shared
    with other jobs still gives a per-core figure; wall time is printed beside it by the caller."""
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def bench_membership(n: int) -> list[tuple[str, float]]:
    ids = [f"{i:08x}-4b1c-4e8a-9f3d-{i * 2654435761 % 16**12:012x}" for i in range(n)]  # UUID-shaped
    raw = [s.encode() for s in ids]
    arr = pa.array(ids)
    sub = KEY.derive("sample")
    sampler = KeyedSampler(KEY)
    rows = []

    def per_call() -> list[bytes]:
        return [hmac.digest(sub, m, "sha256") for m in raw]

    def hmac_copy() -> list[bytes]:
        base = hmac.new(sub, digestmod="sha256")
        out = []
        for m in raw:
            h = base.copy()
            h.update(m)
            out.append(h.digest())
        return out

    ref_t, ref = timed(per_call)
    rows.append(("hmac.digest per id (bytes given)", n / ref_t))
    t, out = timed(hmac_copy)
    assert out == ref
    rows.append(("hmac.new(key).copy() per id (bytes given)", n / t))
    t, h = timed(lambda: sampler.hash_bytes(raw))
    want = np.frombuffer(b"".join(d[:8] for d in ref), dtype=">u8").astype(np.uint64)
    assert np.array_equal(h, want)
    rows.append(("pre-absorbed hashlib pads (bytes given)", n / t))
    t, h = timed(lambda: sampler.hash_ids(arr))
    assert np.array_equal(h, want)
    rows.append(("KeyedSampler.hash_ids(Arrow array) — the real path", n / t))
    t, _ = timed(lambda: [hmac.digest(sub, s.encode(), "sha256") for s in arr.to_pylist()])
    rows.append(("hmac.digest per id from Arrow (to_pylist + encode)", n / t))
    return rows


class SyntheticHold(Step):
    """Small realistic rows: a UUID-like id, a timestamp over two years, an account type, two messages."""

    stage = "ingest"
    outputs = {"main": CONVERSATION_SCHEMA}

    def __init__(self, n: int, shards: int) -> None:
        self.n, self.shards = n, shards

    def config(self) -> dict[str, Any]:
        return {"n": self.n, "shards": self.shards}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        per = -(-self.n // self.shards)
        return [Task(f"{k:05d}", (k * per, min(self.n, (k + 1) * per))) for k in range(self.shards)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        start, stop = task.payload
        t0 = datetime(2022, 12, 1, tzinfo=UTC)
        rows = []
        for i in range(start, stop):
            msgs = [
                {"index": 0, "node_id": "a", "parent_id": None, "role": "user", "content": "q" * 80, "active": True},
                {
                    "index": 1,
                    "node_id": "b",
                    "parent_id": "a",
                    "role": "assistant",
                    "content": "r" * 400,
                    "active": True,
                },
            ]
            rows.append(
                {
                    "conversation_id": f"{i:08x}-4b1c-4e8a-9f3d-{i * 2654435761 % 16**12:012x}",
                    "source": "bench",
                    "created_at": t0 + timedelta(minutes=(i * 7919) % (730 * 1440)),
                    "account_type": ("consumer", "consumer", "consumer", "business")[i % 4],
                    "messages": msgs,
                }
            )
        out.write("main", pa.Table.from_pylist(rows, schema=CONVERSATION_SCHEMA))
        return Stats(rows=len(rows))


def bench_runs(n: int, shards: int, work: Path) -> list[tuple[str, float, float, int]]:
    hold = work / "hold"
    run_step(SyntheticHold(n, shards), hold, LocalRunner(1), show_progress=False)
    key_file = work / "bench.key"
    key_file.write_bytes(KEY.material)
    one = LocalRunner(1)
    runs = {
        "--rate 0.1": {"rate": 0.1},
        "--rate 0.1 --where account_type != 'business'": {"rate": 0.1, "where": "account_type != 'business'"},
        "--size n/10 --stratify month(created_at) --where …": {
            "size": n // 10,
            "stratify": "month(created_at)",
            "where": "account_type != 'business'",
        },
    }
    rows = []
    for i, (label, kw) in enumerate(runs.items()):
        wall = time.perf_counter()
        t, res = timed(
            lambda kw=kw, i=i: sample(hold, work / f"s{i}", key_file=key_file, runner=one, show_progress=False, **kw)
        )
        rows.append((label, n / t, n / (time.perf_counter() - wall), res.sample_size))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ids", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--shards", type=int, default=4)
    args = ap.parse_args()
    print(f"# bench_sample  python {platform.python_version()}  {platform.machine()}  one worker / one core\n")
    print(f"## membership on {args.ids:,} UUID-shaped ids\n\n| method | ids/s per core |\n|---|---:|")
    for label, rate in bench_membership(args.ids):
        print(f"| {label} | {rate / 1e6:.2f}M |")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"\n## sample runs on {args.conversations:,} conversations, {args.shards} shards, 1 worker\n")
        print("| command | conversations/s per core | (wall) | sampled |\n|---|---:|---:|---:|")
        for label, rate, wall, k in bench_runs(args.conversations, args.shards, Path(tmp)):
            print(f"| `{label}` | {rate:,.0f} | {wall:,.0f} | {k:,} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
