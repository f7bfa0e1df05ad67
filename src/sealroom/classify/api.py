"""``sealroom.classify.classify``: the library entry point the CLI and the pipeline call."""

from __future__ import annotations

import os
from pathlib import Path

from sealroom.classify.base import DEFAULT_CLASSIFIER
from sealroom.classify.step import ClassifyStep
from sealroom.dataset.location import Location
from sealroom.runner import Runner, StepResult, make_runner, run_step


def classify(
    dataset: str | os.PathLike[str] | Location,
    out: str | os.PathLike[str] | Location,
    *,
    classifier: str = DEFAULT_CLASSIFIER,
    taxonomy: Path | None = None,
    hits: str | os.PathLike[str] | Location | None = None,
    runner: Runner | None = None,
    restart: bool = False,
    show_progress: bool = True,
) -> StepResult:
    """Classify every conversation of ``dataset`` into ``out`` (a dataset of ``CLASSIFIED_SCHEMA``).

    ``hits`` is a scan output folder; its hits and signals are joined per conversation. The datasets
    (``dataset``, ``out``, ``hits``) may be object-storage URLs; the taxonomy file is local.
    """
    import sealroom.classify.keywords  # noqa: F401  (registers the built-in classifier)

    step = ClassifyStep(dataset, classifier=classifier, taxonomy_path=taxonomy, hits_path=hits)
    return run_step(step, out, runner or make_runner(), restart=restart, show_progress=show_progress)
