"""Assembling the report: every released table, the protections that applied, and the outputs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sealroom import __version__
from sealroom.classify.taxonomy import load_taxonomy
from sealroom.dataset.files import write_json_atomic
from sealroom.dataset.location import Location, location
from sealroom.report.aggregate import UNKNOWN, Budget, breakdown, reproduction_prevalence, safe_label, user_of
from sealroom.report.dp import KEY_RELEASE_DELTA, DPConfig
from sealroom.report.inputs import load_rows
from sealroom.report.ledger import PrivacyLedger
from sealroom.report.privacy import PrivacyConfig
from sealroom.report.sampling import read_sampling_report

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
#: Noised vectors in one report (users and conversations for each of ten tables); ε is split evenly.
RELEASES = 20
TOP_ARTICLES = 20
#: Tables whose keys may be an open vocabulary (topic: with a custom taxonomy). Under DP each costs
#: KEY_RELEASE_DELTA, charged to the ledger before the report is computed, so all are counted.
OPEN_VOCABULARY_TABLES = ("topic", "language", "month", "model", "top_articles", "news_signals")


def report_delta(dp: DPConfig) -> float:
    """The report's total δ: the mechanism's own (Gaussian) plus every possible key release."""
    return dp.delta + len(OPEN_VOCABULARY_TABLES) * KEY_RELEASE_DELTA


@dataclass(frozen=True, slots=True)
class ReportResult:
    out_dir: Path
    json_path: Path
    html_path: Path
    report: dict[str, Any]


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if value is not None else UNKNOWN


def compute_report(
    rows: list[dict[str, Any]],
    inputs: dict[str, Any],
    privacy: PrivacyConfig,
    dp: DPConfig | None,
    sampling_report: str | os.PathLike[str] | Location | None,
) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    budget = Budget(dp, RELEASES)
    design = read_sampling_report(sampling_report) if sampling_report is not None else None
    if design is not None:
        inputs["sampling_report"] = {"sha256": design.sha256}
    users = [user_of(r) for r in rows]
    labels = inputs.get("labels", {}).get("config", {}).get("taxonomy", {})
    topic_domain: list[str] | None = list(taxonomy.topic_names)
    if labels and labels.get("sha256") != taxonomy.source_sha256:
        # a custom taxonomy: its topics are an open vocabulary here (thresholded like months)
        topic_domain = None

    def table(name: str, values: list[Any], **kw: Any) -> dict[str, Any]:
        return breakdown(name, zip(users, values, strict=True), privacy, budget, **kw)

    def multi(name: str, key: str, **kw: Any) -> dict[str, Any]:
        pairs = [(u, safe_label(v)) for u, r in zip(users, rows, strict=True) for v in r[key]]
        return breakdown(name, pairs, privacy, budget, **kw)

    totals = table("totals", ["all"] * len(rows), domain=["all"])
    usage = {
        "topic": table("topic", [str(r["topic"]) for r in rows], domain=topic_domain, label=taxonomy.label),
        "intent": table(
            "intent", [str(r["intent"]) for r in rows], domain=list(taxonomy.intent_names), label=taxonomy.label
        ),
        "work_related": table(
            "work_related",
            ["work" if r["work_related"] else "non-work" for r in rows],
            domain=["work", "non-work"],
        ),
        "language": table("language", [safe_label(r.get("language")) for r in rows]),
        "month": table("month", [_month(r.get("created_at")) for r in rows]),
        "model": table("model", [safe_label(r.get("model")) for r in rows]),
    }
    usage["month"]["rows"].sort(key=lambda r: r["label"])
    reproduction = reproduction_prevalence(rows, privacy, budget, design)
    articles = multi("top_articles", "article_ids", limit=TOP_ARTICLES)
    signals = multi("news_signals", "signals")
    total_row = totals["rows"][0] if totals["rows"] else None
    suppressed = sum(t["suppressed_cells"] or 0 for t in (*usage.values(), articles, signals, totals))
    suppressed += sum(1 for o in reproduction["by_origin"] if o["suppressed"])
    dp_section: dict[str, Any] = {"applied": False}
    if dp is not None:
        unexpected = set(budget.key_releases) - set(OPEN_VOCABULARY_TABLES)
        if unexpected:  # the ledger was charged for OPEN_VOCABULARY_TABLES only
            raise RuntimeError(f"key releases not accounted for in the charged delta: {sorted(unexpected)}")
        dp_section = {
            "applied": True,
            "library": "OpenDP",
            "mechanism": dp.mechanism,
            "epsilon": dp.epsilon,
            "delta": dp.delta,
            "delta_total": report_delta(dp),
            "composition": f"basic: split evenly over {RELEASES} noised count vectors",
            "releases": budget.spent,
            "open_vocabulary_keys": (
                f"months, models, languages, articles and signals appear only when their noisy user count clears "
                f"the minimum group size plus the noise tail at delta {KEY_RELEASE_DELTA:g} per table "
                f"(each table lists its threshold); delta_total charges this for all {len(OPEN_VOCABULARY_TABLES)} "
                "tables that can have open keys"
            ),
            "note": (
                "confidence intervals reflect sampling error only; the DP noise scale of each count is listed; "
                "the number of suppressed open-vocabulary values is not stated (it would be an exact count)"
            ),
        }
    return {
        "format": "sealroom.report/1",
        "code_version": __version__,
        "inputs": inputs,
        "protections": {
            **privacy.to_dict(),
            "suppressed_cells": suppressed,
            "differential_privacy": dp_section,
            "identifiers": (
                "no conversation id, user key, text or pseudonym is written; labels outside fixed vocabularies "
                "appear only when they pass the minimum group size and look like labels"
            ),
        },
        "totals": {"users": total_row["users"], "conversations": total_row["conversations"]} if total_row else None,
        "usage": usage,
        "reproduction": reproduction,
        "top_articles": articles,
        "news_signals": signals,
    }


def build_report(
    data: str | os.PathLike[str] | Location,
    out: Path,
    *,
    hits: str | os.PathLike[str] | Location | None = None,
    labels: str | os.PathLike[str] | Location | None = None,
    sampling_report: str | os.PathLike[str] | Location | None = None,
    min_group_size: int = 50,
    dp_epsilon: float | None = None,
    budget_ledger: Path | None = None,
    dp_delta: float = 0.0,
    dp_mechanism: str = "laplace",
    budget_epsilon: float | None = None,
    budget_delta: float | None = None,
    max_cells_per_user: int = 5,
    max_conversations_per_user: int = 10,
) -> ReportResult:
    """Aggregate ``data`` (+ classify ``labels``, scan ``hits``) into ``out/report.json`` and
    ``out/report.html``. With ``dp_epsilon`` counts are noised through OpenDP and, with a
    ``budget_ledger``, the spend (ε, and δ including the key releases) is recorded first (refused
    when it would exceed the budget). A new ledger's δ budget defaults to as many releases as its ε
    budget allows.

    The input datasets (``data``, ``hits``, ``labels``) and the ``sampling_report`` inside a sample
    dataset may be object-storage URLs; ``out`` and the ledger are local."""
    from sealroom.report.render import render_html

    privacy = PrivacyConfig(min_group_size, max_cells_per_user, max_conversations_per_user)
    dp = DPConfig(dp_epsilon, dp_delta, dp_mechanism) if dp_epsilon is not None else None
    rows, inputs = load_rows(
        location(data),
        location(labels) if labels is not None else None,
        location(hits) if hits is not None else None,
    )
    ledger_state = None
    if dp is not None and budget_ledger is not None:
        # a new ledger without a stated budget gets exactly this release's: nothing more can be
        # spent against it until someone deliberately starts a ledger with a larger budget
        delta = report_delta(dp)
        if not Path(budget_ledger).exists():
            if budget_epsilon is None:
                budget_epsilon = dp.epsilon
            if budget_delta is None:
                budget_delta = delta * budget_epsilon / dp.epsilon
        ledger = PrivacyLedger.open(budget_ledger, budget_epsilon=budget_epsilon, budget_delta=budget_delta or 0.0)
        fingerprints = [str(v.get("fingerprint", "")) for v in inputs.values() if isinstance(v, dict)]
        ledger_state = ledger.charge(
            epsilon=dp.epsilon, delta=delta, release=f"report:{Path(out).name}", inputs=fingerprints
        )
    report = compute_report(rows, inputs, privacy, dp, sampling_report)
    if ledger_state is not None:
        report["protections"]["differential_privacy"]["ledger"] = ledger_state
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / REPORT_JSON, out / REPORT_HTML
    write_json_atomic(json_path, report)
    html = render_html(report)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(html_path)
    return ReportResult(out, json_path, html_path, report)
