"""Library API of the deidentify stage (the CLI and the pipeline call this)."""

from __future__ import annotations

import os
from pathlib import Path

from sealroom.dataset.location import Location
from sealroom.deid.policy import Policy, load_policy
from sealroom.deid.step import DEFAULT_ANALYZER, DeidentifyStep
from sealroom.runner import StepResult, make_runner, run_step
from sealroom.runner.base import Runner


def deidentify(
    dataset: str | os.PathLike[str] | Location,
    out: str | os.PathLike[str] | Location,
    *,
    key_file: Path,
    policy: Path | Policy | None = None,
    hits: str | os.PathLike[str] | Location | None = None,
    runner: Runner | None = None,
    restart: bool = False,
    show_progress: bool = True,
    log_originals_key: Path | None = None,
    allow_quarantine: bool = False,
    analyzer: str = DEFAULT_ANALYZER,
) -> StepResult:
    """De-identify ``dataset`` into ``out`` (with side outputs ``replacements``, ``hits`` and
    ``quarantine``). ``policy`` is a TOML path, a :class:`Policy`, or None for the default;
    ``hits`` a scan output whose spans stay readable; ``log_originals_key`` a second key file to
    encrypt original values into the log. Raises ``QuarantineError`` when records could not be
    treated, unless ``allow_quarantine``. ``dataset``, ``out`` and ``hits`` may be object-storage
    URLs; key and policy files are local."""
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    step = DeidentifyStep(
        dataset,
        key_file=key_file,
        policy=pol,
        hits_path=hits,
        originals_key_file=log_originals_key,
        analyzer=analyzer,
        allow_quarantine=allow_quarantine,
    )
    own = runner is None
    active = make_runner() if runner is None else runner
    try:
        return run_step(step, out, active, restart=restart, show_progress=show_progress)
    finally:
        if own:
            active.close()
