"""Plots as base64 PNG data URIs (matplotlib, Agg): the HTML report needs no file or network."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOR = "#2f5d8a"


def _data_uri(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    # no metadata: the PNG carries only pixels (no software/version strings, byte-stable)
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], xlabel: str) -> str:
    height = max(1.6, 0.35 * len(labels) + 0.8)
    fig, ax = plt.subplots(figsize=(6.4, height))
    ax.barh(list(range(len(labels)))[::-1], values, color=COLOR)
    ax.set_yticks(list(range(len(labels)))[::-1], labels)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)


def column_chart(title: str, labels: Sequence[str], values: Sequence[float], ylabel: str) -> str:
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * len(labels) + 1.5), 3.0))
    ax.bar(range(len(labels)), values, color=COLOR)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)


def interval_chart(
    title: str, labels: Sequence[str], points: Sequence[float], lows: Sequence[float], highs: Sequence[float]
) -> str:
    """Point estimates (as percentages) with their confidence intervals."""
    fig, ax = plt.subplots(figsize=(6.4, max(1.6, 0.45 * len(labels) + 0.8)))
    ys = list(range(len(labels)))[::-1]
    p = [100 * v for v in points]
    err = [
        [100 * (v - lo) for v, lo in zip(points, lows, strict=True)],
        [100 * (hi - v) for v, hi in zip(points, highs, strict=True)],
    ]
    ax.errorbar(p, ys, xerr=err, fmt="o", color=COLOR, capsize=4)
    ax.set_yticks(ys, labels)
    ax.set_xlabel("% of conversations (95% CI)")
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlim(left=0)
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)
