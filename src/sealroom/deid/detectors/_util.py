"""Shared pieces of the pattern detectors: a base class, checksums and context look-ups.

Every regex in the detectors uses bounded quantifiers only, so matching time is linear in the text
length (no catastrophic backtracking on hostile input).
"""

from __future__ import annotations

import re
from typing import ClassVar

from sealroom.deid.base import DetectionContext, Finding


class BaseDetector:
    """Common constructor: detectors take keyword options from the analyzer configuration."""

    name: ClassVar[str] = ""
    labels: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **options: object) -> None:
        self.options = options

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        raise NotImplementedError

    def finding(self, start: int, end: int, label: str, score: float, explanation: str) -> Finding:
        return Finding(start, end, label, round(min(max(score, 0.0), 1.0), 3), self.name, explanation)


def cue_before(text: str, start: int, cue: re.Pattern[str], window: int = 40) -> bool:
    """True when ``cue`` occurs in the ``window`` characters before ``start`` (context words)."""
    return cue.search(text, max(0, start - window), start) is not None


def digits_of(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_ok(digits: str) -> bool:
    """Verhoeff check (Aadhaar)."""
    if not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][ord(ch) - 48]]
    return c == 0


def verhoeff_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` Verhoeff-valid."""
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][ord(ch) - 48]]
    return str((0, 4, 3, 2, 1, 5, 6, 7, 8, 9)[c])
