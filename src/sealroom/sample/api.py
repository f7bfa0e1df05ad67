"""The library API of the sample stage: :func:`sample` and :func:`verify_sample`."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

from sealroom.dataset.location import Location, location, remove_tree, resolved
from sealroom.dataset.reader import Dataset
from sealroom.errors import ConfigError, DatasetError, KeyFileError
from sealroom.keys import SecretKey, load_key
from sealroom.runner import make_runner, run_step
from sealroom.runner.base import Runner
from sealroom.sample.expr import parse_field, parse_where
from sealroom.sample.membership import KeyedSampler, rate_threshold
from sealroom.sample.report import build_report, write_report
from sealroom.sample.select import allocate, thresholds
from sealroom.sample.steps import ID, KeysStep, SelectStep

WORK = "_work"  # pass-1 keys live here while a fixed-size sample is drawn; removed when it is done


@dataclass
class SampleResult:
    path: Location
    report: dict[str, Any]
    ran: int
    skipped: int

    @property
    def sample_size(self) -> int:
        return int(self.report["sample"])

    @property
    def population(self) -> int:
        return int(self.report["population"])

    @property
    def ids_sha256(self) -> str:
        return str(self.report["sample_ids"]["sha256"])


@dataclass
class VerifyResult:
    sample: Location
    differences: list[str] = field(default_factory=list)
    checked_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences


def open_key(key_file: Path | str | None) -> SecretKey:
    if key_file is None:
        raise KeyFileError("--key-file is required: membership is keyed, there is no default key")
    try:
        return load_key(key_file)
    except KeyFileError as exc:
        raise KeyFileError(f"--key-file: {exc.args[0]}") from None


def _check_params(rate: Any, size: Any, per_stratum: Any, stratify: str | None) -> None:
    given = [name for name, v in (("--rate", rate), ("--size", size), ("--per-stratum", per_stratum)) if v is not None]
    if len(given) != 1:
        raise ConfigError(f"give exactly one of --rate, --size, --per-stratum (got {', '.join(given) or 'none'})")
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int | float) or math.isnan(rate) or not 0 < rate <= 1
    ):
        raise ConfigError(f"--rate must be in (0, 1], got {rate!r}")
    for name, v in (("--size", size), ("--per-stratum", per_stratum)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, Integral) or v < 1):
            raise ConfigError(f"{name} must be a whole number >= 1, got {v!r}")
    if per_stratum is not None and stratify is None:
        raise ConfigError("--per-stratum needs --stratify")


def sample(
    hold: str | os.PathLike[str] | Location,
    out: str | os.PathLike[str] | Location,
    *,
    key_file: Path | str | None,
    rate: float | None = None,
    size: int | None = None,
    stratify: str | None = None,
    where: str | Sequence[str] | None = None,
    per_stratum: int | None = None,
    runner: Runner | None = None,
    restart: bool = False,
    show_progress: bool = True,
) -> SampleResult:
    """Draw the keyed sample of ``hold`` into ``out`` and write ``sampling_report.json``.

    Exactly one of ``rate`` (each eligible conversation with u < rate), ``size`` (the ``size``
    smallest u, allocated to strata proportionally) or ``per_stratum`` (that many smallest per
    stratum). ``where``: filter expressions (all must hold; each is counted as an exclusion).
    ``hold`` and ``out`` may be object-storage URLs; the key file is always local.
    """
    hold, out = location(hold), location(out)
    _check_params(rate, size, per_stratum, stratify)
    wheres = [where] if isinstance(where, str) else list(where or [])
    key = open_key(key_file)
    ds = Dataset.open(hold)
    if ID not in ds.schema.names:
        raise DatasetError(f"{hold} has no {ID} column; sampling needs one", code="no_conversation_id")
    if resolved(out) == resolved(hold):
        raise ConfigError("--out must differ from the hold")
    # parse once here so a bad expression fails before any work, naming its parameter
    for i, w in enumerate(wheres):
        parse_where(w, ds.schema, f"--where #{i + 1}" if len(wheres) > 1 else "--where")
    if stratify is not None:
        parse_field(stratify, ds.schema)
    sampler = KeyedSampler(key)
    own_runner = runner is None
    runner = runner or make_runner()
    try:
        common = (hold, sampler, wheres, stratify, ds.schema)
        targets = chosen = None
        if rate is not None:
            t = rate_threshold(rate)
            method = {"mode": "rate", "rate": float(rate), "stratify": stratify, "selection": "u < rate"}
            step = SelectStep(*common, rate_threshold=t, method=method)
        else:
            work = out / WORK / "keys"
            keys = run_step(KeysStep(*common), work, runner, restart=restart, show_progress=show_progress)
            stats = keys.stats
            frame = {k[len("population[") : -1]: int(v) for k, v in stats.items() if k.startswith("population[")}
            targets = allocate(frame, size, per_stratum)
            chosen = thresholds(Dataset.open(work), targets, stratified=stratify is not None)
            method = {
                "mode": "size" if size is not None else "per_stratum",
                "size": size,
                "per_stratum": per_stratum,
                "stratify": stratify,
                "allocation": "proportional, largest remainder" if size is not None else "fixed per stratum",
                "selection": "the target number of smallest (h, conversation_id) per stratum",
            }
            step = SelectStep(*common, thresholds=chosen, method=method)
        result = run_step(step, out, runner, restart=restart, show_progress=show_progress)
    finally:
        if own_runner:
            runner.close()
    report = build_report(
        hold=ds,
        stats=result.stats,
        method=method,
        key_fingerprint=key.fingerprint,
        where=wheres,
        targets=targets,
        thresholds=chosen,
        sample=Dataset.open(out),
    )
    write_report(out, report)
    remove_tree(out / WORK)
    return SampleResult(out, report, ran=result.ran, skipped=result.skipped)
