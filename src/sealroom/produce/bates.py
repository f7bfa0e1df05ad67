"""Bates numbers (prefix + zero-padded number) and the state file that refuses reusing one.

A Bates number identifies one produced page or document for the life of a case, so the same
number must never name two documents: productions continue from ``--start`` or from the state
file, which records every range produced under each prefix.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sealroom.dataset.files import read_json, write_json_atomic
from sealroom.errors import ConfigError
from sealroom.produce.errors import BatesReuseError

PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9_-]{0,19}$")
DEFAULT_DIGITS = 7
STATE_FORMAT = "sealroom.bates-state/1"


def check_prefix(prefix: str) -> str:
    """Prefixes become file names and DAT values: upper-case letters, digits, ``_`` and ``-``."""
    if not PREFIX_RE.match(prefix):
        raise ConfigError(
            f"Bates prefix {prefix!r} is not 1-20 characters of A-Z, 0-9, '_' or '-' starting with a letter",
            code="bates_prefix",
        )
    return prefix


@dataclass(frozen=True, slots=True)
class BatesRange:
    """``first``..``last`` inclusive under ``prefix`` (``last == first - 1`` for an empty range)."""

    prefix: str
    first: int
    last: int
    digits: int = DEFAULT_DIGITS

    def __post_init__(self) -> None:
        check_prefix(self.prefix)
        if self.first < 1:
            raise ConfigError(f"Bates numbers start at 1, not {self.first}", code="bates_start")
        if self.last >= 10**self.digits:
            raise ConfigError(
                f"Bates number {self.last} does not fit in {self.digits} digits; pass more digits",
                code="bates_digits",
            )

    def __len__(self) -> int:
        return self.last - self.first + 1

    def label(self, number: int) -> str:
        return format_bates(self.prefix, number, self.digits)

    @property
    def begin(self) -> str:
        return self.label(self.first)

    @property
    def end(self) -> str:
        return self.label(self.last)

    def overlaps(self, other: BatesRange) -> bool:
        return self.prefix == other.prefix and self.first <= other.last and other.first <= self.last


def format_bates(prefix: str, number: int, digits: int = DEFAULT_DIGITS) -> str:
    return f"{prefix}{number:0{digits}d}"


def parse_bates(label: str, prefix: str) -> int:
    """The number of a Bates label under ``prefix``; ``ValueError`` when it is not one."""
    if not label.startswith(prefix) or not label[len(prefix) :].isdigit():
        raise ValueError(f"{label!r} is not a Bates number under prefix {prefix!r}")
    return int(label[len(prefix) :])


class BatesState:
    """A JSON file recording every range produced per prefix; concurrent writers are serialized
    with an advisory lock on a sibling ``.lock`` file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def ranges(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        try:
            data = read_json(self.path)
        except ValueError:
            raise ConfigError(f"Bates state file {self.path} is not valid JSON", code="bates_state") from None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ConfigError(f"{self.path} is not a sealroom Bates state file", code="bates_state")
        return list(data.get("productions", []))

    def next_number(self, prefix: str) -> int:
        used = [int(r["last"]) for r in self.ranges() if r["prefix"] == prefix]
        return max(used, default=0) + 1

    def check(self, rng: BatesRange) -> None:
        """Refuse a range that overlaps one already recorded under the same prefix."""
        for r in self.ranges():
            recorded = BatesRange(r["prefix"], int(r["first"]), int(r["last"]), int(r.get("digits", rng.digits)))
            if len(rng) and rng.overlaps(recorded):
                raise BatesReuseError(
                    f"Bates range {rng.begin}-{rng.end} overlaps {recorded.begin}-{recorded.end}, already "
                    f"produced as {r.get('production', '?')} (state file {self.path}); choose --start "
                    f"{self.next_number(rng.prefix)} or leave --start out"
                )

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def record(self, rng: BatesRange, **details: Any) -> None:
        """Check again under the lock (another production may have finished meanwhile), then append."""
        with self.locked():
            self.check(rng)
            entry = {"prefix": rng.prefix, "first": rng.first, "last": rng.last, "digits": rng.digits, **details}
            write_json_atomic(self.path, {"format": STATE_FORMAT, "productions": [*self.ranges(), entry]})
