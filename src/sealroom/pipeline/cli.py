"""``sealroom run PIPELINE.toml`` and ``sealroom demo``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.run import Pipeline, StageOutcome

console = Console()


def _print_outcome(outcome: StageOutcome) -> None:
    where = ", ".join(str(p) for p in outcome.outputs.values())
    colour = "dim" if outcome.action == "skipped" else "green"
    console.print(f"[{colour}]✓ {outcome.name:<11} {outcome.action:<8} {outcome.seconds:6.1f}s[/{colour}] {where}")


@click.command("run")
@click.argument("pipeline_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "start", metavar="STAGE", help="Start at this stage (earlier outputs are reused).")
@click.option("--until", metavar="STAGE", help="Stop after this stage.")
@click.option("--dry-run", is_flag=True, help="Print the plan and exit.")
@click.option("--restart", is_flag=True, help="Redo every selected stage from scratch.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def run_command(
    pipeline_file: Path, start: str | None, until: str | None, dry_run: bool, restart: bool, quiet: bool
) -> None:
    """Run the whole pipeline declared in PIPELINE_FILE (TOML), resuming where it stopped."""
    pipeline = Pipeline(PipelineConfig.load(pipeline_file))
    if dry_run:
        table = Table("stage", "plan", title=f"plan for {pipeline_file}")
        for name, action in pipeline.plan(start, until):
            table.add_row(name, action)
        console.print(table)
        return
    pipeline.run(start, until, restart=restart, show_progress=not quiet, on_stage=_print_outcome)
    console.print(f"[bold green]pipeline finished[/bold green] — outputs under {pipeline.config.workdir}")


@click.command("demo")
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("sealroom-demo"),
    show_default=True,
    help="Where the demo writes its sources, keys and outputs.",
)
@click.option("--conversations", type=click.IntRange(min=20), default=400, show_default=True)
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def demo_command(workdir: Path, conversations: int, workers: int | None, quiet: bool) -> None:
    """Run every stage on bundled data (public excerpts plus seeded synthetic chats)."""
    from sealroom.pipeline.demo import prepare_demo, print_demo_summary

    pipeline_file = prepare_demo(workdir, conversations=conversations, workers=workers)
    console.print(f"[bold]sealroom demo[/bold] in {workdir.resolve()} (pipeline: {pipeline_file.name})")
    pipeline = Pipeline(PipelineConfig.load(pipeline_file))
    pipeline.run(show_progress=not quiet, on_stage=_print_outcome)
    print_demo_summary(pipeline, console)
