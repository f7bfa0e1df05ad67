"""The self-contained HTML report: one file, inline CSS, plots as data URIs, no external URL."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import jinja2

from sealroom.report.plots import bar_chart, column_chart, interval_chart


def _plots(report: dict[str, Any]) -> dict[str, str | None]:
    plots: dict[str, str | None] = {}
    for name, table in report["usage"].items():
        rows = table["rows"]
        if not rows:
            plots[name] = None
        elif name == "month":
            plots[name] = column_chart(
                "Conversations by month",
                [r["label"] for r in rows],
                [r["conversations"] for r in rows],
                "conversations",
            )
        else:
            title = f"Conversations by {name.replace('_', ' ')}"
            plots[name] = bar_chart(
                title, [r["label"] for r in rows], [r["conversations"] for r in rows], "conversations"
            )
    shown = [o for o in report["reproduction"]["by_origin"] if not o["suppressed"]]
    plots["reproduction"] = (
        interval_chart(
            "Conversations reproducing publisher text",
            [o["origin"] for o in shown],
            [o["proportion"] for o in shown],
            [o["low"] for o in shown],
            [o["high"] for o in shown],
        )
        if shown
        else None
    )
    return plots


def render_html(report: dict[str, Any]) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(files("sealroom.report").joinpath("template.html").read_text(encoding="utf-8"))
    return template.render(
        r=report,
        p=report["protections"],
        dp=report["protections"]["differential_privacy"],
        plots=_plots(report),
    )
