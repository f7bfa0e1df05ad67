"""A small, safe filter language for ``--where`` and derived fields for ``--stratify``.

Nothing is evaluated as Python: a hand-written tokenizer and recursive-descent parser build a tree
of comparison nodes, which is evaluated over an Arrow table with ``pyarrow.compute``. Grammar:

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := operand OP operand | operand ["not"] "in" "(" literal ("," literal)* ")"
                | operand "is" ["not"] "null"
    operand    := column | FUNC "(" column ")" | literal
    OP         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    FUNC       := month | year | date | len
    literal    := 'text' | "text" | number | true | false

``month(created_at)`` is "YYYY-MM" (UTC), ``year`` an integer, ``date`` "YYYY-MM-DD", ``len`` the
number of messages (or characters of a text column). A string literal compared with a timestamp
column is read as an ISO date or date-time (UTC unless it says otherwise). Comparisons with a null
value are null (SQL semantics); the sampler counts rows whose filter is null separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from sealroom.errors import ConfigError
from sealroom.sample.predicates import (
    FUNCTIONS,
    BoolOp,
    Call,
    Column,
    Compare,
    InList,
    IsNull,
    Literal,
    Operand,
    Predicate,
)

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?)
      | (?P<str>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<op><=|>=|==|!=|<>|=|<|>)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    value: str
    pos: int


def _tokenize(text: str, param: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise ConfigError(
                f"{param}: unexpected character {text[start]!r} at offset {start}; only comparisons "
                "(= != < <= > >=, in, is null) joined by and/or/not are allowed"
            )
        kind = m.lastgroup or ""
        value = m.group(kind)
        toks.append(_Tok(kind, value, m.start(kind)))
        pos = m.end()
    toks.append(_Tok("end", "", len(text)))
    return toks


# ---- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, schema: pa.Schema, param: str) -> None:
        self.text = text
        self.schema = schema
        self.param = param
        self.toks = _tokenize(text, param)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_kw(self, word: str) -> bool:
        t = self.peek()
        return t.kind == "name" and t.value.lower() == word

    def fail(self, what: str, tok: _Tok | None = None) -> ConfigError:
        tok = tok or self.peek()
        where = "end of expression" if tok.kind == "end" else f"offset {tok.pos}"
        return ConfigError(f"{self.param}: {what} at {where}")

    def expect_punct(self, value: str) -> None:
        t = self.take()
        if t.kind != "punct" or t.value != value:
            raise self.fail(f"expected {value!r}", t)

    def parse_predicate(self) -> Predicate:
        node = self.parse_or()
        if self.peek().kind != "end":
            raise self.fail("unexpected token")
        return node

    def parse_or(self) -> Predicate:
        args = [self.parse_and()]
        while self.is_kw("or"):
            self.take()
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else BoolOp("or", tuple(args))

    def parse_and(self) -> Predicate:
        args = [self.parse_not()]
        while self.is_kw("and"):
            self.take()
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else BoolOp("and", tuple(args))

    def parse_not(self) -> Predicate:
        if self.is_kw("not"):
            self.take()
            return BoolOp("not", (self.parse_not(),))
        t = self.peek()
        if t.kind == "punct" and t.value == "(":
            self.take()
            node = self.parse_or()
            self.expect_punct(")")
            return node
        return self.parse_comparison()

    def parse_comparison(self) -> Predicate:
        left = self.parse_operand()
        t = self.peek()
        if t.kind == "op":
            self.take()
            right = self.parse_operand()
            if isinstance(left, Literal) and isinstance(right, Literal):
                raise self.fail("a comparison needs a column on one side", t)
            return Compare(t.value, left, right, self.schema, self.param)
        if self.is_kw("is"):
            self.take()
            negate = self.is_kw("not")
            if negate:
                self.take()
            if not self.is_kw("null"):
                raise self.fail("expected 'null' after 'is'")
            self.take()
            return IsNull(left, negate)
        negate = self.is_kw("not")
        if negate:
            self.take()
        if self.is_kw("in"):
            self.take()
            self.expect_punct("(")
            values = [self.parse_literal()]
            while self.peek().kind == "punct" and self.peek().value == ",":
                self.take()
                values.append(self.parse_literal())
            self.expect_punct(")")
            return InList(left, tuple(values), negate, self.schema, self.param)
        raise self.fail("expected a comparison operator (= != < <= > >=, in, is null)")

    def parse_literal(self) -> Literal:
        t = self.take()
        if t.kind == "num":
            return Literal(float(t.value) if "." in t.value else int(t.value))
        if t.kind == "str":
            q = t.value[0]
            return Literal(t.value[1:-1].replace(q + q, q))
        if t.kind == "name" and t.value.lower() in ("true", "false"):
            return Literal(t.value.lower() == "true")
        raise self.fail("expected a literal (text, number, true or false)", t)

    def parse_operand(self) -> Operand:
        t = self.peek()
        if t.kind in ("num", "str") or (t.kind == "name" and t.value.lower() in ("true", "false")):
            return self.parse_literal()
        if t.kind != "name" or t.value.lower() in _KEYWORDS:
            raise self.fail("expected a column, a function of a column, or a literal")
        self.take()
        nxt = self.peek()
        if nxt.kind == "punct" and nxt.value == "(":
            return self.parse_call(t)
        return self.column(t)

    def parse_call(self, name_tok: _Tok) -> Call:
        func = name_tok.value.lower()
        if func not in FUNCTIONS:
            raise self.fail(f"unknown function {name_tok.value!r} (known: {', '.join(sorted(FUNCTIONS))})", name_tok)
        self.expect_punct("(")
        arg = self.take()
        if arg.kind != "name" or arg.value.lower() in _KEYWORDS:
            raise self.fail(f"{func}() takes one column name", arg)
        col = self.column(arg)
        self.expect_punct(")")
        col_type = self.schema.field(col.name).type
        if not FUNCTIONS[func][1](col_type):
            raise self.fail(f"{func}() does not apply to column {col.name!r} of type {col_type}", arg)
        return Call(func, col)

    def column(self, tok: _Tok) -> Column:
        if tok.value not in self.schema.names:
            raise ConfigError(
                f"{self.param}: unknown column {tok.value!r} at offset {tok.pos} "
                f"(columns: {', '.join(self.schema.names)})"
            )
        return Column(tok.value)


#: columns whose values are user-written text: never strata (their values would be copied into the report)
PRIVATE_TEXT_COLUMNS = frozenset({"title", "metadata_json"})


def parse_where(text: str, schema: pa.Schema, param: str = "--where") -> Predicate:
    """Parse a filter expression against ``schema``; every error is a ConfigError naming ``param``."""
    if not text or not text.strip():
        raise ConfigError(f"{param}: the expression is empty")
    return _Parser(text, schema, param).parse_predicate()


def parse_field(text: str, schema: pa.Schema, param: str = "--stratify") -> Column | Call:
    """Parse a stratum field: a column name or a function of one (``month(created_at)``)."""
    if not text or not text.strip():
        raise ConfigError(f"{param}: the field is empty")
    p = _Parser(text, schema, param)
    op = p.parse_operand()
    if p.peek().kind != "end":
        raise p.fail("unexpected token after the field")
    if isinstance(op, Literal):
        raise ConfigError(f"{param}: expected a column or a function of a column, got a literal")
    if op.columns() & PRIVATE_TEXT_COLUMNS and isinstance(op, Column):
        raise ConfigError(
            f"{param}: {text.strip()!r} holds conversation text; strata values are written to the sampling "
            "report, which leaves the hold"
        )
    t = op.value_type(schema)
    if pa.types.is_nested(t):
        raise ConfigError(f"{param}: column {text.strip()!r} holds nested values; stratify on a scalar column")
    assert isinstance(op, Column | Call)
    return op


def stratum_values(field: Column | Call, table: pa.Table) -> pa.ChunkedArray:
    """The stratum of every row as text (null stays null), so strata from any column type compare."""
    values = field.evaluate(table)
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    return values
