"""The adapter contract: detect a format, and turn its records into conversations or quarantine rows.

An adapter implements :meth:`Adapter.convert` for one parsed record. Framing (arrays, JSONL,
concatenated objects), JSON parsing, error classification and the ids of records without one are
shared here, so every adapter quarantines bad input the same way and none can crash ingest: any
exception a record provokes becomes a quarantine row with a code and a reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson

from sealroom.ingest.framing import Origin, Scan, Segment, is_object_line
from sealroom.ingest.records import Position, Quarantined, RecordError
from sealroom.schema import Conversation
from sealroom.step import Stats

Item = Conversation | Quarantined
#: a buffer that is a whole file
FILE_START = Origin()
_SAFE_JSON_ERROR = re.compile(r"^[A-Za-z0-9 _\-]{1,80}$")


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What an adapter knows about the record it converts (never the file's path: ids must not
    change when a file moves), and where it counts what it noticed (``ctx.count("x")``)."""

    content_sha256: str
    position: Position
    stats: Stats | None = None

    def count(self, name: str, amount: int = 1) -> None:
        if self.stats is not None:
            self.stats.add(name, amount)

    def fallback_id(self) -> str:
        """A stable id for a record without one: the source's content hash and the record's index."""
        key = f"{self.content_sha256}\x00{self.position.record_index}".encode()
        return "h_" + hashlib.sha256(key).hexdigest()[:32]


def key_pattern(*keys: str) -> re.Pattern[bytes]:
    """A regex that finds any of ``keys`` as an (unescaped) JSON object key in raw bytes."""
    alternatives = b"|".join(re.escape(k.encode()) for k in keys)
    return re.compile(rb'(?<!\\)"(?:' + alternatives + rb')"\s*:')


def to_datetime(value: Any, field: str) -> datetime | None:
    """Epoch seconds (number or numeric string) or ISO-8601 text to an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            try:
                return datetime.fromtimestamp(float(value), tz=UTC)
            except ValueError:
                dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    raise RecordError("invalid_field", f"{field} is not a timestamp ({type(value).__name__})")


def opt_str(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError("invalid_field", f"{field} must be a string, not {type(value).__name__}")


def record_id(value: Any, ctx: RecordContext, field: str) -> str:
    """The source's own id when it has a usable one, else the stable fallback."""
    if value is None or value == "":
        return ctx.fallback_id()
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise RecordError("invalid_field", f"{field} must be a string or integer, not {type(value).__name__}")


def dumps(obj: Any) -> str | None:
    """Compact, key-sorted JSON for metadata columns (None when there is nothing to keep)."""
    if not obj:
        return None
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


def _json_error(exc: Exception, raw: bytes | memoryview, complete: bool) -> tuple[str, str]:
    """Classify a parse failure; the reason carries orjson's fixed phrase and an offset only."""
    try:
        bytes(raw).decode("utf-8")
    except UnicodeDecodeError as ude:
        return "invalid_utf8", f"invalid UTF-8 at byte {ude.start} of the record"
    pos = getattr(exc, "pos", None)
    phrase = str(exc).split(":", 1)[0]
    phrase = phrase if _SAFE_JSON_ERROR.match(phrase) else "parse error"
    if "surrogate" in phrase:
        return "invalid_utf8", f"{phrase} at byte {pos} of the record"
    if not complete or phrase.startswith("unexpected end"):
        return "truncated_json", f"record ends early ({phrase} at byte {pos})"
    return "invalid_json", f"{phrase} at byte {pos} of the record"


def _next_line_is_record(raw: bytes | memoryview) -> bool:
    """Whether the line after the first line break is a whole JSON object: evidence of JSONL (in a
    pretty-printed object that line is a fragment such as ``"messages": [``)."""
    data = bytes(raw)
    first = data.find(b"\n")
    if first < 0:
        return False
    end = data.find(b"\n", first + 1)
    return is_object_line(data[first + 1 : end if end >= 0 else len(data)])


class Adapter:
    """One source format. Subclasses set the names and implement ``sniff`` and ``convert``."""

    #: registry name, versioned (``chatgpt.v1``): a change in mapping gets a new version
    name: ClassVar[str]
    #: the ``--format`` name and the ``source`` column value
    short: ClassVar[str]
    #: where in the ``--format auto`` order this adapter is asked (lower first)
    priority: ClassVar[int] = 100

    def sniff(self, head: bytes) -> bool:
        """Whether the first bytes of a (decompressed) JSON source look like this format."""
        raise NotImplementedError

    def sniff_columns(self, names: Iterable[str]) -> bool:
        """Whether a Parquet file with these top-level columns is this format."""
        return False

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        """One parsed record to a conversation; raise :class:`RecordError` to quarantine it."""
        raise NotImplementedError

    # -- shared machinery -------------------------------------------------------------------

    def _convert_safely(self, obj: Any, ctx: RecordContext, raw_sha: str | None, raw_len: int | None) -> Item:
        def refuse(code: str, reason: str) -> Quarantined:
            return Quarantined(ctx.position, code, reason, raw_sha, raw_len)

        if not isinstance(obj, dict):
            return refuse("not_an_object", f"record is a JSON {type(obj).__name__}, not an object")
        try:
            conv = self.convert(obj, ctx)
        except RecordError as exc:
            return refuse(exc.code, exc.reason)
        except RecursionError:
            return refuse("invalid_field", "record nests too deeply")
        except Exception as exc:  # a record must never stop ingest; its type names the problem
            return refuse("invalid_field", f"record could not be mapped ({type(exc).__name__})")
        # where the record came from, so any row can be traced back to its source bytes; spliced
        # in front of the adapter's metadata object rather than re-encoding it
        provenance = {"position": ctx.position.label, "record_sha256": raw_sha, "source_sha256": ctx.content_sha256}
        head = b'{"_ingest":' + orjson.dumps(provenance, option=orjson.OPT_SORT_KEYS)
        rest = conv.metadata_json
        if rest and '"_ingest"' in rest:  # a source field of that name must not pose as provenance
            meta = orjson.loads(rest)
            meta["source__ingest"] = meta.pop("_ingest", None)
            rest = dumps(meta)
        conv.metadata_json = (head + b"}").decode() if not rest or rest == "{}" else head.decode() + "," + rest[1:]
        return conv

    def records(
        self,
        data: bytes | memoryview,
        content_sha256: str,
        stats: Stats | None = None,
        origin: Origin = FILE_START,
    ) -> Iterator[Item]:
        """Every record of a JSON source (array, JSONL or concatenated objects), in order.

        ``origin`` says where ``data`` starts in its file (a split task reads the file from a line
        boundary to its end): positions, line numbers and record indexes are the whole file's."""
        scan = Scan(data, bom=origin.bom)
        index = origin.records
        segments: Iterator[Segment] = scan.records()
        bad_run: list[Segment] = []

        def line_of(offset: int) -> int:
            return origin.lines + scan.line_of(offset)

        def flush_bad() -> Iterator[Quarantined]:
            # consecutive unparseable lines are one bad region, not a row per line
            if not bad_run:
                return
            first, last = bad_run[0], bad_run[-1]
            raw = scan.view[first.start : last.end]
            try:
                orjson.loads(raw)
                code, reason = "invalid_json", "lines do not form a JSON value"
            except orjson.JSONDecodeError as exc:
                code, reason = _json_error(exc, raw, last.complete)
            first_line, last_line = line_of(first.start), line_of(last.start)
            label = f"line {first_line}" if first is last else f"lines {first_line}-{last_line}"
            at = origin.offset + first.start
            yield Quarantined(
                Position(f"{label}, byte {at}", at, None),
                code,
                reason,
                hashlib.sha256(raw).hexdigest(),
                len(raw),
            )
            bad_run.clear()

        while True:
            seg = next(segments, None)
            if seg is None:
                break
            if seg.junk_before or seg.is_junk:
                a, b = seg.junk_before or (seg.start, seg.end)
                raw = scan.view[a:b]
                code = "not_an_object" if seg.complete else "truncated_json"
                at = origin.offset + a
                yield Quarantined(
                    Position(f"array values at byte {at}", at, None),
                    code,
                    f"{b - a} bytes between array elements are not objects",
                    hashlib.sha256(raw).hexdigest(),
                    b - a,
                )
                if seg.is_junk:
                    continue
            raw = scan.view[seg.start : seg.end]
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                if not seg.in_array and not seg.by_line and _next_line_is_record(raw):
                    # a JSONL line cut short swallows the lines after it: re-frame line by line
                    segments = scan.lines(seg.start)
                    continue
                if seg.by_line:
                    bad_run.append(seg)
                    continue
                code, reason = _json_error(exc, raw, seg.complete)
                position = self._position(seg, None, line_of, origin.offset)
                yield Quarantined(position, code, reason, hashlib.sha256(raw).hexdigest(), len(raw))
                continue
            yield from flush_bad()
            position = self._position(seg, index, line_of, origin.offset)
            index += 1
            ctx = RecordContext(content_sha256, position, stats)
            yield self._convert_safely(obj, ctx, hashlib.sha256(raw).hexdigest(), len(raw))
        yield from flush_bad()

    def regular_records(
        self,
        data: bytes | memoryview,
        content_sha256: str,
        stats: Stats | None,
        origin: Origin,
    ) -> Generator[Item, None, tuple[int, int, bool]]:
        """The records of one byte range of a line-framed file, as long as the range is *regular*:
        every value is a whole object that parses, framed by brackets (no array, nothing between
        values, no unclosed value). Such a range yields exactly what :meth:`records` over the whole
        file yields for it, given ``origin`` (which the plan computed assuming every earlier range
        was regular too).

        Stops before the first value that is not regular and returns ``(end, count, whole)``: where
        the regular part ends (after its last value, relative to ``data``), how many records it
        held, and whether that is the whole range. The caller may go on from ``end`` with
        :meth:`records`, which frames the rest exactly as a run over the whole file would (the
        bracket depth is zero there, outside any string).
        """
        scan = Scan(data, bom=origin.bom)
        count, end = 0, 0
        for seg in scan.records():
            if seg.in_array or seg.by_line or not seg.complete or seg.junk_before or seg.is_junk:
                return end, count, False
            raw = scan.view[seg.start : seg.end]
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return end, count, False
            at = origin.offset + seg.start
            label = f"line {origin.lines + scan.line_of(seg.start)}, byte {at}"
            ctx = RecordContext(content_sha256, Position(label, at, origin.records + count), stats)
            count += 1
            end = seg.end
            yield self._convert_safely(obj, ctx, hashlib.sha256(raw).hexdigest(), len(raw))
        return end, count, True

    @staticmethod
    def _position(seg: Segment, index: int | None, line_of: Callable[[int], int], offset: int) -> Position:
        if seg.in_array:
            label = f"record {index}" if index is not None else "array element"
        else:
            label = f"line {line_of(seg.start)}"
        return Position(f"{label}, byte {offset + seg.start}", offset + seg.start, index)

    def rows(
        self, rows: Iterable[dict[str, Any]], content_sha256: str, stats: Stats | None = None, start: int = 0
    ) -> Iterator[Item]:
        """Records that arrive already parsed (Parquet rows), numbered from 0."""
        for i, row in enumerate(rows, start):
            raw = orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
            ctx = RecordContext(content_sha256, Position(f"row {i}", None, i), stats)
            yield self._convert_safely(row, ctx, hashlib.sha256(raw).hexdigest(), len(raw))
