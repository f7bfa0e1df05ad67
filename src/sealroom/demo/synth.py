"""Seeded synthetic chat logs for the demo, the pipeline tests and the benchmarks.

The conversations look like a consumer chat service's logs (WildChat-style JSONL, so they carry a
user key, timestamps and a model): ordinary requests across topics, turns full of fake personal
data, and the news patterns the scan stage must tell apart — an article pasted by the user, the
model asked to continue an article's opening, the model reproducing an article unprompted, and
attributions to a newspaper that match no article. A few malformed lines show quarantine at work.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faker import Faker

TOPIC_REQUESTS = {
    "technical": [
        "How do I reverse a linked list in Python? Please show code.",
        "My SQL query with a LEFT JOIN returns duplicate rows, why?",
        "Explain the difference between a process and a thread.",
        "Write a bash one-liner that counts lines in every .py file.",
    ],
    "writing": [
        "Write a short, friendly note to my landlord about a broken heater.",
        "Rewrite this paragraph so it sounds more formal: we can't come on friday.",
        "Draft a cover letter opening for a junior accountant position.",
    ],
    "guidance": [
        "How should I prepare for a job interview next week?",
        "Give me a weekly workout plan for a beginner.",
        "What is a good way to start saving money on a small salary?",
    ],
    "information": [
        "Why is the sky blue?",
        "What caused the First World War, briefly?",
        "How do vaccines train the immune system?",
    ],
}
ASSISTANT_REPLIES = [
    "Here is a clear way to approach it, step by step.",
    "Good question. The short answer is that it depends on a few factors, explained below.",
    "Sure. Below is a draft you can adapt to your situation.",
]
PUBLISHER_NAMES = ["the Times", "The New York Times", "NYT"]


@dataclass
class SynthSummary:
    conversations: int = 0
    malformed_lines: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    planted: list[dict[str, str]] = field(default_factory=list)


def _words(text: str) -> list[str]:
    return text.split()


def load_articles(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class _Builder:
    def __init__(self, rng: random.Random, fake: Faker, articles: list[dict[str, str]]) -> None:
        self.rng = rng
        self.fake = fake
        self.articles = [a for a in articles if len(_words(a["text"])) > 400]

    def excerpt(self, n_words: int) -> tuple[dict[str, str], list[str], int]:
        art = self.rng.choice(self.articles)
        words = _words(art["text"])
        start = self.rng.randrange(50, len(words) - 2 * n_words - 1)
        return art, words, start

    def phone(self) -> str:
        """A valid North American number in one of the ways people write them."""
        area, exchange, line = self.rng.randint(201, 989), self.rng.randint(201, 989), self.rng.randint(0, 9999)
        style = self.rng.randrange(4)
        if style == 0:
            return f"({area}) {exchange}-{line:04d}"
        if style == 1:
            return f"+1 {area} {exchange} {line:04d}"
        if style == 2:
            return f"{area}.{exchange}.{line:04d}"
        return f"{area}-{exchange}-{line:04d}"

    def ordinary(self) -> list[tuple[str, str]]:
        topic = self.rng.choice(sorted(TOPIC_REQUESTS))
        turns = [("user", self.rng.choice(TOPIC_REQUESTS[topic])), ("assistant", self.rng.choice(ASSISTANT_REPLIES))]
        if self.rng.random() < 0.4:
            turns += [("user", "Thanks! Can you make it shorter?"), ("assistant", "Of course — here is a shorter one.")]
        return turns

    def personal(self) -> tuple[list[tuple[str, str]], dict[str, str]]:
        f = self.fake
        first, last = f.first_name(), f.last_name()
        pii = {
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}@{f.free_email_domain()}",
            "phone": self.phone(),
            "address": f.address().replace("\n", ", "),
            "employer": f.company(),
        }
        user = (
            f"Hi, my name is {pii['name']}. I need a complaint letter to {pii['employer']} about a late refund. "
            f"Put my contact details at the bottom: {pii['email']}, {pii['phone']}, {pii['address']}."
        )
        assistant = (
            f"Dear {pii['employer']} customer service,\n\nI am writing about a refund that has not arrived. "
            f"Please reply to me at {pii['email']} or call {pii['phone']}.\n\n"
            f"Sincerely,\n{pii['name']}\n{pii['address']}"
        )
        follow = f"Great. Also sign it as {first} only, and thank them."
        reply = f"Done — the letter now ends with 'Thank you, {first}'."
        return [("user", user), ("assistant", assistant), ("user", follow), ("assistant", reply)], pii

    def pasted(self) -> list[tuple[str, str]]:
        _, words, start = self.excerpt(90)
        passage = " ".join(words[start : start + 90])
        quote = " ".join(words[start + 10 : start + 70])
        return [
            ("user", f"Summarize this newspaper article for me:\n\n{passage}"),
            ("assistant", f'The article says, in its own words: "{quote}" In short, it reports a local event.'),
        ]

    def continued(self) -> list[tuple[str, str]]:
        art, words, start = self.excerpt(80)
        opening = " ".join(words[start : start + 40])
        rest = " ".join(words[start + 40 : start + 130])
        return [
            ("user", f"Here is the beginning of an article from {art['title']}. Continue it exactly:\n{opening}"),
            ("assistant", rest),
        ]

    def generated(self) -> list[tuple[str, str]]:
        art, words, start = self.excerpt(80)
        body = " ".join(words[start : start + 80])
        return [
            ("user", f"What was on the front page of {art['title']} on {art['published']}? Quote it."),
            ("assistant", f"Here is the text as printed: {body}"),
        ]

    def attribution(self) -> list[tuple[str, str]]:
        name = self.rng.choice(PUBLISHER_NAMES)
        return [
            ("user", "Is there a paywall-free way to read New York Times articles? Can you bypass the paywall?"),
            ("assistant", f"According to {name}, the city council approved a transit plan that halves fares."),
        ]


def generate(news: Path, out: Path, *, conversations: int = 400, users: int = 60, seed: int = 7) -> SynthSummary:
    """Write ``conversations`` synthetic WildChat-style JSONL records (plus two malformed lines) to ``out``."""
    rng = random.Random(seed)
    fake = Faker(["en_US", "en_GB", "en_CA"])
    fake.seed_instance(seed)
    builder = _Builder(rng, fake, load_articles(news))
    user_keys = [hashlib.sha256(f"user-{seed}-{i}".encode()).hexdigest() for i in range(users)]
    kinds = ["ordinary"] * 10 + ["personal"] * 4 + ["pasted", "continued", "generated", "attribution"]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    summary = SynthSummary()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(conversations):
            kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
            pii: dict[str, str] | None = None
            if kind == "personal":
                turns, pii = builder.personal()
                summary.planted.append(pii)
            else:
                turns = getattr(builder, kind)()
            when = base + timedelta(days=rng.randrange(0, 91), seconds=rng.randrange(86400))
            user = rng.choice(user_keys)
            record = {
                "conversation_hash": hashlib.sha256(f"synthetic-{seed}-{i}".encode()).hexdigest(),
                "model": rng.choice(["gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"]),
                "timestamp": when.isoformat(),
                "conversation": [
                    {
                        "role": role,
                        "content": text,
                        "timestamp": (when + timedelta(seconds=30 * k)).isoformat(),
                        "language": "English",
                        "hashed_ip": user,
                        "country": "United States",
                        "state": None,
                        "redacted": False,
                        "toxic": False,
                    }
                    for k, (role, text) in enumerate(turns)
                ],
                "turn": sum(1 for r, _ in turns if r == "user"),
                "language": "English",
                "openai_moderation": [],
                "detoxify_moderation": [],
                "toxic": False,
                "redacted": False,
                "hashed_ip": user,
                "country": "United States",
                "state": None,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            summary.conversations += 1
            summary.kinds[kind] = summary.kinds.get(kind, 0) + 1
        # deliberately malformed: a truncated record and one with an unknown role
        fh.write('{"conversation_hash": "truncated-record", "conversation": [{"role": "user", "cont\n')
        bad_role = {"conversation_hash": "bad-role", "conversation": [{"role": "wizard", "content": "x"}]}
        fh.write(json.dumps(bad_role) + "\n")
        summary.malformed_lines = 2
    return summary
