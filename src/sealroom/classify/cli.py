"""``sealroom classify DATASET --out C``."""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET, DATASET_IN, open_runner, runner_options
from sealroom.dataset.location import Location


@click.command("classify")
@click.argument("dataset", type=DATASET_IN)
@click.option("--out", "-o", required=True, type=DATASET, help="Output dataset.")
@click.option("--classifier", default=None, help="Registered classifier name [default: keywords.v1].")
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Taxonomy TOML file.")
@click.option("--hits", type=DATASET_IN, help="Scan output folder.")
@runner_options
def classify_command(
    dataset: Location,
    out: Location,
    classifier: str | None,
    taxonomy: Path | None,
    hits: Location | None,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Label every conversation: topic, intent, work-related, language, news signals."""
    from sealroom.classify import DEFAULT_CLASSIFIER, classify

    with open_runner(workers, cluster) as runner:
        result = classify(
            dataset,
            out,
            classifier=classifier or DEFAULT_CLASSIFIER,
            taxonomy=taxonomy,
            hits=hits,
            runner=runner,
            restart=restart,
            show_progress=not quiet,
        )
    stats = result.stats
    click.echo(
        f"classified {int(stats.get('conversations', 0))} conversations into {out} "
        f"({result.ran} shards run, {result.skipped} already done)"
    )
