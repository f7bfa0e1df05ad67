"""From classified rows to the released figures: bounded, optionally noised, then suppressed.

Order matters for privacy: counts are bounded per user first, noise (when DP is on) is added to
the bounded counts, and suppression is decided on the *noisy* counts, so the threshold itself
does not leak exact values. Fixed vocabularies (taxonomy topics, intents, origins) are released
over their whole domain; open ones (months, models, articles, signals) show a value only when it
passes the minimum group size.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sealroom.report.dp import DPConfig, key_release_threshold, noisy_counts
from sealroom.report.privacy import Cell, PrivacyConfig, bounded_counts
from sealroom.report.sampling import SamplingDesign, stratum_of
from sealroom.scan.schema import ORIGINS
from sealroom.stats import Estimate, Stratum, prevalence, stratified_prevalence

#: Labels from open vocabularies (model names, article ids, signal names) must look like labels:
#: anything else (free text, a pseudonym such as "[PERSON_1]") is shown as this placeholder.
SAFE_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+/ -]{0,79}$")
PSEUDONYM = re.compile(r"\[[A-Z][A-Z_]*_[0-9A-Za-z]+\]")
UNRECOGNIZED = "(unrecognized label)"
UNKNOWN = "unknown"
ANY_ORIGIN = "any"


def safe_label(value: object) -> str:
    if value is None:
        return UNKNOWN
    text = str(value)
    if not SAFE_LABEL.match(text) or PSEUDONYM.search(text):
        return UNRECOGNIZED
    return text


def user_of(row: dict[str, Any]) -> str:
    """The counting unit: the user key, or the conversation itself when it has none."""
    key = row.get("user_key")
    return f"u:{key}" if key else f"c:{row['conversation_id']}"


@dataclass(slots=True)
class Budget:
    """Splits the report's ε (and δ) evenly over its noised vectors, and records what was used."""

    dp: DPConfig | None
    releases: int
    spent: list[dict[str, Any]] = field(default_factory=list)
    #: tables whose keys were released under DP, each at δ = KEY_RELEASE_DELTA
    key_releases: list[str] = field(default_factory=list)

    def share(self) -> tuple[float, float]:
        assert self.dp is not None
        return self.dp.epsilon / self.releases, self.dp.delta / self.releases

    def noise(self, name: str, counts: Sequence[int], l1: int, linf: int) -> list[int]:
        if self.dp is None:
            return list(counts)
        eps, delta = self.share()
        noisy, scale = noisy_counts(counts, self.dp.mechanism, l1, linf, eps, delta)
        self.spent.append(
            {"release": name, "mechanism": self.dp.mechanism, "epsilon": eps, "delta": delta, "scale": round(scale, 6)}
        )
        return noisy


def breakdown(
    name: str,
    pairs: Iterable[tuple[Hashable, Hashable]],
    privacy: PrivacyConfig,
    budget: Budget,
    domain: Sequence[str] | None = None,
    label: Callable[[Hashable], str] = str,
    limit: int | None = None,
) -> dict[str, Any]:
    """One released table: rows of ``{label, users, conversations, share}`` plus what was suppressed."""
    cells = bounded_counts(pairs, privacy)
    keys: list[Hashable] = list(domain) if domain is not None else sorted(cells, key=str)
    users = [cells.get(k, Cell()).users for k in keys]
    convs = [cells.get(k, Cell()).conversations for k in keys]
    # a user touches at most L cells, and never more cells than a fixed domain has
    touched = min(privacy.max_cells_per_user, len(keys)) if domain is not None else privacy.max_cells_per_user
    per_cell = privacy.max_conversations_per_user
    users = budget.noise(f"{name}.users", users, max(touched, 1), 1)
    convs = budget.noise(f"{name}.conversations", convs, max(touched, 1) * per_cell, per_cell)
    threshold: float = privacy.min_group_size
    if budget.dp is not None and domain is None:
        threshold = key_release_threshold(budget.dp.mechanism, budget.spent[-2]["scale"], privacy.min_group_size)
        budget.key_releases.append(name)
    rows = []
    suppressed = 0
    for k, u, c in zip(keys, users, convs, strict=True):
        if u < threshold:
            # a fixed-domain category with no users at all is not a disclosure; it is just absent
            suppressed += 1 if (domain is None or cells.get(k) is not None or budget.dp is not None) else 0
            continue
        rows.append({"label": label(k), "users": u, "conversations": c})
    total = sum(r["conversations"] for r in rows)
    for r in rows:
        r["share"] = round(r["conversations"] / total, 4) if total else 0.0
    if domain is None:
        rows.sort(key=lambda r: (-r["users"], r["label"]))
    if limit is not None:
        rows = rows[:limit]
    # under DP, how many open-vocabulary values fell short would be an exact, un-noised count
    stated: int | None = None if (budget.dp is not None and domain is None) else suppressed
    return {"rows": rows, "suppressed_cells": stated, "threshold": round(threshold, 3)}


def _bounded_sample(rows: list[dict[str, Any]], per_user: int) -> list[dict[str, Any]]:
    """At most ``per_user`` conversations of each user, chosen by a hash of the conversation id
    (deterministic, independent of content), so one user cannot dominate a prevalence."""
    by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_user[user_of(r)].append(r)
    kept = []
    for convs in by_user.values():
        convs.sort(key=lambda r: hashlib.sha256(str(r["conversation_id"]).encode()).digest())
        kept.extend(convs[:per_user])
    return kept


def reproduction_prevalence(
    rows: list[dict[str, Any]],
    privacy: PrivacyConfig,
    budget: Budget,
    design: SamplingDesign | None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Share of conversations with reproduced publisher text, by origin, with intervals from
    ``sealroom.stats`` scaled to the population through the sampling design."""
    sample = _bounded_sample(rows, privacy.max_conversations_per_user)
    origins = [*ORIGINS, ANY_ORIGIN]
    notes: list[str] = list(design.notes) if design else []
    strata_of_row: list[str | None]
    if design is not None and design.field is not None:
        strata_of_row = [stratum_of(design, r) for r in sample]
        unknown = {s for s in strata_of_row if s not in design.populations}
        if unknown:
            notes.append(f"{len(unknown)} stratum value(s) in the data are not in the sampling report; strata pooled")
            design = SamplingDesign({None: design.total_population}, None, design.sha256, notes)
            strata_of_row = [None] * len(sample)
        else:
            empty = [s for s in design.populations if s not in set(strata_of_row) and design.populations[s] > 0]
            if empty:
                notes.append(f"{len(empty)} stratum(s) of the sampling report have no conversation in the data")
    else:
        strata_of_row = [None] * len(sample)
    strata = sorted({s for s in strata_of_row}, key=lambda s: (s is None, s or ""))
    n_h = {s: 0 for s in strata}
    k = {(o, s): 0 for o in origins for s in strata}
    users: dict[str, set[str]] = {o: set() for o in origins}
    for r, s in zip(sample, strata_of_row, strict=True):
        n_h[s] += 1
        found = set(r.get("origins") or ())
        if found:
            found.add(ANY_ORIGIN)
        for o in found & set(origins):
            k[(o, s)] += 1
            users[o].add(user_of(r))
    keys = list(k)
    per_user = privacy.max_conversations_per_user
    noisy_k = dict(
        zip(
            keys,
            budget.noise("reproduction.conversations", [k[x] for x in keys], per_user * len(origins), per_user),
            strict=True,
        )
    )
    noisy_users = dict(
        zip(origins, budget.noise("reproduction.users", [len(users[o]) for o in origins], len(origins), 1), strict=True)
    )
    out = []
    for o in origins:
        entry: dict[str, Any] = {"origin": o, "users": None, "suppressed": False}
        if noisy_users[o] < privacy.min_group_size or not sample:
            # too few users to publish even a proportion; the sample size alone is still stated
            entry.update(suppressed=True, n=sum(n_h.values()))
            out.append(entry)
            continue
        est = _estimate(strata, n_h, {s: min(noisy_k[(o, s)], n_h[s]) for s in strata}, design, confidence)
        entry.update(users=noisy_users[o], **_estimate_dict(est))
        out.append(entry)
    return {
        "unit": f"conversations, at most {per_user} per user",
        "confidence": confidence,
        "stratified": bool(design is not None and design.field is not None),
        "population": design.total_population if design is not None else None,
        "sample_conversations": sum(n_h.values()),
        "by_origin": out,
        "notes": notes,
    }


def _estimate(
    strata: list[str | None],
    n_h: dict[str | None, int],
    k_h: dict[str | None, int],
    design: SamplingDesign | None,
    confidence: float,
) -> Estimate:
    if design is None:
        return prevalence(sum(k_h.values()), sum(n_h.values()), confidence=confidence)
    if design.field is None:
        return prevalence(
            sum(k_h.values()), sum(n_h.values()), population=design.total_population, confidence=confidence
        )
    # strata of the design without a sampled conversation carry no estimate; the notes say so
    return stratified_prevalence([Stratum(design.populations[s], n_h[s], k_h[s], s) for s in strata], confidence)


def _estimate_dict(est: Estimate) -> dict[str, Any]:
    d = est.to_dict()
    d.pop("confidence", None)
    return d
