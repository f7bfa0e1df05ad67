"""Small synthetic holds for sampling tests, written through the real step machinery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealroom.dataset.writer import TaskWriter
from sealroom.runner import LocalRunner, run_step
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table
from sealroom.step import Stats, Step, Task

ACCOUNT_TYPES = ("consumer", "consumer", "business", None)


def conversation(i: int) -> Conversation:
    """Conversation number i: ids, months, account types and models vary with i, deterministically."""
    created = None if i % 97 == 0 else datetime(2023 + (i // 12) % 2, 1 + i % 12, 1 + i % 28, tzinfo=UTC)
    return Conversation(
        conversation_id=f"conv-{i:07d}",
        source="synthetic",
        created_at=created,
        account_type=ACCOUNT_TYPES[i % len(ACCOUNT_TYPES)],
        model=("gpt-4", "gpt-4o", "gpt-3.5-turbo")[i % 3],
        title=f"CANARY title {i}",
        messages=[
            Message(0, f"n{i}-0", None, "user", f"CANARY question {i}"),
            Message(1, f"n{i}-1", f"n{i}-0", "assistant", f"CANARY answer {i}"),
        ][: 1 + i % 2],
    )


class HoldStep(Step):
    """Writes conversations ``order`` split into ``shards`` shards (any order, any layout)."""

    stage = "ingest"
    outputs = {"main": CONVERSATION_SCHEMA}

    def __init__(self, order: list[int], shards: int) -> None:
        self.order = order
        self.shards = shards

    def config(self) -> dict[str, Any]:
        return {"order": self.order, "shards": self.shards}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        per = -(-len(self.order) // self.shards)
        return [Task(f"{k:05d}", self.order[k * per : (k + 1) * per]) for k in range(self.shards)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        out.write("main", conversations_to_table([conversation(i) for i in task.payload]))
        return Stats(rows=len(task.payload))


def make_hold(path: Path, n: int, shards: int = 3, order: list[int] | None = None) -> Path:
    run_step(
        HoldStep(order if order is not None else list(range(n)), shards), path, LocalRunner(1), show_progress=False
    )
    return path


def make_key(path: Path, material: str = "0123456789abcdef0123456789abcdef") -> Path:
    path.write_text(material + "\n")
    return path
