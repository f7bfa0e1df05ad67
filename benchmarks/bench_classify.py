"""Classification and report throughput: conversations per second per core, and peak memory.

Conversations come from the development data (the labelled set's real ChatGPT, ShareGPT and
JSONL conversations, repeated with fresh ids and users to reach ``--conversations``) or, when
that is absent, from seeded synthetic requests. Measured on one core:

- the classifier alone (``keywords.v1``: keywords, patterns and py3langid), in process;
- ``sealroom classify`` end to end (Parquet in, Parquet out) with one worker;
- ``sealroom report`` over the classified dataset (no DP, then with Laplace DP).

    python benchmarks/bench_classify.py --conversations 5000
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sealroom.classify import classify, load_taxonomy
from sealroom.classify.evaluate import labelled_conversations, load_labels
from sealroom.classify.keywords import KeywordClassifier
from sealroom.dataset.tables import write_tables
from sealroom.report import build_report
from sealroom.runner import LocalRunner
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "tests" / "data" / "classify_labels.csv"
CHAT = REPO.parent / "shared" / "data" / "chat"
SYNTHETIC = [
    "How do I fix this TypeError in my Django view?",
    "Write a short LinkedIn post about our product launch.",
    "What is the capital of Australia?",
    "Can you give me tips to improve my sleep?",
    "I feel a bit lonely today.",
]


def base_conversations() -> list[Conversation]:
    if CHAT.is_dir():
        return [c for _, c in labelled_conversations(CHAT, load_labels(LABELS))]
    rng = random.Random(1)
    return [
        Conversation(
            f"s{i}",
            "synthetic",
            messages=[
                Message(0, "0", None, "user", rng.choice(SYNTHETIC)),
                Message(1, "1", "0", "assistant", "Here is a structured answer. " * rng.randint(5, 60)),
            ],
        )
        for i in range(200)
    ]


def corpus(n: int) -> list[Conversation]:
    base = base_conversations()
    rng = random.Random(2)
    from datetime import UTC, datetime

    out = []
    for i in range(n):
        c = base[i % len(base)]
        out.append(
            replace(
                c,
                conversation_id=f"b{i:07d}",
                source="bench",
                user_key=f"user{rng.randrange(max(1, n // 3))}",
                created_at=datetime(2023, 1 + i % 12, 1, tzinfo=UTC),
                model="gpt-4",
            )
        )
    return out


@contextmanager
def timed(what: str, n: int) -> Iterator[dict[str, float]]:
    """Prints conversations per CPU-second of this process (per core) and per wall second: on a
    shared machine the first is the figure to compare."""
    extra: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield extra
    extra["cpu"] = time.process_time() - cpu
    extra["wall"] = time.perf_counter() - wall
    print(f"{what:34s} {n / extra['cpu']:8.0f} conversations/s per core  {n / extra['wall']:8.0f} per wall second")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=5000)
    ap.add_argument("--shard-size", type=int, default=2000)
    args = ap.parse_args()
    convs = corpus(args.conversations)
    chars = sum(len(m.content) for c in convs for m in c.messages)
    print(f"{len(convs)} conversations, {chars / len(convs):.0f} characters each on average")

    clf = KeywordClassifier(load_taxonomy())
    clf.classify(convs[0])  # load the language model outside the timing
    with timed("classifier alone", len(convs)) as extra:
        for c in convs:
            clf.classify(c)
    print(f"  ({chars / extra['cpu'] / 1e6:.2f} M characters per CPU-second)")

    work = Path(tempfile.mkdtemp(prefix="bench-classify-"))
    try:
        tables = [conversations_to_table(convs[i : i + args.shard_size]) for i in range(0, len(convs), args.shard_size)]
        write_tables(work / "hold", "ingest", {"main": CONVERSATION_SCHEMA}, [{"main": t} for t in tables])
        with timed("classify end to end (1 worker)", len(convs)):
            classify(work / "hold", work / "c", runner=LocalRunner(1), show_progress=False)
        build_report(work / "hold", work / "warm", labels=work / "c")  # imports and fonts, untimed
        with timed("report, no DP", len(convs)):
            build_report(work / "hold", work / "r", labels=work / "c")
        with timed("report, Laplace DP", len(convs)):
            build_report(work / "hold", work / "r2", labels=work / "c", dp_epsilon=1.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
