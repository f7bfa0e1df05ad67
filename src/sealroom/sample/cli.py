"""``sealroom sample HOLD --out S …`` and ``sealroom sample verify S --hold HOLD --key-file K``.

``sample`` is a group whose default command is ``draw``: any first argument that is not a
sub-command name (a HOLD path, or an option such as ``--out``) is handed to ``draw``, so both
spellings work without ``invoke_without_command`` trying to parse a positional argument itself.
A hold folder literally named ``verify`` or ``draw`` is reached as ``./verify``.
"""

from __future__ import annotations

from pathlib import Path

import click

from sealroom.cli.options import DATASET, open_runner, runner_options
from sealroom.dataset.location import Location
from sealroom.errors import IntegrityError

DEFAULT = "draw"


class DefaultCommandGroup(click.Group):
    """A group that runs ``DEFAULT`` when the first argument names no sub-command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [DEFAULT, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
def sample() -> None:
    """Draw a reproducible keyed sample of a hold, or verify one.

    \b
    sealroom sample HOLD --out S --key-file K (--rate R | --size N | --per-stratum N)
                    [--stratify FIELD] [--where EXPR]...
    sealroom sample verify S --hold HOLD --key-file K
    """


@sample.command(DEFAULT)
# no existence check on HOLD: Dataset.open names a missing or unfinished hold itself
@click.argument("hold", type=DATASET)
@click.option("--out", "-o", "out", required=True, type=DATASET, help="Sample dataset folder.")
@click.option("--key-file", type=click.Path(path_type=Path), default=None, help="Sampling key (see `sealroom keygen`).")
@click.option("--rate", type=float, default=None, help="Take each conversation with u < RATE, 0 < RATE <= 1.")
@click.option("--size", type=int, default=None, help="Take the SIZE smallest u (proportional over strata).")
@click.option("--per-stratum", type=int, default=None, help="Take this many smallest u from every stratum.")
@click.option("--stratify", metavar="FIELD", default=None, help="Column or month(col) / year(col) / date(col).")
@click.option(
    "--where", "where", multiple=True, metavar="EXPR", help="Keep only rows where EXPR holds (repeatable; ANDed)."
)
@runner_options
def draw(
    hold: Location,
    out: Location,
    key_file: Path | None,
    rate: float | None,
    size: int | None,
    per_stratum: int | None,
    stratify: str | None,
    where: tuple[str, ...],
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Draw the sample of HOLD into --out (the default command of `sealroom sample`)."""
    from sealroom.sample.api import sample as run_sample

    with open_runner(workers, cluster) as runner:
        result = run_sample(
            hold,
            out,
            key_file=key_file,
            rate=rate,
            size=size,
            per_stratum=per_stratum,
            stratify=stratify,
            where=list(where),
            runner=runner,
            restart=restart,
            show_progress=not quiet,
        )
    r = result.report
    click.echo(
        f"sampled {r['sample']:,} of {r['population']:,} conversations ({r['rows']:,} in the hold) "
        f"into {result.path}; key {r['key_fingerprint']}; sorted-id SHA-256 {r['sample_ids']['sha256'][:16]}…"
    )


@sample.command("verify")
# no existence checks: verify names a missing sample or hold itself (a dataset error)
@click.argument("sample_dir", metavar="S", type=DATASET)
@click.option("--hold", required=True, type=DATASET, help="The hold the sample was drawn from.")
@click.option("--key-file", type=click.Path(path_type=Path), default=None, help="The sampling key.")
@runner_options
def verify(
    sample_dir: Location,
    hold: Location,
    key_file: Path | None,
    workers: int | None,
    cluster: str | None,
    restart: bool,
    quiet: bool,
) -> None:
    """Re-derive sample S from HOLD and the key; fail naming any difference."""
    from sealroom.sample.verify import verify_sample

    with open_runner(workers, cluster) as runner:
        result = verify_sample(sample_dir, hold, key_file, runner=runner, show_progress=not quiet)
    if not result.ok:
        for d in result.differences:
            click.secho(f"✗ {d}", fg="red")
        raise IntegrityError(f"{len(result.differences)} difference(s) in {sample_dir}; first: {result.differences[0]}")
    click.secho(f"✓ {sample_dir}: {result.checked_rows:,} conversations re-derived and identical", fg="green")
