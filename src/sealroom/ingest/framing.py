"""Splitting a JSON byte stream into records without parsing it.

Sources come framed three ways: one JSON array of records (a ChatGPT ``conversations.json``), one
object per line (JSONL), or pretty-printed objects simply concatenated. All three are "a stream of
top-level JSON values, where a top-level array contributes its elements". We find the record
boundaries with a vectorized scan (numpy) over the quotes and brackets instead of a full parse:
a bracket counts when an even number of unescaped quotes precede it, and the running bracket depth
marks where each value opens and closes. Each record is then parsed on its own by orjson: one bad
record is quarantined alone, a file truncated mid-record keeps every complete record before the
cut, and a 2 GB export never becomes one 20 GB Python object.

When the stream is irregular (a stray closing bracket, or a record that does not parse, which in
a JSONL file may be a truncated line that would otherwise swallow the lines after it), the rest of
the data is re-framed line by line: every line that is a complete JSON value on its own is a
record, and each run of lines that is not becomes one bad segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import orjson

_CHUNK = 1 << 24
_QUOTE, _BACKSLASH, _LBRACE, _RBRACE, _NEWLINE = 0x22, 0x5C, 0x7B, 0x7D, 0x0A
_WS = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Segment:
    """One record's bytes ``data[start:end]``; ``in_array`` says how it was framed."""

    start: int
    end: int
    in_array: bool
    #: False when the data ended inside this record (its brackets never closed)
    complete: bool = True
    #: framed line by line, after the stream turned out irregular
    by_line: bool = False
    #: bytes before this array element that are not a single comma (values that are not objects)
    junk_before: tuple[int, int] | None = None
    #: the segment is only such junk (after the last element), not a record
    is_junk: bool = False


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a buffer starts in its source file, so positions stay those of the whole file when a
    task reads one byte range of it: the byte offset, the line breaks and the records before it."""

    offset: int = 0
    lines: int = 0
    records: int = 0

    @property
    def bom(self) -> bool:
        """Only a buffer that starts its file can begin with a byte-order mark."""
        return self.offset == 0


def _structure(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of real (unescaped) quotes, opening brackets and closing brackets.

    ``c | 0x20`` folds ``[``/``]`` onto ``{``/``}``, so two comparisons find all four brackets.
    Chunked so temporaries stay small whatever the file size.
    """
    quotes, opens, closes = [], [], []
    for off in range(0, len(arr), _CHUNK):
        chunk = arr[off : off + _CHUNK]
        folded = chunk | 0x20
        quotes.append(np.flatnonzero(chunk == _QUOTE) + off)
        opens.append(np.flatnonzero(folded == _LBRACE) + off)
        closes.append(np.flatnonzero(folded == _RBRACE) + off)
    if not quotes:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    q = np.concatenate(quotes).astype(np.int64)
    # a quote right after a backslash may be escaped: only those (few) need their run of
    # backslashes counted; an odd run escapes the quote
    maybe = q[(q > 0) & (arr[np.maximum(q - 1, 0)] == _BACKSLASH)]
    if len(maybe):
        escaped = set()
        for p in maybe.tolist():
            run = 0
            while p - 1 - run >= 0 and arr[p - 1 - run] == _BACKSLASH:
                run += 1
            if run % 2:
                escaped.add(p)
        if escaped:
            q = q[~np.isin(q, np.fromiter(escaped, np.int64, len(escaped)))]
    return q, np.concatenate(opens).astype(np.int64), np.concatenate(closes).astype(np.int64)


def _strip(data: bytes | memoryview, start: int, end: int) -> tuple[int, int]:
    while start < end and data[start] in _WS:
        start += 1
    while end > start and data[end - 1] in _WS:
        end -= 1
    return start, end


class Scan:
    """The structure of one buffer, found once; records are then cut out of it."""

    def __init__(self, data: bytes | memoryview, *, bom: bool = True) -> None:
        self.view = data if isinstance(data, bytes) else memoryview(data).cast("B")
        self.arr = np.frombuffer(self.view, dtype=np.uint8)
        self.size = len(self.arr)
        quotes, opens, closes = _structure(self.arr)
        # a bracket is structural when an even number of real quotes precede it (not in a string)
        opens = opens[np.searchsorted(quotes, opens) % 2 == 0]
        closes = closes[np.searchsorted(quotes, closes) % 2 == 0]
        pos = np.concatenate([opens, closes])
        order = np.argsort(pos, kind="stable")
        self.spos = pos[order]
        self.sopen = order < len(opens)
        self.depth = np.cumsum(np.where(self.sopen, 1, -1))  # depth after each bracket
        self._newlines: np.ndarray | None = None
        # a UTF-8 byte-order mark (some Windows tools write one) is not part of the JSON; only a
        # buffer that starts a file can have one (``bom=False`` for a byte range further in)
        self.begin = 3 if bom and self.size >= 3 and bytes(self.view[:3]) == b"\xef\xbb\xbf" else 0

    @property
    def newlines(self) -> np.ndarray:
        if self._newlines is None:  # only line-framed data needs them
            parts = [np.flatnonzero(self.arr[o : o + _CHUNK] == _NEWLINE) + o for o in range(0, self.size, _CHUNK)]
            self._newlines = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        return self._newlines

    def line_of(self, offset: int) -> int:
        return int(np.searchsorted(self.newlines, offset)) + 1

    def records(self) -> Iterator[Segment]:
        """Yield the record segments in order (see the module docstring)."""
        view, spos, depth, n = self.view, self.spos, self.depth, self.size
        bad_from = n
        if len(depth) and depth.min() < 0:
            bad_from = int(spos[int(np.argmax(depth < 0))])
        cursor = self.begin
        # a top-level value opens when the depth goes from 0 to 1 and ends when it is 0 again
        tops = np.flatnonzero(self.sopen & (depth == 1))
        closes = np.flatnonzero(~self.sopen & (depth == 0))
        for t in tops.tolist():
            start = int(spos[t])
            if start >= bad_from:
                break
            s0, e0 = _strip(view, cursor, start)
            if e0 > s0:  # bytes outside any bracket: frame the rest line by line
                yield from self.lines(s0)
                return
            ci = int(np.searchsorted(closes, t))
            closed = ci < len(closes) and int(spos[closes[ci]]) < bad_from
            if view[start] == ord("["):
                yield from self._elements(t, int(closes[ci]) if closed else len(spos), closed)
                if not closed:
                    return
            elif not closed:
                yield from self.lines(start, truncated_tail=True)
                return
            else:
                yield Segment(start, int(spos[closes[ci]]) + 1, False)
            cursor = int(spos[closes[ci]]) + 1
        s0, e0 = _strip(view, cursor, n)
        if e0 > s0:
            yield from self.lines(s0)

    def _elements(self, t: int, stop: int, closed: bool) -> Iterator[Segment]:
        """The elements of the array opened at bracket ``t`` and closed at bracket ``stop``: the
        values that open at depth 2 and close back to depth 1. What sits between them must be a
        comma; anything else (numbers, strings: values that are not objects) is a junk segment."""
        sl = slice(t + 1, stop)
        depth, sopen, spos = self.depth[sl], self.sopen[sl], self.spos[sl]
        starts = spos[sopen & (depth == 2)].tolist()
        ends = (spos[~sopen & (depth == 1)] + 1).tolist()
        array_end = int(self.spos[stop]) if closed else self.size
        gap_from = int(self.spos[t]) + 1
        for i, a in enumerate(starts):
            junk = self._junk(gap_from, a, allow_comma=i > 0)
            b = ends[i] if i < len(ends) else self.size
            yield Segment(a, b, True, complete=i < len(ends), junk_before=junk)
            gap_from = b
        if len(ends) >= len(starts):
            junk = self._junk(gap_from, array_end, allow_comma=False)
            if junk:
                yield Segment(junk[0], junk[1], True, complete=closed, is_junk=True)

    def _junk(self, a: int, b: int, *, allow_comma: bool) -> tuple[int, int] | None:
        a, b = _strip(self.view, a, b)
        if b == a or (allow_comma and b == a + 1 and self.view[a] == ord(",")):
            return None
        return (a, b)

    def lines(self, start: int, *, truncated_tail: bool = False) -> Iterator[Segment]:
        """Line-by-line framing from ``start`` to the end (every non-blank line a candidate)."""
        nl = self.newlines[self.newlines >= start].tolist()
        bounds = [start, *(x + 1 for x in nl)]
        ends = [*nl, self.size]
        for i, (a, b) in enumerate(zip(bounds, ends, strict=True)):
            a, b = _strip(self.view, a, b)
            if b > a:
                last = i == len(bounds) - 1
                yield Segment(a, b, False, complete=not (truncated_tail and last), by_line=True)


def is_object_line(line: bytes) -> bool:
    """Whether one line (without its line break) is a whole JSON object: the mark of JSONL, where a
    pretty-printed object's lines are fragments such as ``{`` or ``"messages": [``."""
    line = line.strip()
    if not line.startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False
