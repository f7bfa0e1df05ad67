"""Ingest throughput: MB/s and conversations/s per core on a generated ChatGPT export (or JSONL).

Generates ``--conversations`` synthetic conversations (tree-shaped, with branches, hidden system
nodes, tool turns and a mix of content types, like real exports) into ``--files`` JSON files in a
temporary folder, ingests them with ``--workers`` local processes, and prints the figures:

    python benchmarks/bench_ingest.py --conversations 100000 --workers 1
    python benchmarks/bench_ingest.py --conversations 100000 --layout openai-jsonl
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from sealroom.ingest import ingest
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--shard-size", type=int, default=10_000)
    ap.add_argument("--layout", choices=["chatgpt", "openai-jsonl"], default="chatgpt", help="Source format.")
    args = ap.parse_args()
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
