"""Running a step over its tasks: skip finished tasks, run the rest, then write the manifest.

Completion protocol (what makes every stage resumable and crash-safe):
1. ``_plan.json`` records the config hash, input fingerprints and task keys of this output.
2. Each task writes its shards atomically, then its ``_done/{key}.json`` marker (hashes, counts,
   stats). A task without a marker is redone from scratch; its stray shards are deleted first.
3. When every task has a marker, side-output manifests and finally ``_manifest.json`` are written.
"""

from __future__ import annotations

import os
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sealroom import __version__
from sealroom.dataset.files import read_json, remove_temp_files, write_json_atomic
from sealroom.dataset.location import Location, location, remove_tree
from sealroom.dataset.manifest import DONE_DIR, MANIFEST, PLAN, Manifest, ShardInfo, config_hash
from sealroom.dataset.writer import MAIN, TaskWriter, output_folder, task_shard_files
from sealroom.errors import ConfigError, SealroomError, StepError
from sealroom.log import event, get_logger
from sealroom.progress import progress_bar
from sealroom.runner.base import Runner
from sealroom.step import Stats, Step, Task

#: steps already set up in this process, by run token (each job unpickles a fresh copy of the step;
#: the first copy that arrives is set up once and serves every later task of the same run)
_READY_STEPS: OrderedDict[str, Step] = OrderedDict()
_READY_LIMIT = 4
logger = get_logger("runner")


@dataclass(frozen=True)
class _Job:
    step: Step
    task: Task
    root: Location
    token: str


def _run_task(job: _Job) -> dict[str, Any]:
    """Worker side: run one task and write its completion marker (module level: picklable)."""
    task, root = job.task, job.root
    step = _READY_STEPS.get(job.token)
    if step is None:
        step = job.step
        step.setup()
        _READY_STEPS[job.token] = step
        while len(_READY_STEPS) > _READY_LIMIT:
            _READY_STEPS.popitem(last=False)
    for stale in task_shard_files(root, task.key, step.outputs):
        stale.unlink()
    writer = TaskWriter(root, task.key, step.outputs, step.max_rows_per_shard)
    try:
        stats = step.process(task, writer)
        shards = writer.close()
    except SealroomError as exc:
        writer.abort()
        event(logger, "task_failed", stage=step.stage, task=task.key, code=exc.code)
        raise StepError(f"{step.stage}: task {task.key} failed: {exc}", code=exc.code) from None
    except Exception as exc:
        writer.abort()
        event(logger, "task_failed", stage=step.stage, task=task.key, error=type(exc).__name__)
        # the original exception may quote record text; only its type and the task key leave here
        raise StepError(f"{step.stage}: task {task.key} failed with {type(exc).__name__}") from None
    marker = {
        "key": task.key,
        "outputs": {name: [_shard_dict(s) for s in infos] for name, infos in shards.items()},
        "stats": dict(sorted(Stats(stats).items())),
    }
    write_json_atomic(root / DONE_DIR / f"{task.key}.json", marker)
    event(logger, "task_done", stage=step.stage, task=task.key, rows=sum(s.rows for s in shards.get(MAIN, [])))
    return marker


def _shard_dict(s: ShardInfo) -> dict[str, Any]:
    return {"file": s.file, "rows": s.rows, "sha256": s.sha256, "bytes": s.bytes}


@dataclass
class StepResult:
    out_dir: Location
    manifest: Manifest
    ran: int
    skipped: int

    @property
    def stats(self) -> Stats:
        return Stats(self.manifest.stats)


def _clear_outputs(out_dir: Location, step: Step) -> None:
    for name in step.outputs:
        folder = output_folder(out_dir, name)
        for p in folder.glob("part-*.parquet"):
            p.unlink()
        (folder / MANIFEST).unlink(missing_ok=True)
    remove_tree(out_dir / DONE_DIR)
    (out_dir / PLAN).unlink(missing_ok=True)


def run_step(
    step: Step,
    out_dir: str | os.PathLike[str] | Location,
    runner: Runner,
    *,
    restart: bool = False,
    show_progress: bool = True,
) -> StepResult:
    out_dir = location(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_temp_files(out_dir)
    config = step.config()
    inputs = step.inputs()
    tasks = step.plan()
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{step.stage}: task keys are not unique")
    plan = {
        "stage": step.stage,
        "config_hash": config_hash(config),
        "inputs": [i.get("fingerprint") for i in inputs],
        "tasks": keys,
    }
    plan_path = out_dir / PLAN
    if plan_path.exists() and not restart:
        previous = read_json(plan_path)
        if previous != plan:
            raise ConfigError(
                f"{out_dir} holds output of a different {step.stage} run (config, inputs or tasks "
                "differ); pass --restart to discard it, or choose another --out",
                code="output_mismatch",
            )
    if restart or not plan_path.exists():
        _clear_outputs(out_dir, step)
        write_json_atomic(plan_path, plan)

    done_dir = out_dir / DONE_DIR
    done_dir.mkdir(parents=True, exist_ok=True)
    markers: dict[str, dict[str, Any]] = {}
    for t in tasks:
        mp = done_dir / f"{t.key}.json"
        if mp.exists():
            markers[t.key] = read_json(mp)
    todo = [t for t in tasks if t.key not in markers]
    skipped = len(tasks) - len(todo)

    if todo:
        token = uuid.uuid4().hex
        jobs = [_Job(step, t, out_dir, token) for t in todo]
        with progress_bar(f"{step.stage}", total=len(tasks), completed=skipped, enabled=show_progress) as advance:
            for _, marker in runner.map_unordered(_run_task, jobs):
                markers[marker["key"]] = marker
                advance(1)

    stats = Stats.total(markers[k]["stats"] for k in keys)
    extra = step.finalize(out_dir, stats)
    # finalize may rewrite a finished task's shards and marker (ingest settles duplicate ids
    # across tasks there): the manifest is built from the markers as they are now
    markers = {k: read_json(done_dir / f"{k}.json") for k in keys}
    stats = Stats.total(markers[k]["stats"] for k in keys)
    manifests: dict[str, Manifest] = {}
    side = [name for name in step.outputs if name != MAIN]
    for name, schema in step.outputs.items():
        shards = [ShardInfo.from_dict(d) for k in keys for d in markers[k]["outputs"].get(name, [])]
        manifests[name] = Manifest(
            stage=step.stage if name == MAIN else f"{step.stage}.{name}",
            code_version=__version__,
            config=config,
            inputs=inputs,
            schema=schema,
            shards=shards,
            stats=stats if name == MAIN else {},
            side_outputs=side if name == MAIN else [],
            extra=extra if name == MAIN else {},
        )
    for name in side:
        write_json_atomic(output_folder(out_dir, name) / MANIFEST, manifests[name].to_dict())
    write_json_atomic(out_dir / MANIFEST, manifests[MAIN].to_dict())
    event(logger, "step_done", stage=step.stage, ran=len(todo), skipped=skipped, rows=manifests[MAIN].rows)
    return StepResult(out_dir, manifests[MAIN], ran=len(todo), skipped=skipped)
