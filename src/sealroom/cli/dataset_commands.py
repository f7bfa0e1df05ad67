"""Commands that work on any dataset: info, validate; and keygen for key files."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sealroom.cli.options import DATASET
from sealroom.dataset import Dataset, validate_dataset
from sealroom.dataset.location import Location
from sealroom.errors import IntegrityError

console = Console()


@click.command()
@click.argument("dataset", type=DATASET)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def info(dataset: Location, as_json: bool) -> None:
    """Print a dataset's counts and manifest."""
    ds = Dataset.open(dataset)
    m = ds.manifest
    if as_json:
        from sealroom.dataset.files import dump_json

        click.echo(dump_json(m.to_dict()).decode(), nl=False)
        return
    console.print(f"[bold]{ds.path}[/bold]  stage={m.stage}  sealroom {m.code_version}")
    console.print(f"rows={m.rows}  shards={len(m.shards)}  fingerprint={m.fingerprint[:16]}…")
    if m.side_outputs:
        for side in m.side_outputs:
            console.print(f"side output {side}: rows={ds.side(side).rows}")
    for inp in m.inputs:
        console.print(f"input: {inp}")
    if m.stats:
        t = Table("counter", "value", title="stats")
        for k, v in m.stats.items():
            t.add_row(k, str(v))
        console.print(t)


@click.command()
@click.argument("dataset", type=DATASET)
def validate(dataset: Location) -> None:
    """Re-hash every shard against the manifest; fail naming any bad shard."""
    reports = validate_dataset(dataset)
    bad = [(r, p) for r in reports for p in r.problems]
    for r in reports:
        console.print(f"{r.path}: {r.checked} shards checked, {len(r.problems)} problems")
    if bad:
        for r, p in bad:
            console.print(f"[red]✗ {r.path}/{p}[/red]")
        raise IntegrityError(f"{len(bad)} problem(s) in {dataset}; first: {bad[0][0].path}/{bad[0][1]}")
    console.print("[green]✓ every shard matches the manifest[/green]")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
def keygen(path: Path) -> None:
    """Write a new random key file (owner-only permissions); prints its fingerprint."""
    from sealroom.keys import generate_key_file

    if path.exists():
        raise click.ClickException(f"{path} exists; refusing to overwrite a key")
    key = generate_key_file(path)
    click.echo(f"wrote {path} (fingerprint {key.fingerprint})")
