"""Runners map a step over shards: LocalRunner (processes here) or DaskRunner (a cluster)."""

from __future__ import annotations

from sealroom.runner.base import Runner
from sealroom.runner.execute import StepResult, run_step
from sealroom.runner.local import LocalRunner, default_workers


def make_runner(workers: int | None = None, cluster: str | None = None) -> Runner:
    """``cluster`` wins when given (``tcp://host:port`` or ``local:N``); else local processes."""
    if cluster:
        from sealroom.runner.dask import DaskRunner

        return DaskRunner(cluster)
    return LocalRunner(workers)


__all__ = ["LocalRunner", "Runner", "StepResult", "default_workers", "make_runner", "run_step"]
