"""The nodes of a ``--where`` / ``--stratify`` expression, evaluated over an Arrow table.

Built only by the parser in :mod:`sealroom.sample.expr`; every node maps to a ``pyarrow.compute``
kernel, so evaluation is vectorized and nothing is ever executed as Python code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sealroom.errors import ConfigError

OPS = {"=": "equal", "==": "equal", "!=": "not_equal", "<>": "not_equal"}
OPS |= {"<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal"}


# ---- operands -------------------------------------------------------------------------------


class Operand:
    def evaluate(self, table: pa.Table) -> pa.Array | pa.ChunkedArray | pa.Scalar:
        raise NotImplementedError

    def columns(self) -> set[str]:
        return set()

    def value_type(self, schema: pa.Schema) -> pa.DataType | None:
        return None


@dataclass(frozen=True)
class Column(Operand):
    name: str

    def evaluate(self, table: pa.Table) -> pa.ChunkedArray:
        return table.column(self.name)

    def columns(self) -> set[str]:
        return {self.name}

    def value_type(self, schema: pa.Schema) -> pa.DataType:
        return schema.field(self.name).type

    def __str__(self) -> str:
        return self.name


def _ts_fn(fmt: str) -> Callable[[Any], Any]:
    return lambda a: pc.strftime(a, format=fmt)


def _len(a: Any) -> Any:
    return pc.list_value_length(a) if pa.types.is_list(a.type) or pa.types.is_large_list(a.type) else pc.utf8_length(a)


# name -> (function, accepts(type), result type)
FUNCTIONS: dict[str, tuple[Callable[[Any], Any], Callable[[pa.DataType], bool], pa.DataType]] = {
    "month": (_ts_fn("%Y-%m"), pa.types.is_timestamp, pa.string()),
    "date": (_ts_fn("%Y-%m-%d"), pa.types.is_timestamp, pa.string()),
    "year": (pc.year, pa.types.is_timestamp, pa.int64()),
    "len": (
        _len,
        lambda t: (
            pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_string(t) or pa.types.is_large_string(t)
        ),
        pa.int64(),
    ),
}


@dataclass(frozen=True)
class Call(Operand):
    func: str
    column: Column

    def evaluate(self, table: pa.Table) -> Any:
        fn = FUNCTIONS[self.func][0]
        return fn(self.column.evaluate(table))

    def columns(self) -> set[str]:
        return {self.column.name}

    def value_type(self, schema: pa.Schema) -> pa.DataType:
        return FUNCTIONS[self.func][2]

    def __str__(self) -> str:
        return f"{self.func}({self.column})"


@dataclass(frozen=True)
class Literal(Operand):
    value: str | int | float | bool

    def evaluate(self, table: pa.Table) -> Any:
        return self.value

    def __str__(self) -> str:
        return repr(self.value)


# ---- predicates -----------------------------------------------------------------------------


class Predicate:
    def evaluate(self, table: pa.Table) -> pa.ChunkedArray | pa.Array:
        raise NotImplementedError

    def columns(self) -> set[str]:
        raise NotImplementedError


def _kind(t: pa.DataType) -> str:
    """A short type name for messages (nested types print as pages of text)."""
    return "list" if pa.types.is_list(t) or pa.types.is_large_list(t) else "struct" if pa.types.is_struct(t) else str(t)


def _coerce(lit: Literal, target: pa.DataType | None, param: str, other: str) -> Any:
    """The literal as an Arrow scalar of the other side's type, or a ConfigError naming the parameter."""
    v = lit.value
    if target is None:
        return pa.scalar(v)
    is_text = pa.types.is_string(target) or pa.types.is_large_string(target)
    is_number = pa.types.is_integer(target) or pa.types.is_floating(target)
    if not (pa.types.is_timestamp(target) or is_text or is_number or pa.types.is_boolean(target)):
        raise ConfigError(f"{param}: {other} (a {_kind(target)} column) cannot be compared with a literal")
    fits = (
        (pa.types.is_boolean(target) and isinstance(v, bool))
        or (is_text and isinstance(v, str))
        or (is_number and isinstance(v, int | float) and not isinstance(v, bool))
        or (pa.types.is_timestamp(target) and isinstance(v, str))
    )
    if fits and pa.types.is_timestamp(target):
        try:
            d = datetime.fromisoformat(str(v))
        except ValueError:
            fits = False
        else:
            v = d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)
    if not fits:
        raise ConfigError(f"{param}: literal {lit.value!r} does not fit {other} (type {target})")
    return pa.scalar(v, type=target) if not is_number else pa.scalar(v)


@dataclass(frozen=True)
class Compare(Predicate):
    op: str
    left: Operand
    right: Operand
    schema: pa.Schema
    param: str

    def evaluate(self, table: pa.Table) -> Any:
        lt, rt = self.left.value_type(self.schema), self.right.value_type(self.schema)
        left = self.left.evaluate(table)
        right = self.right.evaluate(table)
        if isinstance(self.right, Literal):
            right = _coerce(self.right, lt, self.param, str(self.left))
        if isinstance(self.left, Literal):
            left = _coerce(self.left, rt, self.param, str(self.right))
        try:
            result = getattr(pc, OPS[self.op])(left, right)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
            raise ConfigError(f"{self.param}: cannot compare {self.left} with {self.right} ({lt} vs {rt})") from None
        if isinstance(result, pa.Scalar):  # literal vs literal: broadcast
            return pa.chunked_array([pa.array([result.as_py()] * table.num_rows, pa.bool_())])
        return result

    def columns(self) -> set[str]:
        return self.left.columns() | self.right.columns()


@dataclass(frozen=True)
class InList(Predicate):
    operand: Operand
    values: tuple[Literal, ...]
    negate: bool
    schema: pa.Schema
    param: str

    def evaluate(self, table: pa.Table) -> Any:
        t = self.operand.value_type(self.schema)
        data = self.operand.evaluate(table)
        scalars = [_coerce(v, t, self.param, str(self.operand)) for v in self.values]
        value_set = pa.array([s.as_py() for s in scalars], type=t)
        hit = pc.is_in(data, value_set=value_set)
        # SQL: a null operand gives null, not false
        hit = pc.if_else(pc.is_null(data), pa.scalar(None, pa.bool_()), hit)
        return pc.invert(hit) if self.negate else hit

    def columns(self) -> set[str]:
        return self.operand.columns()


@dataclass(frozen=True)
class IsNull(Predicate):
    operand: Operand
    negate: bool

    def evaluate(self, table: pa.Table) -> Any:
        r = pc.is_null(self.operand.evaluate(table))
        return pc.invert(r) if self.negate else r

    def columns(self) -> set[str]:
        return self.operand.columns()


@dataclass(frozen=True)
class BoolOp(Predicate):
    op: str  # "and" | "or" | "not"
    args: tuple[Predicate, ...]

    def evaluate(self, table: pa.Table) -> Any:
        vals = [a.evaluate(table) for a in self.args]
        if self.op == "not":
            return pc.invert(vals[0])
        fn = pc.and_kleene if self.op == "and" else pc.or_kleene
        out = vals[0]
        for v in vals[1:]:
            out = fn(out, v)
        return out

    def columns(self) -> set[str]:
        return set().union(*(a.columns() for a in self.args))
