"""Progress bars (rich) on stderr for anything long; silent when asked or not on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

stderr_console = Console(stderr=True)


@contextmanager
def progress_bar(
    label: str, *, total: int, completed: int = 0, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``. Only counts and the label are ever shown, never record content."""
    if not enabled or not sys.stderr.isatty():
        yield lambda n: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr_console,
        transient=False,
    ) as progress:
        tid = progress.add_task(label, total=total, completed=completed)
        yield lambda n: progress.advance(tid, n)
