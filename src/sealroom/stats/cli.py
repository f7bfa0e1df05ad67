"""``sealroom estimate``: a prevalence with its confidence interval, simple or stratified.

\b
sealroom estimate --positives K --n N [--population P] [--confidence 0.95] [--method wilson]
sealroom estimate --strata STRATA.csv              (columns: stratum,population,n,positives)
sealroom estimate --report S --positives-csv P.csv (columns: stratum,positives; sizes from the report)
sealroom estimate --report S --positives K         (an unstratified sample)
"""

from __future__ import annotations

import csv
from pathlib import Path

import click

from sealroom.errors import ConfigError, InputError
from sealroom.stats.intervals import METHODS
from sealroom.stats.prevalence import Estimate, Stratum, prevalence, stratified_prevalence

NULL_STRATUM = "(null)"


def _read_csv(path: Path, required: tuple[str, ...], param: str) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
            header = set(rows[0]) if rows else set()
    except OSError as exc:
        raise InputError(f"{param}: cannot read {path} ({exc.strerror})") from None
    missing = [c for c in required if c not in header]
    if not rows or missing:
        raise InputError(f"{param}: {path} needs a header with columns {', '.join(required)} and at least one row")
    return rows


def _int(row: dict[str, str], column: str, line: int, param: str) -> int:
    try:
        return int(row[column].strip())
    except (ValueError, AttributeError):
        raise InputError(f"{param}: line {line}: {column} must be a whole number") from None


def strata_from_csv(path: Path) -> list[Stratum]:
    rows = _read_csv(path, ("stratum", "population", "n", "positives"), "--strata")
    return [
        Stratum(
            population=_int(r, "population", i, "--strata"),
            n=_int(r, "n", i, "--strata"),
            positives=_int(r, "positives", i, "--strata"),
            name=r["stratum"],
        )
        for i, r in enumerate(rows, start=2)
    ]


def strata_from_report(report_path: Path, positives_csv: Path) -> list[Stratum]:
    """Strata sizes (population after exclusions, sample) from a sampling report, positives from a CSV."""
    from sealroom.sample.report import read_report

    report = read_report(report_path if report_path.is_dir() else report_path.parent)
    rows = _read_csv(positives_csv, ("stratum", "positives"), "--positives-csv")
    found: dict[str, int] = {}
    for i, r in enumerate(rows, start=2):
        found[r["stratum"]] = _int(r, "positives", i, "--positives-csv")
    strata = []
    for s in report["strata"]:
        name = NULL_STRATUM if s["value"] is None else str(s["value"])
        if s["population"] == 0:
            continue
        if name not in found:
            raise InputError(f"--positives-csv: no row for stratum {name!r} of the sampling report")
        strata.append(Stratum(population=s["population"], n=s["sample"], positives=found.pop(name), name=name))
    if found:
        raise InputError(f"--positives-csv: strata not in the sampling report: {', '.join(sorted(found))}")
    return strata


def _fmt_count(x: float | None) -> str:
    return "" if x is None else f"{x:,.0f}"


def print_estimate(e: Estimate) -> None:
    pct = round(e.confidence * 100)
    click.echo(
        f"prevalence {e.proportion:.6%}  {pct}% CI [{e.low:.6%}, {e.high:.6%}]  "
        f"({e.method}; {e.positives:g} of n={e.n:,.1f})"
    )
    if e.population is not None:
        click.echo(
            f"in a population of {e.population:,}: {_fmt_count(e.count)} "
            f"[{_fmt_count(e.count_low)}, {_fmt_count(e.count_high)}]"
        )


@click.command()
@click.option("--positives", type=int, default=None, help="Positives found in the sample (K).")
@click.option("--n", "n", type=int, default=None, help="Sample size (N).")
@click.option("--population", type=int, default=None, help="Population size, to scale the estimate to counts.")
@click.option("--confidence", type=float, default=0.95, show_default=True)
@click.option("--method", type=click.Choice(sorted(METHODS)), default="wilson", show_default=True)
@click.option("--strata", "strata_csv", type=click.Path(path_type=Path), default=None, help="Stratified: a CSV.")
@click.option("--report", "report", type=click.Path(path_type=Path), default=None, help="A sample folder or report.")
@click.option("--positives-csv", type=click.Path(path_type=Path), default=None, help="stratum,positives per stratum.")
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
def estimate(
    positives: int | None,
    n: int | None,
    population: int | None,
    confidence: float,
    method: str,
    strata_csv: Path | None,
    report: Path | None,
    positives_csv: Path | None,
    as_json: bool,
) -> None:
    """Prevalence with a confidence interval, from counts, a strata CSV, or a sampling report."""
    if strata_csv is not None:
        if report is not None or positives is not None or n is not None:
            raise ConfigError("--strata takes no --report, --positives or --n")
        result = stratified_prevalence(strata_from_csv(strata_csv), confidence)
    elif report is not None:
        if positives_csv is not None:
            result = stratified_prevalence(strata_from_report(report, positives_csv), confidence)
        elif positives is not None:
            from sealroom.sample.report import read_report

            r = read_report(report if report.is_dir() else report.parent)
            if r["method"].get("stratify"):
                raise ConfigError("--report: the sample is stratified; give per-stratum --positives-csv")
            result = prevalence(positives, r["sample"], r["population"], confidence, method)
        else:
            raise ConfigError("--report needs --positives-csv (stratified) or --positives")
    else:
        if positives is None or n is None:
            raise ConfigError("give --positives and --n, or --strata, or --report")
        result = prevalence(positives, n, population, confidence, method)
    if as_json:
        from sealroom.dataset.files import dump_json

        click.echo(dump_json(result.to_dict()).decode(), nl=False)
    else:
        print_estimate(result)
