"""Operators: what replaces a finding. ``pseudonymize``, ``redact``, ``generalize``, ``keep``.

An operator is a function ``(surface, entity, rule, ctx) -> replacement``, registered by name in
:data:`OPERATORS` (third-party operators through the ``sealroom.operators`` entry point).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sealroom.deid.pseudonyms import Entity, SurrogateFactory, match_case, name_tokens, split_affixes, tag
from sealroom.registry import Registry

if TYPE_CHECKING:
    from sealroom.deid.policy import LabelRule

SURROGATE_ATTEMPTS = 8


@dataclass(slots=True)
class OperatorContext:
    """Per-conversation state the operators share."""

    scope: str
    shift_days: int
    surrogates: SurrogateFactory | None = None
    #: case-folded tokens of every original value in the conversation: a surrogate must not reuse one
    original_tokens: set[str] = field(default_factory=set)
    used_surrogates: set[str] = field(default_factory=set)


Operator = Callable[[str, Entity, "LabelRule", OperatorContext], str]
OPERATORS: Registry[Operator] = Registry("operator", "sealroom.operators")


@OPERATORS.register("keep")
def keep(surface: str, entity: Entity, rule: LabelRule, ctx: OperatorContext) -> str:
    return surface


@OPERATORS.register("redact")
def redact(surface: str, entity: Entity, rule: LabelRule, ctx: OperatorContext) -> str:
    return rule.text if rule.text is not None else f"[{entity.label}]"


@OPERATORS.register("pseudonymize")
def pseudonymize(surface: str, entity: Entity, rule: LabelRule, ctx: OperatorContext) -> str:
    if rule.style == "tag" or ctx.surrogates is None:
        # "Ms. Smith's" → "Ms. [PERSON_1]'s": the title and possessive are grammar, not identity
        prefix, _, suffix = split_affixes(surface) if entity.label == "PERSON" else ("", "", "")
        return prefix + tag(entity, ctx.scope) + suffix
    full = entity.surrogate or _assign_surrogate(surface, entity, ctx)
    if full.startswith("["):  # no safe surrogate was found: the tag was assigned instead
        return full
    if entity.label not in ("PERSON", "ORGANIZATION", "LOCATION"):
        return full
    prefix, core, suffix = split_affixes(surface)
    value = full
    if entity.label == "PERSON":
        value = _name_part(name_tokens(core), entity.tokens, full.split())
    return prefix + match_case(core, value) + suffix


def _assign_surrogate(surface: str, entity: Entity, ctx: OperatorContext) -> str:
    """A surrogate differing from every original value of the conversation (token-wise for names)
    and from other entities' surrogates; the tag when none is found."""
    assert ctx.surrogates is not None
    for attempt in range(SURROGATE_ATTEMPTS):
        candidate = ctx.surrogates.make(entity.label, surface, entity.digest, attempt)
        tokens = {t.casefold() for t in re.findall(r"\w+", candidate) if len(t) > 2}
        if candidate.casefold() in ctx.used_surrogates or candidate.casefold() == entity.canonical:
            continue
        if entity.label in ("PERSON", "ORGANIZATION", "LOCATION") and tokens & ctx.original_tokens:
            continue
        entity.surrogate = candidate
        ctx.used_surrogates.add(candidate.casefold())
        return candidate
    entity.surrogate = tag(entity, ctx.scope)
    return entity.surrogate


def _name_part(mention: list[str], full: list[str], surrogate: list[str]) -> str:
    """The surrogate's parts that stand where the mention's parts stand in the full name:
    "Jane" of "Jane Smith" → the surrogate's first name, "Smith" → its last name."""
    if len(full) == 1 and surrogate:
        return surrogate[0]  # a one-word name ("Bob") gets a one-word surrogate
    if not mention or mention == full or not surrogate:
        return " ".join(surrogate)
    out = []
    for tok in mention:
        if tok not in full:
            return " ".join(surrogate)
        i = full.index(tok)
        j = 0 if i == 0 else len(surrogate) - 1 if i == len(full) - 1 else min(i, len(surrogate) - 1)
        out.append(surrogate[j])
    return " ".join(out)


@OPERATORS.register("generalize")
def generalize(surface: str, entity: Entity, rule: LabelRule, ctx: OperatorContext) -> str:
    if entity.label == "AGE":
        return age_band(surface, rule.band)
    if entity.label == "DATE":
        return generalize_date(surface, rule.mode, rule.granularity, ctx.shift_days)
    return f"[{entity.label}]"  # nothing coarser to say about a name or a number: redact it


_BAND = re.compile(r"\b\d{1,3}\s*[-–]\s*\d{1,3}\b")
_NUMBER = re.compile(r"\d{1,3}(?!\d)")


def age_band(surface: str, width: int) -> str:
    """ "34 years old" → "30-39 years old"; a band already there is left as it is (idempotent)."""
    if _BAND.search(surface):
        return surface
    m = _NUMBER.search(surface)
    if m is None or int(m.group(0)) > 125:
        return "[AGE]"
    lo = int(m.group(0)) // width * width
    band = f"{lo}-{lo + width - 1}" if width > 1 else str(lo)
    return surface[: m.start()] + band + surface[m.end() :]


_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTH_NO = {m: i + 1 for i, m in enumerate(_MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}
_MON = r"(?P<mon>" + "|".join(sorted(_MONTH_NO, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")),
    ("num", re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})")),
    ("mdy", re.compile(_MON + r"\s+(?P<d>\d{1,2})" + _ORD + r",?\s+(?P<y>\d{4})", re.I)),
    ("dmy", re.compile(r"(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MON + r",?\s+(?P<y>\d{4})", re.I)),
    ("my", re.compile(_MON + r",?\s+(?P<y>\d{4})", re.I)),
    ("md", re.compile(_MON + r"\s+(?P<d>\d{1,2})" + _ORD, re.I)),
    ("dm", re.compile(r"(?P<d>\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MON, re.I)),
    ("ym", re.compile(r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})")),
    ("my_num", re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})")),
    ("y", re.compile(r"(?P<y>\d{4})")),
    ("mon", re.compile(_MON, re.I)),
]


def _month_name(template: str, month: int) -> str:
    name = _MONTHS[month - 1]
    if template.lower().rstrip(".") not in _MONTHS:  # "Mar", "Sept": the input abbreviated
        name = name[:3]
    return match_case(template, name.title())


def generalize_date(surface: str, mode: str, granularity: str, shift_days: int) -> str:
    """Shift a date by the conversation's offset (keeping its format), or coarsen it to month or
    year; text that does not parse as a date is redacted (a date of birth must not survive)."""
    text = surface.strip()
    for kind, rx in _DATE_FORMS:
        m = rx.fullmatch(text)
        if m is None:
            continue
        try:
            out = _generalize(kind, m, mode, granularity, shift_days)
        except ValueError:  # 2024-02-31 and the like: not a date after all
            return "[DATE]"
        return surface[: len(surface) - len(surface.lstrip())] + out + surface[len(surface.rstrip()) :]
    return "[DATE]"


def _generalize(kind: str, m: re.Match[str], mode: str, gran: str, shift: int) -> str:
    g = m.groupdict()
    mon_t = g.get("mon") or ""
    if kind == "y" or (kind == "mon" and mode == "coarsen" and gran == "month"):
        return m.group(0)
    if kind == "mon":
        return "[DATE]" if mode == "coarsen" else m.group(0)
    year = int(g["y"]) if g.get("y") else 2000  # 2000 is a leap year: "Feb 29" without a year works
    if kind in ("num",) and len(g["y"]) == 2:
        year += 2000 if year < 70 else 1900
    if kind == "num":
        a, b = int(g["a"]), int(g["b"])
        month, day = (b, a) if g["sep"] == "." or a > 12 else (a, b)
    elif kind in ("ymd", "ym", "my_num"):
        month, day = int(g["m"]), int(g.get("d") or 15)
    else:
        month, day = _MONTH_NO[mon_t.lower().rstrip(".")], int(g.get("d") or 15)
    d = date(year, month, day)
    if mode == "shift":
        d = d + timedelta(days=shift)
    elif gran == "year":
        return str(d.year) if g.get("y") else "[DATE]"
    has_day = kind not in ("ym", "my_num", "my")
    if mode == "coarsen" or not has_day:
        if kind in ("ymd", "ym"):
            return f"{d.year:04d}{g['sep']}{d.month:02d}"
        if kind in ("num", "my_num"):
            return f"{d.month:02d}/{d.year:04d}"
        name = _month_name(mon_t, d.month)
        return f"{name} {d.year}" if g.get("y") else name
    if kind == "ymd":
        return f"{d.year:04d}{g['sep']}{d.month:02d}{g['sep']}{d.day:02d}"
    if kind == "num":
        a, b = (d.day, d.month) if g["sep"] == "." or int(g["a"]) > 12 else (d.month, d.day)
        y = f"{d.year % 100:02d}" if len(g["y"]) == 2 else f"{d.year:04d}"
        return f"{a:02d}{g['sep']}{b:02d}{g['sep']}{y}"
    name = _month_name(mon_t, d.month)
    if kind == "mdy":
        return f"{name} {d.day}, {d.year}"
    if kind == "dmy":
        return f"{d.day} {name} {d.year}"
    return f"{name} {d.day}" if kind == "md" else f"{d.day} {name}"


def generalize_timestamp(ts: datetime | None, mode: str, shift_days: int) -> datetime | None:
    """Metadata timestamps: kept, shifted, dropped or truncated to hour/day/month/year."""
    if ts is None or mode == "keep":
        return ts
    if mode == "drop":
        return None
    if mode == "shift":
        return ts + timedelta(days=shift_days)
    ts = ts.replace(minute=0, second=0, microsecond=0)
    if mode in ("day", "month", "year"):
        ts = ts.replace(hour=0)
    if mode in ("month", "year"):
        ts = ts.replace(day=1)
    if mode == "year":
        ts = ts.replace(month=1)
    return ts
