"""Builders for small synthetic sources (importable by tests and by worker processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson

from sealroom.ingest.adapters import adapter_for
from sealroom.ingest.records import Quarantined
from sealroom.schema import Conversation


def node(nid: str, parent: str | None, children: list[str], role: str | None = None, **content: Any) -> dict:
    message = None
    if role is not None:
        message = {
            "id": nid,
            "author": {"role": role, "name": content.pop("author_name", None), "metadata": {}},
            "create_time": content.pop("create_time", 1_700_000_000.5),
            "content": content or {"content_type": "text", "parts": [f"text of {nid}"]},
            "status": "finished_successfully",
            "weight": 1.0,
            "metadata": content.pop("metadata", {}) if "metadata" in content else {},
            "recipient": "all",
        }
    return {"id": nid, "message": message, "parent": parent, "children": children}


def chatgpt_conversation(cid: str = "c1", current: str | None = "a2", **extra: Any) -> dict:
    """root → system (hidden, empty) → u1 → {a1 (regenerated away), a1b → u2 → a2}."""
    mapping = {
        "root": node("root", None, ["sys"]),
        "sys": node("sys", "root", ["u1"], "system", content_type="text", parts=[""]),
        "u1": node("u1", "sys", ["a1", "a1b"], "user"),
        "a1": node("a1", "u1", [], "assistant"),
        "a1b": node("a1b", "u1", ["u2"], "assistant"),
        "u2": node("u2", "a1b", ["a2"], "user"),
        "a2": node("a2", "u2", [], "assistant"),
    }
    conv = {
        "id": cid,
        "title": "a title",
        "create_time": 1_700_000_000.0,
        "update_time": None,
        "mapping": mapping,
        "current_node": current,
    }
    conv.update(extra)
    return conv


def convert(fmt: str, data: bytes) -> tuple[list[Conversation], list[Quarantined]]:
    items = list(adapter_for(fmt).records(data, "0" * 64))
    convs = [i for i in items if isinstance(i, Conversation)]
    quarantined = [i for i in items if isinstance(i, Quarantined)]
    assert len(convs) + len(quarantined) == len(items)
    return convs, quarantined


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def openai_record(i: int, words: int = 20) -> dict:
    return {
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": f"question {i} " + "word " * words},
            {"role": "assistant", "content": f"answer {i} " + "reply " * words},
        ]
    }


def kill_once_tasks_are_done(command: list[str], out: Path, tasks: int = 5) -> None:
    """Start an ingest command and SIGKILL it once ``tasks`` completion markers exist (it must not
    finish first), leaving a hold with finished and unfinished tasks and no manifest."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        done = out / "_done"
        if done.is_dir() and sum(1 for _ in done.glob("*.json")) >= tasks:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "ingest finished before it could be killed; make the input larger"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert not (out / "_manifest.json").exists()
