"""The evaluation table: sealroom and, when run, a baseline side by side."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rich.table import Table

from sealroom.deid.base import LABELS

#: Targets of issue 4 on the gold set (metric name, minimum).
TARGETS: dict[str, tuple[str, float]] = {
    **{
        lab: ("recall_overlap", 0.995)
        for lab in ("EMAIL", "PHONE", "CREDIT_CARD", "US_SSN", "IBAN", "IP_ADDRESS", "URL")
    },
    "PERSON": ("recall_overlap", 0.97),
    "ADDRESS": ("recall_whole_span", 0.95),
}


def _fmt(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def comparison_table(results: Mapping[str, Mapping[str, Any]]) -> Table:
    """One row per label; for each system: recall (overlap / exact / whole span) and precision."""
    table = Table(title="De-identification evaluation (span level)")
    table.add_column("label")
    table.add_column("gold", justify="right")
    for system in results:
        for col in ("R overlap", "R exact", "R whole", "P overlap"):
            table.add_column(f"{system} {col}", justify="right")
    labels = sorted({lab for r in results.values() for lab in r["labels"]}, key=lambda x: (x not in LABELS, x))
    for label in labels:
        gold = next((r["labels"][label]["gold"] for r in results.values() if label in r["labels"]), 0)
        row = [label, str(gold)]
        for r in results.values():
            s = r["labels"].get(label)
            if s is None:
                row += ["—"] * 4
            else:
                row += [
                    _fmt(s[k]) for k in ("recall_overlap", "recall_exact", "recall_whole_span", "precision_overlap")
                ]
        table.add_row(*row)
    summary = (
        ("masking_recall", "masking recall (any label)"),
        ("entity_recall", "entity recall (all mentions)"),
        ("spurious_rate", "spurious span rate"),
    )
    for key, title in summary:
        row = [title, ""]
        for r in results.values():
            row += [_fmt(r[key]), "", "", ""]
        table.add_row(*row)
    return table


def target_check(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of the issue with the measured value and whether it is met."""
    out: dict[str, dict[str, Any]] = {}
    for label, (metric, minimum) in TARGETS.items():
        value = result["labels"].get(label, {}).get(metric, float("nan"))
        out[label] = {"metric": metric, "min": minimum, "value": value, "met": bool(value >= minimum)}
    out["spurious"] = {
        "metric": "spurious_rate",
        "max": 0.05,
        "value": result["spurious_rate"],
        "met": result["spurious_rate"] <= 0.05,
    }
    return out
