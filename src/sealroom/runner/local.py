"""LocalRunner: worker processes on this machine (in-process when workers == 1)."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalRunner:
    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())

    def describe(self) -> dict[str, Any]:
        return {"runner": self.name, "workers": self.workers}

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        if self.workers == 1 or len(items) <= 1:
            for i, item in enumerate(items):
                yield i, fn(item)
            return
        # forkserver: no fork of a parent that has threads (progress bars, Dask), and a cheap start
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["sealroom.runner.execute"])
        with ProcessPoolExecutor(max_workers=min(self.workers, len(items)), mp_context=ctx) as pool:
            pending: dict[Future[R], int] = {}
            todo = iter(enumerate(items))
            # keep a bounded queue so a million tasks do not become a million pickled futures
            for i, item in todo:
                pending[pool.submit(fn, item)] = i
                if len(pending) >= self.workers * 2:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    yield i, fut.result()
                    nxt = next(todo, None)
                    if nxt is not None:
                        pending[pool.submit(fn, nxt[1])] = nxt[0]

    def close(self) -> None:
        pass
