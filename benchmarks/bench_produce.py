"""Benchmark of ``sealroom produce`` and ``verify``: documents/s per core and peak RSS.

Builds a synthetic de-identified dataset (invented text, with replacement-log rows and hits like
deidentify writes), produces it, then verifies the production. Peak RSS is the high-water mark of
this process (which assembles the volumes) and of the largest worker; run it at two sizes to see
that memory does not grow with the number of documents:

    python benchmarks/bench_produce.py --n 10000
    python benchmarks/bench_produce.py --n 100000 --workers 2
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.writer import TaskWriter
from sealroom.deid.schema import REPLACEMENT_SCHEMA
from sealroom.produce.api import produce
from sealroom.produce.verify import verify_production
from sealroom.runner import LocalRunner, run_step
from sealroom.scan.schema import HITS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA
from sealroom.step import Stats, Step, Task

WORDS = ["the", "a", "council", "vote", "plan", "city", "news", "market", "report", "said", "would", "answer"]


class SyntheticStep(Step):
    """``n`` conversations of 2-6 messages; one in ten with a hit, most with replacements."""

    stage = "deidentify"
    outputs = {"main": CONVERSATION_SCHEMA, "replacements": REPLACEMENT_SCHEMA, "hits": HITS_SCHEMA}

    def __init__(self, n: int, per_shard: int) -> None:
        self.n = n
        self.per_shard = per_shard

    def config(self) -> dict[str, Any]:
        return {"n": self.n, "per_shard": self.per_shard}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task(f"{i:05d}", i) for i in range(-(-self.n // self.per_shard))]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        rng = random.Random(task.payload)
        convs, reps, hits = [], [], []
        t0 = datetime(2023, 1, 1, tzinfo=UTC)
        for i in range(task.payload * self.per_shard, min(self.n, (task.payload + 1) * self.per_shard)):
            cid = f"c{i:09d}"
            msgs = []
            for j in range(rng.randint(2, 6)):
                text = f"Hello [PERSON_{i % 977:04x}], " + " ".join(rng.choices(WORDS, k=rng.randint(20, 120)))
                role = "user" if j % 2 == 0 else "assistant"
                msgs.append(
                    dict(index=j, node_id=f"n{j}", parent_id=f"n{j - 1}" if j else None, role=role, content=text,
                         created_at=t0 + timedelta(minutes=i + j), model="gpt-4" if role == "assistant" else None,
                         active=True, metadata_json=None)
                )  # fmt: skip
                reps.append(
                    dict(conversation_id=cid, message_index=j, field="content", start=6, end=14, out_start=6,
                         out_end=18, label="PERSON", detector="bench.v1", score=1.0, operator="pseudonymize",
                         replacement="[PERSON]", original_encrypted=None)
                )  # fmt: skip
                if role == "assistant" and i % 10 == 0:
                    hits.append(
                        dict(conversation_id=cid, message_index=j, role=role, start=20, end=min(len(text), 120),
                             article_id=f"a{i % 50}", article_start=0, article_end=100, words=16, kind="verbatim",
                             similarity=1.0, origin="generated")
                    )  # fmt: skip
            convs.append(
                dict(conversation_id=cid, source="bench", created_at=t0, updated_at=t0, user_key=None,
                     account_type="consumer", model="gpt-4", language="en", title=f"t{i}", metadata_json=None,
                     messages=msgs)
            )  # fmt: skip
        out.write("main", pa.Table.from_pylist(convs, CONVERSATION_SCHEMA))
        out.write("replacements", pa.Table.from_pylist(reps, REPLACEMENT_SCHEMA))
        out.write("hits", pa.Table.from_pylist(hits, HITS_SCHEMA))
        return Stats(rows=len(convs))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class WorkerWatch(threading.Thread):
    """Largest peak RSS (VmHWM) among this process's descendants: the step's worker processes are
    started by a forkserver, so ``RUSAGE_CHILDREN`` never sees them."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.cpu_ticks: dict[int, int] = {}  # pid -> utime + stime, last seen
        self.stop = threading.Event()

    def _descendants(self) -> set[int]:
        parent: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {p for p, pp in parent.items() if pp in frontier} - found
            found |= frontier
        return found

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for pid in self._descendants():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.cpu_ticks[pid] = int(fields[11]) + int(fields[12])
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except OSError:
                    continue


def measure(work: Path, workers: int, volume_size: str) -> None:
    """The measured part, in a fresh process so the dataset generation does not count in its RSS."""
    key = work / "key"
    start_mb = peak_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    watch = WorkerWatch()
    watch.start()
    t = time.perf_counter()
    r = produce(work / "D", work / "OUT", prefix="BEN", key_file=key, volume_size=volume_size,
                workers=workers, show_progress=False)  # fmt: skip
    produce_s = time.perf_counter() - t
    own, children = peak_mb(), watch.peak_kb / 1024
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(work / "OUT") for f in files)
    watch.stop.set()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = usage.ru_utime + usage.ru_stime - cpu_before + sum(watch.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")
    t = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    verify_cpu = -(usage.ru_utime + usage.ru_stime)
    rep = verify_production(work / "OUT")
    verify_s = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    verify_cpu += usage.ru_utime + usage.ru_stime
    assert rep.ok, rep.problems[:3]
    per_core = r.documents / produce_s / workers
    print(f"produce: {r.documents} documents, {len(r.volumes)} volumes, {size / 1e6:.0f} MB in {produce_s:.1f}s")
    print(f"  {r.documents / produce_s:,.0f} documents/s with {workers} worker(s) = {per_core:,.0f}/s per core")
    print(f"  CPU time {cpu_s:.1f}s (all processes): {r.documents / cpu_s:,.0f} documents per CPU-second")
    print(f"  peak RSS: main process {own:.0f} MB (at start {start_mb:.0f} MB), largest worker {children:.0f} MB")
    print(
        f"verify: {rep.documents / verify_s:,.0f} documents/s ({verify_s:.1f}s, one process), "
        f"{rep.documents / verify_cpu:,.0f} per CPU-second"
    )
    print(f"  peak RSS after verify: {peak_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="conversations [100000]")
    ap.add_argument("--per-shard", type=int, default=5_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--volume-size", default="100MB")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure is not None:
        measure(args.measure, args.workers, args.volume_size)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-produce-", dir=args.workdir))
    try:
        (work / "key").write_text("benchmark-key-0123456789abcdef\n")
        t = time.perf_counter()
        run_step(SyntheticStep(args.n, args.per_shard), work / "D", LocalRunner(args.workers), show_progress=False)
        print(f"synthetic dataset: {args.n} conversations in {time.perf_counter() - t:.1f}s")
        cmd = [sys.executable, __file__, "--measure", str(work), "--workers", str(args.workers)]
        subprocess.run([*cmd, "--volume-size", args.volume_size], check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
