"""``sealroom report --data D [--hits HITS] [--labels C] [--sampling-report R] --out DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET_IN
from sealroom.dataset.location import Location


@click.command("report")
@click.option("--data", "-d", required=True, type=DATASET_IN, help="Dataset the report counts (usually de-identified).")
# the report folder is not a dataset: a local path, like the ledger and the sampling report
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--hits", type=DATASET_IN, help="Scan output folder (hits, signals).")
@click.option("--labels", type=DATASET_IN, help="Classify output [default: classify here with keywords.v1].")
@click.option(
    "--sampling-report", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="sampling_report.json."
)
@click.option(
    "--min-group-size", type=click.IntRange(min=1), default=50, show_default=True, help="Distinct users a cell needs."
)
@click.option("--max-cells-per-user", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--max-conversations-per-user", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--dp-epsilon", type=float, default=None, help="Add OpenDP noise with this total epsilon.")
@click.option("--dp-delta", type=float, default=0.0, show_default=True, help="Delta (gaussian only).")
@click.option("--dp-mechanism", type=click.Choice(["laplace", "gaussian"]), default="laplace", show_default=True)
@click.option("--budget-ledger", type=click.Path(dir_okay=False, path_type=Path), help="Privacy-budget ledger file.")
@click.option(
    "--budget-epsilon", type=float, default=None, help="Total epsilon of a new ledger [default: this report's]."
)
@click.option(
    "--budget-delta",
    type=float,
    default=None,
    help="Total delta of a new ledger [default: as many reports as its epsilon allows].",
)
def report_command(
    data: Location,
    out: Path,
    hits: Location | None,
    labels: Location | None,
    sampling_report: Path | None,
    min_group_size: int,
    max_cells_per_user: int,
    max_conversations_per_user: int,
    dp_epsilon: float | None,
    dp_delta: float,
    dp_mechanism: str,
    budget_ledger: Path | None,
    budget_epsilon: float | None,
    budget_delta: float | None,
) -> None:
    """Aggregate statistics (JSON + self-contained HTML) with privacy thresholds and optional DP."""
    from sealroom.report import build_report

    result = build_report(
        data,
        out,
        hits=hits,
        labels=labels,
        sampling_report=sampling_report,
        min_group_size=min_group_size,
        dp_epsilon=dp_epsilon,
        dp_delta=dp_delta,
        dp_mechanism=dp_mechanism,
        budget_ledger=budget_ledger,
        budget_epsilon=budget_epsilon,
        budget_delta=budget_delta,
        max_cells_per_user=max_cells_per_user,
        max_conversations_per_user=max_conversations_per_user,
    )
    protections = result.report["protections"]
    click.echo(
        f"wrote {result.json_path} and {result.html_path} "
        f"({protections['suppressed_cells']} cells suppressed, "
        f"DP {'on' if protections['differential_privacy']['applied'] else 'off'})"
    )
