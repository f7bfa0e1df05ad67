"""Span arithmetic for the engine: chunking long texts, merging findings, subtracting exempt
intervals, and mapping input offsets to output offsets after replacement."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sealroom.deid.base import Finding

Interval = tuple[int, int]


def chunk_bounds(length: int, size: int, overlap: int, text: str | None = None) -> list[Interval]:
    """Overlapping windows covering ``[0, length)``: each at most ``size`` long, consecutive ones
    sharing at least ``overlap`` characters. When ``text`` is given a window ends at whitespace
    if one lies in its last eighth, so fewer words are cut (the overlap makes cuts harmless)."""
    if length <= size:
        return [(0, length)]
    out: list[Interval] = []
    start = 0
    while True:
        end = min(start + size, length)
        if end < length and text is not None:
            floor = end - size // 8
            cut = max(text.rfind(" ", floor, end), text.rfind("\n", floor, end))
            if cut > start + overlap:
                end = cut
        out.append((start, end))
        if end >= length:
            return out
        start = end - overlap


def merge_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Resolve overlaps by union: overlapping findings become one span covering all of them,
    labelled like the longest (then highest-scoring) member. Over-covering is the safe failure."""
    ordered = sorted(findings, key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    group: list[Finding] = []
    group_end = -1
    for f in ordered:
        if f.end <= f.start:
            continue
        if group and f.start < group_end:
            group.append(f)
            group_end = max(group_end, f.end)
            continue
        if group:
            out.append(_union(group, group_end))
        group, group_end = [f], f.end
    if group:
        out.append(_union(group, group_end))
    return out


def _union(group: list[Finding], end: int) -> Finding:
    # a detector's own finding explains itself better than its propagated copy: prefer it on ties
    best = max(group, key=lambda f: (f.end - f.start, f.detector != "consistency.v1", f.score))
    start = group[0].start
    if start == best.start and end == best.end:
        return best
    return replace(best, start=start, end=end, score=max(f.score for f in group))


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract(span: Interval, holes: Sequence[Interval]) -> list[Interval]:
    """``span`` minus the (merged, sorted) ``holes``."""
    s, e = span
    pieces: list[Interval] = []
    for hs, he in holes:
        if he <= s or hs >= e:
            continue
        if hs > s:
            pieces.append((s, hs))
        s = max(s, he)
        if s >= e:
            break
    if s < e:
        pieces.append((s, e))
    return pieces


def overlapping(span: Interval, intervals: Sequence[Interval]) -> list[Interval]:
    """The parts of ``span`` that lie inside the (merged, sorted) ``intervals``."""
    s, e = span
    return [(max(s, a), min(e, b)) for a, b in intervals if a < e and b > s]


class OffsetMap:
    """Maps input offsets to output offsets, given the replaced input spans and their output
    lengths. Offsets outside every replaced span move by the length change accumulated before
    them; a replaced span's start maps to its output start and its end to its output end."""

    def __init__(self, replaced: Sequence[tuple[int, int, int]]) -> None:
        # (input start, input end, output length), sorted and non-overlapping
        self._starts = [s for s, _, _ in replaced]
        self._spans = list(replaced)
        self._delta_before: list[int] = []
        delta = 0
        for s, e, n in replaced:
            self._delta_before.append(delta)
            delta += n - (e - s)
        self._total = delta

    def map_start(self, pos: int) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        s, e, n = self._spans[i]
        if pos < e:  # inside a replaced span (or at its start): its output start
            return s + self._delta_before[i]
        return pos + self._delta_before[i] + n - (e - s)

    def map_end(self, pos: int) -> int:
        i = bisect.bisect_left(self._starts, pos) - 1
        if i < 0:
            return pos
        s, e, n = self._spans[i]
        if pos < e:  # strictly inside a replaced span: its output end
            return s + self._delta_before[i] + n
        return pos + self._delta_before[i] + n - (e - s)
