"""Helpers of the review tests (a uniquely named module: every test area has its own conftest)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from sealroom.review.settings import ReviewSettings
from sealroom.runner import make_runner, run_step
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table
from sealroom.step import Stats, Step, Task

PG_ADMIN_URL = os.environ.get("SEALROOM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"
USERS = {  # username -> (role, aeo)
    "admin1": ("admin", False),
    "counsel1": ("counsel", False),
    "expert1": ("expert", False),
    "expert_aeo": ("expert", True),
    "monitor1": ("monitor", False),
}
# Values the de-identifier replaced. They exist only here (the "hold"); no page may ever show them.
CANARIES = ("Zebulon Quackenbush", "zq@example.org", "+1 212 555 0199")


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:
        return False


def cheap_settings(db_url: str, **overrides: Any) -> ReviewSettings:
    """Fast argon2 parameters: the tests exercise the logic, not the hash cost."""
    values: dict[str, Any] = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "secret": b"k" * 32}
    values.update(overrides)
    return ReviewSettings(db_url=db_url, **values)


def native(
    n: int,
    designation: str = "CONFIDENTIAL",
    messages: list[tuple[str, str]] | None = None,
    *,
    hits: list[dict[str, Any]] | None = None,
    replacements: list[dict[str, Any]] | None = None,
    signals: list[dict[str, Any]] | None = None,
    model: str = "gpt-4",
    created: str = "2023-05-04T10:00:00+00:00",
    title: str | None = None,
) -> dict[str, Any]:
    """One NATIVES document in the production format shared with produce."""
    bates = f"ABC{n:07d}"
    msgs = messages or [("user", f"question number {n}"), ("assistant", f"answer number {n}")]
    return {
        "format": "sealroom.native/1",
        "bates": {"begin": bates, "end": bates},
        "docid": f"{n:064x}",
        "designation": designation,
        "volume": "VOL001",
        "conversation": {
            "conversation_id": f"conv-{n}",
            "source": "test",
            "created_at": created,
            "updated_at": created,
            "user_key": None,
            "account_type": "consumer",
            "model": model,
            "language": "en",
            "title": title,
            "metadata_json": None,
            "messages": [
                {
                    "index": i,
                    "node_id": f"n{i}",
                    "parent_id": f"n{i - 1}" if i else None,
                    "role": role,
                    "content": text,
                    "created_at": created,
                    "model": model if role == "assistant" else None,
                    "active": True,
                    "metadata_json": None,
                }
                for i, (role, text) in enumerate(msgs)
            ],
        },
        "hits": hits or [],
        "replacements": replacements or [],
        "signals": signals or [],
    }


ARTICLE = "The city council voted on Tuesday to expand the harbor ferry service through the winter months"


def sample_documents() -> list[dict[str, Any]]:
    question = "My name is [PERSON_3f9a]. Tell me the ferry news from the Daily Planet."
    paper = question.index("Daily Planet")
    reply = f"Sure. Here is the story: {ARTICLE}. Anything else, [PERSON_3f9a]?"
    start = reply.index(ARTICLE)
    pseud = reply.index("[PERSON_3f9a]")
    return [
        native(
            1,
            messages=[("user", question), ("assistant", reply)],
            hits=[
                {
                    "message_index": 1,
                    "start": start,
                    "end": start + len(ARTICLE),
                    "article_id": "planet-0042",
                    "article_start": 0,
                    "article_end": len(ARTICLE),
                    "words": 16,
                    "kind": "verbatim",
                    "similarity": 1.0,
                    "origin": "generated",
                }
            ],
            replacements=[
                {
                    "message_index": 0,
                    "field": "content",
                    "out_start": 11,
                    "out_end": 24,
                    "label": "PERSON",
                    "operator": "pseudonymize",
                },
                {
                    "message_index": 1,
                    "field": "content",
                    "out_start": pseud,
                    "out_end": pseud + 13,
                    "label": "PERSON",
                    "operator": "pseudonymize",
                },
            ],
            signals=[
                {
                    "message_index": 0,
                    "start": paper,
                    "end": paper + 12,
                    "signal": "publisher_named",
                    "publisher": "Daily Planet",
                }
            ],
            title="ferry news",
        ),
        native(
            2,
            messages=[("user", "recipe for banana bread"), ("assistant", "Mix bananas, flour and eggs.")],
            model="gpt-3.5",
            created="2024-02-01T00:00:00+00:00",
        ),
        native(
            3,
            "AEO",
            messages=[("user", "secret merger plans of the harbor company"), ("assistant", "I cannot know that.")],
        ),
        native(4, messages=[("user", "<script>alert('x')</script> harbor"), ("assistant", "I will not run scripts.")]),
        native(5, "AEO", messages=[("user", "harbor ferry timetable"), ("assistant", "The ferry leaves at nine.")]),
    ]


def login_csrf(client: TestClient) -> str:
    page = client.get("/login")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "login form has no CSRF token"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, otp: str = "") -> Any:
    token = login_csrf(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "otp": otp, "csrf_token": token},
        follow_redirects=False,
    )


class Reviewer:
    """A logged-in TestClient with its CSRF token."""

    def __init__(self, app: Any, username: str | None) -> None:
        self.client = TestClient(app, raise_server_exceptions=False)
        self.username = username
        self.csrf = ""
        if username is not None:
            r = login(self.client, username)
            assert r.status_code == 303, (username, r.status_code)
            self.csrf = self.client.get("/api/v1/session").json()["csrf_token"]

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, follow_redirects=False, **kw)

    def post(self, url: str, data: dict | None = None, **kw: Any) -> Any:
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf}, follow_redirects=False, **kw)

    def post_json(self, url: str, body: Any) -> Any:
        return self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf}, follow_redirects=False)


class ConversationsStep(Step):
    """Writes the given conversations as a one-shard dataset (a stand-in for a de-identified one)."""

    stage = "review-test-conversations"
    outputs = {"main": CONVERSATION_SCHEMA}

    def __init__(self, conversations: list[Conversation]) -> None:
        self.conversations = conversations

    def config(self) -> dict[str, Any]:
        return {"n": len(self.conversations)}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task("00000", None)]

    def process(self, task: Task, out: Any) -> Stats:
        out.write("main", conversations_to_table(self.conversations))
        stats = Stats()
        stats.add("conversations", len(self.conversations))
        return stats


def write_conversations(path: Path, conversations: list[Conversation]) -> Path:
    run_step(ConversationsStep(conversations), path, make_runner(1), show_progress=False)
    return path


def conversation(cid: str, turns: list[tuple[str, str]]) -> Conversation:
    when = datetime(2023, 6, 1, tzinfo=UTC)
    return Conversation(
        conversation_id=cid,
        source="test",
        created_at=when,
        updated_at=when,
        model="gpt-4",
        title=f"conversation {cid}",
        messages=[
            Message(
                index=i,
                node_id=f"{cid}-{i}",
                parent_id=f"{cid}-{i - 1}" if i else None,
                role=role,
                content=text,
                created_at=when,
                model="gpt-4" if role == "assistant" else None,
            )
            for i, (role, text) in enumerate(turns)
        ],
    )
