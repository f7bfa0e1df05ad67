"""Ingest throughput: MB/s and conversations/s per core on a generated ChatGPT export (or JSONL).

Generates ``--conversations`` synthetic conversations (tree-shaped, with branches, hidden system
nodes, tool turns and a mix of content types, like real exports) into ``--files`` JSON files in a
temporary folder, ingests them with ``--workers`` local processes, and prints the figures:

    python benchmarks/bench_ingest.py --conversations 100000 --workers 1
    python benchmarks/bench_ingest.py --conversations 100000 --layout openai-jsonl

``--one-file`` measures splitting instead: the conversations go into one JSONL file, ingested with
``--workers`` processes once whole (one task) and once split into ``--split-size`` byte ranges;
CPU time and peak memory are then read for the worker processes too (from ``/proc``, Linux):

    python benchmarks/bench_ingest.py --one-file --conversations 100000 --workers 2 --split-size 32MiB
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from sealroom.ingest import ingest
from sealroom.ingest.sources import discover, parse_size
from sealroom.runner import LocalRunner

_VOCABULARY = (
    "the court ordered a random sample of conversations to be produced under a protective order while "
    "experts review whether the model reproduced articles verbatim and how users asked about the news "
    "python function returns list value error database query server request please explain why"
)
WORDS = _VOCABULARY.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _node(nid: str, parent: str | None, role: str | None, content: dict[str, Any] | None, t: float) -> dict[str, Any]:
    message = None
    if role is not None:
        message = {
            "id": nid,
            "author": {"role": role, "name": "browser" if role == "tool" else None, "metadata": {}},
            "create_time": t,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": role == "assistant",
            "weight": 0.0 if role == "system" else 1.0,
            "metadata": {"model_slug": "gpt-4"} if role == "assistant" else {},
            "recipient": "all",
        }
    return {"id": nid, "message": message, "parent": parent, "children": []}


def conversation(rng: random.Random, i: int) -> dict[str, Any]:
    """One synthetic conversation: a root, a hidden system node, then user/assistant turns with an
    occasional regeneration branch and a browsing tool turn."""
    t0 = 1.68e9 + i * 37.0
    mapping: dict[str, dict[str, Any]] = {}

    def add(parent: str | None, role: str | None, content: dict[str, Any] | None) -> str:
        nid = f"{i:08x}-{len(mapping):04x}"
        mapping[nid] = _node(nid, parent, role, content, t0 + len(mapping))
        if parent is not None:
            mapping[parent]["children"].append(nid)
        return nid

    last = add(None, None, None)
    last = add(last, "system", {"content_type": "text", "parts": [""]})
    # text lengths follow the real export in the shared data: user turns are mostly short with
    # some long pastes (mean ~550 chars), assistant turns ~1,500 chars, tool output ~2,800
    for _turn in range(rng.randint(1, 4)):
        words = rng.randint(300, 600) if rng.random() < 0.12 else rng.randint(5, 60)
        last = add(last, "user", {"content_type": "text", "parts": [_text(rng, words)]})
        if rng.random() < 0.15:
            add(last, "assistant", {"content_type": "text", "parts": [_text(rng, rng.randint(100, 350))]})
        if rng.random() < 0.1:
            quote = {"content_type": "tether_quote", "url": "https://example.org/a", "text": _text(rng, 400)}
            last = add(last, "tool", quote)
        last = add(last, "assistant", {"content_type": "text", "parts": [_text(rng, rng.randint(100, 350))]})
    return {
        "title": _text(rng, 4),
        "create_time": t0,
        "update_time": t0 + len(mapping),
        "mapping": mapping,
        "moderation_results": [],
        "current_node": last,
        "plugin_ids": None,
        "id": f"conv-{i:08d}",
        "default_model_slug": "gpt-4",
    }


def as_openai_record(conv: dict[str, Any]) -> dict[str, Any]:
    """The same conversation as one OpenAI chat JSONL record (its visible path, text turns only)."""
    path, nid = [], conv["current_node"]
    while nid is not None:
        path.append(conv["mapping"][nid])
        nid = conv["mapping"][nid]["parent"]
    turns = []
    for node in reversed(path):
        msg = node["message"]
        if msg and msg["author"]["role"] in ("user", "assistant") and msg["content"].get("parts"):
            turns.append({"role": msg["author"]["role"], "content": msg["content"]["parts"][0]})
    return {"id": conv["id"], "messages": turns}


def generate(folder: Path, conversations: int, files: int, layout: str = "chatgpt", seed: int = 7) -> int:
    rng = random.Random(seed)
    total = 0
    per_file = -(-conversations // files)
    for f in range(files):
        lo, hi = f * per_file, min(conversations, (f + 1) * per_file)
        convs = [conversation(rng, i) for i in range(lo, hi)]
        if layout == "chatgpt":
            data = orjson.dumps(convs)
            name = f"conversations-{f:03d}.json"
        else:
            data = b"".join(orjson.dumps(as_openai_record(c)) + b"\n" for c in convs)
            name = f"chat-{f:03d}.jsonl"
        (folder / name).write_bytes(data)
        total += len(data)
    return total


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished workers: on a shared machine the honest
    measure of work per core (wall time there also counts other people's processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class _Tree:
    """Samples this process and every process below it (the forkserver's workers are not our
    children, so ``RUSAGE_CHILDREN`` misses them): the last CPU time and peak RSS seen of each."""

    def __init__(self, interval: float = 0.25) -> None:
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, int] = {}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        found, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += [c for c, p in parents.items() if p == pid]
        return found

    def sample(self) -> None:
        for pid in self._descendants():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/status") as fh:
                    hwm = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
            except (OSError, ValueError):
                continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
            self.peak[pid] = max(self.peak.get(pid, 0), hwm)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
        self._own = time.thread_time()  # the sampler's own CPU, not ingest's

    def __enter__(self) -> _Tree:
        self.sample()
        self._base = dict(self.cpu)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def cpu_seconds(self) -> float:
        return sum(v - self._base.get(pid, 0.0) for pid, v in self.cpu.items()) - self._own

    def peaks_mib(self) -> tuple[float, float]:
        """(this process, the largest other process) peak RSS in MiB."""
        me = self.peak.get(os.getpid(), 0) / 1024
        others = [v for pid, v in self.peak.items() if pid != os.getpid()]
        return me, max(others, default=0) / 1024


def _one_file_case(src: Path, out: Path, workers: int, split: int, label: str) -> None:
    """One ingest of ``src``, in a process of its own (so its peak memory is its own)."""
    size = src.stat().st_size
    t = time.perf_counter()
    discover([src], split_bytes=split)
    plan = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    with _Tree() as tree:
        t = time.perf_counter()
        result = ingest([src], out, split_size=split, runner=LocalRunner(workers), show_progress=False)
        wall = time.perf_counter() - t
    cpu = tree.cpu_seconds()
    me, worker = tree.peaks_mib()
    print(
        f"{label}: {result.step.ran} task(s); wall {wall:.1f} s = {size / 1e6 / wall:.1f} MB/s, "
        f"{result.conversations / wall:,.0f} conversations/s; CPU {cpu:.1f} s in all processes = "
        f"{size / 1e6 / cpu:.1f} MB/s per core; peak RSS {me:.0f} MiB main process, {worker:.0f} MiB "
        f"largest worker; planning read (hash{', line counts' if split < size else ''}) {plan:.2f} s",
        flush=True,
    )


def one_file(args: argparse.Namespace) -> None:
    import subprocess
    import sys

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        with multiprocessing.get_context("fork").Pool(1) as pool:
            size = pool.apply(generate, (src, args.conversations, 1, "openai-jsonl"))
        (path,) = src.iterdir()
        print(f"one file of {size / 1e6:.1f} MB, {args.conversations:,} conversations; {args.workers} worker(s)")
        cases = [("whole (one task)", str(size + 1)), (f"split at {args.split_size}", args.split_size)]
        for _ in range(args.rounds):
            for label, split in cases:
                command = [sys.executable, __file__, "--case", str(path), "--workers", str(args.workers)]
                subprocess.run([*command, "--split-size", split, "--label", label], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--shard-size", type=int, default=10_000)
    ap.add_argument("--layout", choices=["chatgpt", "openai-jsonl"], default="chatgpt", help="Source format.")
    ap.add_argument("--one-file", action="store_true", help="One JSONL file, whole vs split (see above).")
    ap.add_argument("--split-size", default="32MiB", help="With --one-file: the byte range per task.")
    ap.add_argument("--rounds", type=int, default=1, help="With --one-file: how many times to run both cases.")
    ap.add_argument("--case", type=Path, help=argparse.SUPPRESS)  # one --one-file case, in its own process
    ap.add_argument("--label", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            _one_file_case(args.case, Path(tmp) / "hold", args.workers, parse_size(args.split_size), args.label)
        return
    if args.one_file:
        one_file(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "hold"
        src.mkdir()
        t = time.perf_counter()
        # generated in a child process, so this process's peak memory is ingest's alone
        with multiprocessing.get_context("fork").Pool(1) as pool:
            size = pool.apply(generate, (src, args.conversations, args.files, args.layout))
        print(f"generated {args.conversations:,} conversations, {size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")
        t, cpu0 = time.perf_counter(), _cpu_seconds()
        result = ingest([src], out, shard_size=args.shard_size, runner=LocalRunner(args.workers), show_progress=False)
        wall, cpu = time.perf_counter() - t, _cpu_seconds() - cpu0
    cores = args.workers
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"ingested {result.conversations:,} conversations, {result.messages:,} messages, "
        f"quarantined {result.quarantined}"
    )
    print(f"wall {wall:.1f} s with {cores} worker(s), CPU {cpu:.1f} s (hashing, detection, parsing, Parquet writing)")
    print(f"per core, by CPU time: {size / 1e6 / cpu:.1f} MB/s, {result.conversations / cpu:,.0f} conversations/s")
    print(
        f"per core, by wall time: {size / 1e6 / wall / cores:.1f} MB/s, "
        f"{result.conversations / wall / cores:,.0f} conversations/s (lower when the machine is shared)"
    )
    print(
        f"peak RSS: {rss_self:.0f} MiB (this process: ingest itself when --workers 1), "
        f"{rss_children:.0f} MiB (largest child: the generator or a worker)"
    )


if __name__ == "__main__":
    main()
