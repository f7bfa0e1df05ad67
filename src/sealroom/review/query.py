"""The review query language, parsed into a small AST (the same language on SQLite and PostgreSQL).

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | atom
    atom    := "(" or ")" | '"' phrase '"' | FIELD ":" value | word ["*"]

Fields: ``has:reproduction|signal|redaction|notes``, ``origin:user|pasted|continued|generated``,
``article:ID``, ``model:NAME``, ``date:2023``, ``date:2023-05``, ``date:2023-01..2023-06``,
``date:>=2023-05-01``, ``tag:NAME``, ``designation:confidential|aeo``, ``bates:ABC0000001``.
Words keep only letters and digits, exactly as the loader splits ``documents.search_text``, so
both engines see the same words and nothing in a query reaches either engine's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sealroom.errors import SealroomError

FIELDS = ("has", "origin", "article", "model", "date", "tag", "designation", "bates")
MAX_QUERY_CHARS = 2000
MAX_DEPTH = 32
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits: what both indexes see as words
_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"?|(?P<bare>[^\s()"]+))')


class QueryError(SealroomError):
    code = "query"
    exit_code = 2
    status_code = 400  # as an HTTP answer


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Phrase | Field | Not | And | Or


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        if m.group("lp"):
            out.append(("(", "("))
        elif m.group("rp"):
            out.append((")", ")"))
        elif m.group("phrase") is not None:
            out.append(("phrase", m.group("phrase")))
        elif m.group("bare"):
            out.append(("bare", m.group("bare")))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node | None:
        nodes = []
        while self.peek() is not None:
            node = self.or_()
            if node is not None:
                nodes.append(node)
            elif self.peek() is not None:
                self.i += 1  # a stray ")" or operator: skip it rather than fail
        return _and(nodes)

    def or_(self) -> Node | None:
        parts = [self.and_()]
        while self.peek() == ("bare", "OR"):
            self.i += 1
            parts.append(self.and_())
        kept = [p for p in parts if p is not None]
        if len(kept) > 1:
            return Or(tuple(kept))
        return kept[0] if kept else None

    def and_(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok != (")", ")") and tok != ("bare", "OR"):
            if tok == ("bare", "AND"):
                self.i += 1
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok == ("bare", "NOT") or (tok[0] == "bare" and tok[1].startswith("-") and len(tok[1]) > 1):
            if tok[1] == "NOT":
                self.i += 1
            else:
                self.tokens[self.i] = ("bare", tok[1][1:])
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"query nests deeper than {MAX_DEPTH} levels")
            child = self.unary()
            self.depth -= 1
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"query nests deeper than {MAX_DEPTH} levels")
            node = self.or_()
            if self.peek() == (")", ")"):
                self.i += 1
            self.depth -= 1
            return node
        if kind == "phrase":
            words = words_of(value)
            if not words:
                return None
            return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))
        name, sep, fvalue = value.partition(":")
        if sep and name.lower() in FIELDS and fvalue:
            return Field(name.lower(), fvalue)
        words = words_of(value)
        if not words:
            return None
        if len(words) > 1:  # "don't", "e-mail": adjacent words, as the indexer splits them
            return Phrase(tuple(words))
        return Term(words[0], prefix=value.endswith("*"))


def _and(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def parse(text: str) -> Node | None:
    """Parse a query; ``None`` means "everything" (an empty or all-punctuation query)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters")
    return _Parser(_tokens(text)).parse()


def has_text(node: Node | None) -> bool:
    if node is None or isinstance(node, Field):
        return False
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return False  # negated words select nothing to highlight
    return any(has_text(c) for c in node.children)


def positive_words(node: Node | None) -> list[str]:
    """Words worth highlighting (not under a NOT)."""
    if node is None or isinstance(node, Field | Not):
        return []
    if isinstance(node, Term):
        return [node.word]
    if isinstance(node, Phrase):
        return list(node.words)
    return [w for c in node.children for w in positive_words(c)]


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _date_bounds(value: str) -> tuple[datetime, datetime]:
    m = _DATE.match(value)
    if not m:
        raise QueryError("date filter wants YYYY, YYYY-MM or YYYY-MM-DD")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d:
            start = datetime(y, int(mo), int(d), tzinfo=UTC)
            end = datetime.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
        elif mo:
            start = datetime(y, int(mo), 1, tzinfo=UTC)
            end = datetime(y + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)
        else:
            start, end = datetime(y, 1, 1, tzinfo=UTC), datetime(y + 1, 1, 1, tzinfo=UTC)
    except ValueError:
        raise QueryError("date filter is not a calendar date") from None
    return start, end


def date_range(value: str) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` of a ``date:`` filter value."""
    for op in (">=", "<=", ">", "<"):
        if value.startswith(op):
            start, end = _date_bounds(value[len(op) :])
            return {">=": (start, None), ">": (end, None), "<=": (None, end), "<": (None, start)}[op]
    if ".." in value:
        lo, _, hi = value.partition("..")
        return (_date_bounds(lo)[0] if lo else None, _date_bounds(hi)[1] if hi else None)
    return _date_bounds(value)
