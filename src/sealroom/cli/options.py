"""Options shared by every stage command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from sealroom.runner.base import Runner

F = TypeVar("F", bound=Callable[..., Any])


class DatasetLocation(click.ParamType):
    """A dataset folder (or a source file): a local path or an object-storage URL
    (``s3://bucket/run/hold``)."""

    def __init__(self, must_exist: bool = False, folder_only: bool = True, name: str = "dataset") -> None:
        self.must_exist = must_exist
        self.folder_only = folder_only
        self.name = name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from sealroom.dataset.location import is_remote, location

        where = location(value)
        # remote existence costs a request and the stage says it better; check local paths only
        if self.must_exist and not is_remote(where):
            if not where.exists():
                self.fail(f"{str(where)!r} does not exist", param, ctx)
            if self.folder_only and not where.is_dir():
                self.fail(f"{str(where)!r} is not a folder", param, ctx)
        return where


#: a dataset the command reads (a local one must exist)
DATASET_IN = DatasetLocation(must_exist=True)
#: a source file or folder to ingest (a local one must exist)
SOURCE = DatasetLocation(must_exist=True, folder_only=False, name="source")
#: a corpus index to read (a local one must exist)
INDEX_IN = DatasetLocation(must_exist=True, name="index")
#: a dataset the command writes, or reads and reports on itself when absent
DATASET = DatasetLocation()


def runner_options(fn: F) -> F:
    """--workers / --cluster / --restart / --quiet, passed as keyword arguments."""
    fn = click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(fn)
    fn = click.option("--restart", is_flag=True, help="Discard finished shards of this output and redo all.")(fn)
    fn = click.option(
        "--cluster",
        metavar="ADDR",
        default=None,
        help="Run on Dask: tcp://host:8786 for a running scheduler, local:N for a local cluster.",
    )(fn)
    fn = click.option(
        "--workers", "-j", type=click.IntRange(min=1), default=None, help="Local worker processes [default: cores]."
    )(fn)
    return fn


@contextmanager
def open_runner(workers: int | None, cluster: str | None) -> Iterator[Runner]:
    """The runner the options ask for, closed (a local Dask cluster stopped) when the command ends."""
    from sealroom.runner import make_runner

    runner = make_runner(workers=workers, cluster=cluster)
    try:
        yield runner
    finally:
        runner.close()
