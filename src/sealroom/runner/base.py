"""The runner protocol: map a function over tasks somewhere, yielding results as they finish."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    """Runs ``fn(item)`` for every item and yields ``(index, result)`` in completion order.

    Implementations may run items in any order and in parallel; the caller must not depend on
    completion order (outputs are named by task key, so they are identical whatever the order).
    """

    name: str

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]: ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
