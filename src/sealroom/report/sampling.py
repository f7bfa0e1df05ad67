"""Reading ``sampling_report.json`` (from ``sealroom sample``) defensively, by field name.

What the report needs from it: the population size per stratum and how a conversation maps to its
stratum (the ``--stratify`` field). Unknown layouts degrade to "no population scaling" with a note,
never to a wrong figure.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from sealroom.dataset.location import Location, location
from sealroom.errors import InputError

_LABEL_KEYS = ("stratum", "label", "name", "value", "key")
_POP_KEYS = ("population", "eligible", "population_size", "N")
_FIELD_KEYS = ("stratify", "stratum_field", "strata_field", "stratified_by")


@dataclass(slots=True)
class SamplingDesign:
    #: stratum label -> population size; one entry under ``None`` when unstratified
    populations: dict[str | None, int]
    #: the stratify expression (``month(created_at)``, a column name) or None
    field: str | None
    sha256: str
    notes: list[str] = field(default_factory=list)

    @property
    def total_population(self) -> int:
        return sum(self.populations.values())


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        for key in ("total", "eligible", "population", "count"):
            if key in value:
                return _int(value[key])
    return None


def _label(value: Any) -> str | None:
    """Sample writes stratum labels as JSON text ('"2023-05"'); accept plain values too."""
    if value is None:
        return None
    text = str(value)
    if text.startswith('"') and text.endswith('"'):
        try:
            return str(json.loads(text))
        except ValueError:
            return text
    return None if text in ("null", "*", "__all__", "all") else text


def _find_field(data: dict[str, Any]) -> str | None:
    for scope in (data, data.get("config") or {}, data.get("design") or {}):
        if isinstance(scope, dict):
            for key in _FIELD_KEYS:
                if isinstance(scope.get(key), str) and scope[key]:
                    return scope[key]
    return None


def read_sampling_report(path: str | os.PathLike[str] | Location) -> SamplingDesign:
    """``path`` may be remote: the report sits in the sample's dataset folder, wherever that lives."""
    try:
        raw = location(path).read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        raise InputError(f"{path} is not a readable JSON sampling report") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a sampling report (top level is not an object)")
    digest = hashlib.sha256(raw).hexdigest()
    strata = data.get("strata")
    populations: dict[str | None, int] = {}
    if isinstance(strata, dict):
        strata = [{"stratum": k, **(v if isinstance(v, dict) else {"population": v})} for k, v in strata.items()]
    if isinstance(strata, list):
        for s in strata:
            if not isinstance(s, dict):
                continue
            label = _label(next((s[k] for k in _LABEL_KEYS if k in s), None))
            pop = next((_int(s[k]) for k in _POP_KEYS if k in s and _int(s[k]) is not None), None)
            if pop is not None:
                populations[label] = populations.get(label, 0) + pop
    field_expr = _find_field(data)
    notes: list[str] = []
    if not populations:
        total = next((_int(data[k]) for k in _POP_KEYS if k in data and _int(data[k]) is not None), None)
        if total is None:
            raise InputError(f"{path}: no population size found (looked for strata[].population and population)")
        populations = {None: total}
    if len(populations) == 1:
        populations = {None: next(iter(populations.values()))}
        field_expr = None
    elif field_expr is None:
        notes.append("the sampling report names no stratify field; strata were pooled")
        populations = {None: sum(populations.values())}
    return SamplingDesign(populations, field_expr, digest, notes)


def stratum_of(design: SamplingDesign, row: dict[str, Any]) -> str | None:
    """The stratum label of one classified row under the design (None when unstratified)."""
    if design.field is None:
        return None
    expr = design.field.replace(" ", "")
    if expr.startswith("month(") and expr.endswith(")"):
        value = row.get(expr[6:-1])
        return value.strftime("%Y-%m") if value is not None else None
    if expr.startswith("year(") and expr.endswith(")"):
        value = row.get(expr[5:-1])
        return value.strftime("%Y") if value is not None else None
    if expr.startswith("date(") and expr.endswith(")"):
        value = row.get(expr[5:-1])
        return value.strftime("%Y-%m-%d") if value is not None else None
    value = row.get(expr)
    return None if value is None else str(value)
