"""``sealroom ingest``: a thin command over :func:`sealroom.ingest.ingest`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from sealroom.cli.options import DATASET, SOURCE, open_runner, runner_options
from sealroom.dataset.location import Location
from sealroom.errors import QuarantineError
from sealroom.ingest.adapters import format_names

if TYPE_CHECKING:
    from sealroom.ingest.api import IngestResult

console = Console()


class _Size(click.ParamType):
    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from sealroom.ingest.sources import parse_size

        try:
            size = parse_size(value if isinstance(value, int) else str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        return size


def print_summary(result: IngestResult) -> None:
    """Counts only: formats, roles, reason codes and ids, never record text."""
    t = Table("format", "conversations", "role", "messages", title="ingested")
    for fmt, n in result.conversations_by_format.items():
        roles = [(r, m) for (f, r), m in result.messages_by_format_role.items() if f == fmt] or [("-", 0)]
        for i, (role, m) in enumerate(roles):
            t.add_row(fmt if i == 0 else "", str(n) if i == 0 else "", role, str(m))
    t.add_row("[bold]total", f"[bold]{result.conversations}", "", f"[bold]{result.messages}")
    console.print(t)
    if result.quarantined:
        q = Table("reason", "records", title=f"quarantined (see {result.out / 'quarantine'})")
        for code, n in result.quarantine_by_reason.items():
            q.add_row(code, str(n))
        console.print(q)
    else:
        console.print("quarantined: 0")
    if result.duplicates:
        console.print(f"[yellow]{result.duplicates} duplicate conversation id(s): later occurrences quarantined")
    step = result.step
    console.print(
        f"{result.sources} source unit(s); {step.ran} ingested now, {step.skipped} already done → {result.out}"
    )


@click.command()
@click.argument("sources", nargs=-1, required=True, type=SOURCE)
@click.option("--out", "-o", required=True, type=DATASET, help="The hold (dataset folder).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *format_names()]),
    default="auto",
    show_default=True,
    help="Source format; auto detects it per file.",
)
@click.option("--shard-size", type=click.IntRange(min=1), default=10_000, show_default=True, help="Rows per shard.")
@click.option(
    "--split-size",
    type=_Size(),
    default="256MiB",
    show_default=True,
    help="Read a plain JSONL file larger than this as several tasks, one byte range each (256MiB, 1G, …).",
)
@click.option("--strict", is_flag=True, help="Exit non-zero (after finishing) if any record was quarantined.")
@runner_options
def ingest(
    sources: tuple[Location, ...],
    out: Location,
    fmt: str,
    shard_size: int,
    split_size: int,
    strict: bool,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Ingest chat logs (files, folders, .gz, .zip) into a hold of canonical Parquet shards.

    Formats: ChatGPT data export, OpenAI chat JSONL, ShareGPT, WildChat and LMSYS-Chat (JSONL or
    Parquet). Malformed records go to HOLD/quarantine with a reason code; rerunning resumes.
    """
    from sealroom.ingest.api import ingest as run_ingest

    with open_runner(workers, cluster) as runner:
        result = run_ingest(
            list(sources),
            out,
            fmt=fmt,
            shard_size=shard_size,
            split_size=split_size,
            strict=False,
            runner=runner,
            restart=restart,
            show_progress=not quiet,
        )
    print_summary(result)
    if strict and result.quarantined:
        raise QuarantineError(f"--strict: {result.quarantined} record(s) quarantined in {out / 'quarantine'}")
