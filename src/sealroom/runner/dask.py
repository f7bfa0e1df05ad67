"""DaskRunner: the same tasks on a dask.distributed cluster (remote, or a LocalCluster)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sealroom.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


class DaskRunner:
    """``cluster`` is ``tcp://host:8786`` (an existing scheduler) or ``local:N`` (a LocalCluster of N
    single-threaded worker processes, started here and stopped on close)."""

    name = "dask"

    def __init__(self, cluster: str, *, retries: int = 2) -> None:
        from distributed import Client, LocalCluster

        self.cluster_spec = cluster
        self.retries = retries
        self._cluster = None
        if cluster.startswith("local:"):
            try:
                n = int(cluster.removeprefix("local:"))
            except ValueError:
                raise ConfigError(f"--cluster {cluster!r}: expected local:N with N a number") from None
            if n < 1:
                raise ConfigError("--cluster local:N needs N >= 1")
            self._cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            )
            self.client = Client(self._cluster)
        elif "://" in cluster:
            self.client = Client(cluster)
        else:
            raise ConfigError(f"--cluster {cluster!r}: expected tcp://host:port or local:N")

    def describe(self) -> dict[str, Any]:
        return {"runner": self.name, "cluster": self.cluster_spec}

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        from distributed import as_completed

        if not items:
            return
        futures = self.client.map(fn, list(items), pure=False, retries=self.retries)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            yield index[fut.key], fut.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
