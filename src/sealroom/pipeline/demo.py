"""Preparing the demo's work folder and summarising what the demo did."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sealroom.dataset import Dataset
from sealroom.demo import data_path, pipeline_template, synth
from sealroom.keys import generate_key_file
from sealroom.pipeline.run import Pipeline

BUNDLED = ("chatgpt_export_excerpt.json", "sharegpt_excerpt.json", "news_excerpt.jsonl.gz", "NOTICE.md")


def prepare_demo(workdir: Path, *, conversations: int = 400, workers: int | None = None) -> Path:
    """Lay out sources, a fresh key and the pipeline file in ``workdir``; return the pipeline file.

    Idempotent: an existing key and generated sources are kept, so a rerun resumes or skips.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    sources = workdir / "sources"
    sources.mkdir(exist_ok=True)
    for name in BUNDLED:
        target = sources / name
        if not target.exists():
            shutil.copyfile(data_path(name), target)
    chats = sources / "synthetic_chats.jsonl"
    marker = sources / ".synthetic_count"
    if not chats.exists() or marker.read_text() != str(conversations):
        synth.generate(sources / "news_excerpt.jsonl.gz", chats, conversations=conversations)
        marker.write_text(str(conversations))
    key = workdir / "keys" / "sealroom.key"
    if not key.exists():
        generate_key_file(key)
    text = pipeline_template().read_text(encoding="utf-8")
    if workers is not None:
        text = re.sub(r"(?m)^workers = \d+$", f"workers = {workers}", text)
    pipeline_file = workdir / "pipeline.toml"
    pipeline_file.write_text(text, encoding="utf-8")
    return pipeline_file


DEMO_ACCOUNTS = (("admin", "admin"), ("counsel", "counsel"), ("expert", "expert"), ("monitor", "monitor"))


def create_demo_accounts(workdir: Path, db_url: str) -> Path:
    """One account per role with a random password, written to an owner-only file (once)."""
    from sealroom.review.users import add_user

    credentials = workdir / "review-users.txt"
    if credentials.exists():
        return credentials
    lines = ["# sealroom demo review accounts (user  role  password)"]
    for username, role in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        add_user(db_url, username, password, role)
        lines.append(f"{username}  {role}  {password}")
    fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return credentials


def print_demo_summary(pipeline: Pipeline, console: Console) -> None:
    work = pipeline.config.workdir
    table = Table("output", "rows", "where", title="what the demo produced")
    for name in ("hold", "sample", "hits", "deidentified", "labels"):
        path = work / name
        if (path / "_manifest.json").exists():
            ds = Dataset.open(path)
            table.add_row(name, str(ds.rows), str(path))
            for side in ds.manifest.side_outputs:
                table.add_row(f"  {name}/{side}", str(ds.side(side).rows), str(path / side))
    for name in ("corpus-index", "report", "production"):
        if (work / name).exists():
            table.add_row(name, "", str(work / name))
    console.print(table)
    if pipeline.config.review is not None:
        credentials = create_demo_accounts(work, pipeline.config.review.db)
        console.print(
            f"Review app: [bold]sealroom serve --db {pipeline.config.review.db}[/bold], then open "
            f"http://127.0.0.1:8000 and log in with an account from {credentials} (owner-only file)."
        )
