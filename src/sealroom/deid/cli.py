"""``sealroom deidentify``: a thin command over :func:`sealroom.deid.api.deidentify`."""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET, DATASET_IN, open_runner, runner_options
from sealroom.dataset.location import Location

# the same as sealroom.deid.step.DEFAULT_ANALYZER (a test checks): importing the step here would
# load pyarrow and the engine just to list the commands
DEFAULT_ANALYZER = "sealroom.deid.analyzer:Analyzer"

_PATH = click.Path(path_type=Path)


@click.command()
@click.argument("dataset", type=DATASET_IN)
@click.option("--out", "-o", type=DATASET, required=True, help="Output dataset folder.")
@click.option("--key-file", type=_PATH, required=True, help="Key for pseudonyms, date shifts and hashes.")
@click.option("--policy", type=_PATH, default=None, help="Policy TOML [default: the bundled policy].")
@click.option("--hits", type=DATASET_IN, default=None, help="Scan output: text inside its spans stays readable.")
@click.option("--log-originals", is_flag=True, help="Keep original values in the log, AES-256-GCM encrypted.")
@click.option("--originals-key", type=_PATH, default=None, help="Key file for --log-originals (not --key-file).")
@click.option("--allow-quarantine", is_flag=True, help="Finish even when records had to be withheld.")
@click.option(
    "--analyzer",
    default=DEFAULT_ANALYZER,
    show_default=True,
    metavar="MODULE:ATTR",
    help="Analyzer class or factory (to plug in another detector stack or a larger NER model).",
)
@runner_options
def deidentify(
    dataset: Location,
    out: Location,
    key_file: Path,
    policy: Path | None,
    hits: Location | None,
    log_originals: bool,
    originals_key: Path | None,
    allow_quarantine: bool,
    analyzer: str,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """De-identify DATASET into --out: consistent keyed pseudonyms, a replacement log, re-mapped hits."""
    from sealroom.deid.api import deidentify as run

    if log_originals != (originals_key is not None):
        raise click.UsageError("--log-originals and --originals-key go together")
    with open_runner(workers, cluster) as runner:
        result = run(
            dataset,
            out,
            key_file=key_file,
            policy=policy,
            hits=hits,
            runner=runner,
            restart=restart,
            show_progress=not quiet,
            log_originals_key=originals_key,
            allow_quarantine=allow_quarantine,
            analyzer=analyzer,
        )
    s = result.stats
    counts = {name: int(s.get(name, 0)) for name in ("conversations", "replacements", "quarantined")}
    click.echo(
        f"deidentify: {counts['conversations']} conversations, {counts['replacements']} replacements, "
        f"{counts['quarantined']} quarantined → {result.out_dir} ({result.ran} shards run, {result.skipped} skipped)"
    )
