"""Review app under load: N concurrent simulated reviewers (async httpx) against a served database.

Generates synthetic NATIVES documents straight into the database through the loader's internals,
starts ``sealroom serve`` in a subprocess on loopback, logs every reviewer in, then lets each one
loop search → open two results (with a think time) for ``--duration`` seconds. Prints search and
view latency percentiles, throughput and errors as JSON.

    python benchmarks/bench_review.py --docs 100000 --reviewers 50 --duration 60
    python benchmarks/bench_review.py --db postgresql://postgres@127.0.0.1:5432/bench --docs 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sealroom.review.db import open_database
from sealroom.review.loader import load_documents
from sealroom.review.users import add_user

PASSWORD = "benchmark password 123"
SYLLABLES = ["ka", "ro", "mi", "sen", "tu", "la", "ver", "no", "qui", "da", "pe", "lo", "har", "bor", "fe", "ry"]
MODELS = ["gpt-4", "gpt-4o", "gpt-3.5", "o1"]
ORIGINS = ["user", "pasted", "continued", "generated"]


def vocabulary(rng: random.Random, n: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def documents(count: int, seed: int = 7) -> Any:
    """Synthetic NATIVES documents: Zipf-distributed words, 2% with a reproduced span, 10% AEO."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for n in range(1, count + 1):
        when = (start + timedelta(minutes=rng.randint(0, 700_000))).isoformat()
        msgs = []
        for i in range(rng.randint(2, 6)):
            words = rng.choices(vocab, weights, k=rng.randint(15, 90))
            role = "user" if i % 2 == 0 else "assistant"
            msgs.append(
                {
                    "index": i,
                    "node_id": f"n{i}",
                    "parent_id": f"n{i - 1}" if i else None,
                    "role": role,
                    "content": " ".join(words),
                    "created_at": when,
                    "model": None,
                    "active": True,
                    "metadata_json": None,
                }
            )
        hits = []
        if rng.random() < 0.02:
            m = msgs[1]
            hits.append(
                {
                    "message_index": 1,
                    "start": 0,
                    "end": min(60, len(m["content"])),
                    "article_id": f"article-{rng.randint(1, 200)}",
                    "article_start": 0,
                    "article_end": 60,
                    "words": 10,
                    "kind": "verbatim",
                    "similarity": 1.0,
                    "origin": rng.choice(ORIGINS),
                }
            )
        bates = f"BEN{n:07d}"
        yield {
            "format": "sealroom.native/1",
            "bates": {"begin": bates, "end": bates},
            "docid": f"{n:064x}",
            "designation": "AEO" if rng.random() < 0.1 else "CONFIDENTIAL",
            "volume": f"VOL{(n - 1) // 25000 + 1:03d}",
            "conversation": {
                "conversation_id": f"c{n}",
                "source": "bench",
                "created_at": when,
                "updated_at": when,
                "user_key": None,
                "account_type": "consumer",
                "model": rng.choice(MODELS),
                "language": "en",
                "title": " ".join(rng.choices(vocab, weights, k=4)),
                "metadata_json": None,
                "messages": msgs,
            },
            "hits": hits,
            "replacements": [],
            "signals": [],
        }


def queries(rng: random.Random) -> list[str]:
    vocab = vocabulary(random.Random(7))
    common, mid, rare = vocab[:50], vocab[50:800], vocab[800:]
    out = []
    for _ in range(400):
        kind = rng.random()
        if kind < 0.3:
            out.append(rng.choice(mid))
        elif kind < 0.5:
            out.append(f"{rng.choice(common)} {rng.choice(mid)}")
        elif kind < 0.6:
            out.append(f'"{rng.choice(common)} {rng.choice(common)}"')
        elif kind < 0.7:
            out.append(f"{rng.choice(mid)} OR {rng.choice(rare)}")
        elif kind < 0.8:
            out.append(f"has:reproduction {rng.choice(common)}")
        elif kind < 0.9:
            out.append(f"origin:{rng.choice(ORIGINS)} date:2023")
        else:
            out.append(f"{rng.choice(mid)} -{rng.choice(common)} model:gpt-4")
    return out


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {"search": [], "view": []}
        self.errors: dict[str, int] = {}

    def record(self, kind: str, seconds: float, status: int | str) -> None:
        if status == 200:
            self.lat[kind].append(seconds * 1000)
        else:
            key = f"{kind}:{status}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind, values in self.lat.items():
            if not values:
                continue
            q = statistics.quantiles(values, n=100)
            out[kind] = {
                "n": len(values),
                "p50_ms": round(q[49], 1),
                "p95_ms": round(q[94], 1),
                "p99_ms": round(q[98], 1),
                "max_ms": round(max(values), 1),
            }
        out["errors"] = self.errors
        return out


async def login(client: httpx.AsyncClient, username: str) -> bool:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        return False
    r = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    return r.status_code == 303


async def reviewer(
    client: httpx.AsyncClient, qs: list[str], stop: float, think: float, stats: Stats, seed: int
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.random() * think)  # do not start in lock-step
    while time.monotonic() < stop:
        t = time.perf_counter()
        found: list[str] = []
        try:
            resp = await client.get("/search", params={"q": rng.choice(qs), "page": rng.choice([1, 1, 1, 2])})
            stats.record("search", time.perf_counter() - t, resp.status_code)
            found = re.findall(r'href="/documents/(BEN\d+)"', resp.text)
        except httpx.HTTPError as exc:
            stats.record("search", 0, type(exc).__name__)
        for bates in rng.sample(found, min(2, len(found))):
            await asyncio.sleep(think)
            t = time.perf_counter()
            try:
                resp = await client.get(f"/documents/{bates}")
                stats.record("view", time.perf_counter() - t, resp.status_code)
            except httpx.HTTPError as exc:
                stats.record("view", 0, type(exc).__name__)
        await asyncio.sleep(think)


async def drive(base: str, users: list[str], duration: float, think: float) -> Stats:
    """Log everyone in first (argon2 is slow on purpose; logins are not what is measured), then load."""
    stats = Stats()
    qs = queries(random.Random(11))
    clients = [httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) for _ in users]
    try:
        for i in range(0, len(users), 4):
            done = await asyncio.gather(
                *(login(c, u) for c, u in zip(clients[i : i + 4], users[i : i + 4], strict=True))
            )
            stats.errors["login"] = stats.errors.get("login", 0) + done.count(False)
        stop = time.monotonic() + duration
        await asyncio.gather(*(reviewer(c, qs, stop, think, stats, i) for i, c in enumerate(clients)))
    finally:
        for c in clients:
            await c.aclose()
    if not stats.errors.get("login"):
        stats.errors.pop("login", None)
    return stats


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--reviewers", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--think", type=float, default=0.5, help="seconds a reviewer pauses between requests")
    ap.add_argument("--db", help="database URL (default: a new SQLite file in a temp folder)")
    ap.add_argument("--reuse", action="store_true", help="the database is already loaded (skip generation)")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-review-"))
    db_url = args.db or f"sqlite:///{tmp / 'review.db'}"
    db = open_database(db_url)
    users = [f"rev{i:03d}" for i in range(args.reviewers)]
    load_s = 0.0
    if not args.reuse:
        t = time.perf_counter()
        load_documents(db, documents(args.docs), actor="bench")
        load_s = time.perf_counter() - t
        for i, u in enumerate(users):
            add_user(db_url, u, PASSWORD, "counsel" if i % 5 else "expert")
    port = _free_port()
    env = {**os.environ, "SEALROOM_REVIEW_SECRET": os.urandom(16).hex()}
    cmd = [
        sys.executable,
        "-m",
        "sealroom.cli.main",
        "serve",
        "--db",
        db_url,
        "--port",
        str(port),
        "--view-rate",
        "0",
        "--workers",
        str(args.workers),
    ]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        stats = asyncio.run(drive(base, users, args.duration, args.think))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    total = sum(len(v) for v in stats.lat.values()) + sum(stats.errors.values())
    result = {
        "docs": args.docs,
        "reviewers": args.reviewers,
        "workers": args.workers,
        "duration_s": args.duration,
        "think_s": args.think,
        "backend": db.dialect,
        "load_s": round(load_s, 1),
        "requests": total,
        "throughput_rps": round(total / args.duration, 1),
        **stats.summary(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
