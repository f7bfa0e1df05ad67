"""Prevalence figures are sealroom.stats intervals, scaled through the sampling report."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from dataset_builders import conversation, hit_row, write_conversations, write_hits
from sealroom.report import build_report
from sealroom.stats import Stratum, prevalence, stratified_prevalence

ESTIMATE_FIELDS = ("proportion", "low", "high", "n", "positives", "population", "count", "count_low", "count_high")


def _by_origin(report: dict, origin: str) -> dict:
    return next(o for o in report["reproduction"]["by_origin"] if o["origin"] == origin)


def _sample(tmp_path: Path, n: int, truth: dict[str, float], seed: int) -> tuple[Path, Path, dict[str, int]]:
    """A simple random sample of ``n`` conversations (one user each) from a population in which
    a share ``truth[month]`` of conversations reproduce an article (origin ``generated``)."""
    rng = random.Random(seed)
    convs, hits, positives = [], [], {m: 0 for m in truth}
    for i in range(n):
        month = list(truth)[i % len(truth)]
        cid = f"c{i:05d}"
        convs.append(
            conversation(
                cid,
                "What is the news today?",
                user_key=f"u{i}",
                created_at=datetime.fromisoformat(f"{month}-15T00:00:00+00:00"),
            )
        )
        if rng.random() < truth[month]:
            hits.append(hit_row(cid, f"art-{i % 3}", "generated"))
            positives[month] += 1
    return write_conversations(tmp_path / "d", convs, per_shard=500), write_hits(tmp_path / "h", hits), positives


def test_unstratified_prevalence_matches_stats_and_covers_the_truth(tmp_path: Path) -> None:
    data, hits, positives = _sample(tmp_path, 1200, {"2023-05": 0.10}, seed=7)
    report_path = tmp_path / "sampling_report.json"
    report_path.write_text(
        json.dumps(
            {
                "population": {"eligible": 2_000_000},
                "strata": [{"stratum": "*", "population": 2_000_000, "sample": 1200}],
            }
        )
    )
    result = build_report(data, tmp_path / "r", hits=hits, sampling_report=report_path, min_group_size=20)
    got = _by_origin(result.report, "generated")
    expected = prevalence(positives["2023-05"], 1200, population=2_000_000).to_dict()
    for field in ESTIMATE_FIELDS:
        assert got[field] == pytest.approx(expected[field]), field
    assert got["low"] <= 0.10 <= got["high"]
    assert got["count_low"] <= 200_000 <= got["count_high"]
    assert _by_origin(result.report, "any")["positives"] == positives["2023-05"]
    assert _by_origin(result.report, "pasted")["suppressed"]


def test_stratified_prevalence_matches_stats(tmp_path: Path) -> None:
    truth = {"2023-01": 0.02, "2023-02": 0.20}
    data, hits, positives = _sample(tmp_path, 1000, truth, seed=11)
    design = {
        "stratify": "month(created_at)",
        "strata": [
            {"stratum": json.dumps("2023-01"), "population": 900_000, "sample": 500},
            {"stratum": json.dumps("2023-02"), "population": 100_000, "sample": 500},
        ],
    }
    path = tmp_path / "sampling_report.json"
    path.write_text(json.dumps(design))
    result = build_report(data, tmp_path / "r", hits=hits, sampling_report=path, min_group_size=20)
    got = _by_origin(result.report, "generated")
    expected = stratified_prevalence(
        [Stratum(900_000, 500, positives["2023-01"], "2023-01"), Stratum(100_000, 500, positives["2023-02"], "2023-02")]
    ).to_dict()
    for field in ESTIMATE_FIELDS:
        assert got[field] == pytest.approx(expected[field]), field
    true_share = 0.9 * 0.02 + 0.1 * 0.20
    assert got["low"] <= true_share <= got["high"]
    assert result.report["reproduction"]["stratified"] is True
    assert result.report["reproduction"]["population"] == 1_000_000


def test_without_a_sampling_report_the_estimate_is_not_scaled(tmp_path: Path) -> None:
    data, hits, positives = _sample(tmp_path, 300, {"2023-05": 0.3}, seed=3)
    got = _by_origin(build_report(data, tmp_path / "r", hits=hits, min_group_size=20).report, "generated")
    assert got["proportion"] == pytest.approx(positives["2023-05"] / 300)
    assert got["count"] is None and got["population"] is None


def test_a_user_with_many_positive_conversations_is_clipped(tmp_path: Path) -> None:
    convs = [conversation(f"a{i}", "news?", user_key=f"u{i}") for i in range(100)]
    convs += [conversation(f"z{i}", "news?", user_key="heavy") for i in range(400)]
    data = write_conversations(tmp_path / "d", convs, per_shard=250)
    hits = write_hits(
        tmp_path / "h",
        [hit_row(f"a{i}", "x", "pasted") for i in range(30)] + [hit_row(f"z{i}", "x", "pasted") for i in range(400)],
    )
    got = _by_origin(build_report(data, tmp_path / "r", hits=hits, min_group_size=20).report, "pasted")
    # heavy user: 10 conversations (all positive) of 400; the rest one each
    assert (got["positives"], got["n"]) == (40, 110)


def test_a_real_stratified_sample_scales_through_its_sampling_report(tmp_path: Path) -> None:
    """End to end with ``sealroom sample``'s own report format (read defensively by name)."""
    from sealroom.dataset import Dataset
    from sealroom.keys import generate_key_file
    from sealroom.runner import LocalRunner
    from sealroom.sample import sample

    data, hits, _ = _sample(tmp_path, 800, {"2023-01": 0.05, "2023-02": 0.30}, seed=5)
    generate_key_file(tmp_path / "sample.key")
    sample(
        data,
        tmp_path / "s",
        key_file=tmp_path / "sample.key",
        per_stratum=150,
        stratify="month(created_at)",
        runner=LocalRunner(1),
        show_progress=False,
    )
    design = tmp_path / "s" / "sampling_report.json"
    result = build_report(tmp_path / "s", tmp_path / "r", hits=hits, sampling_report=design, min_group_size=5)
    got = _by_origin(result.report, "generated")
    assert result.report["reproduction"]["stratified"] is True
    hit_ids = {r["conversation_id"] for r in Dataset.open(hits).read(["conversation_id"]).to_pylist()}
    drawn = Dataset.open(tmp_path / "s").read(["conversation_id", "created_at"]).to_pylist()
    strata = []
    for s in json.loads(design.read_text())["strata"]:
        ids = [r["conversation_id"] for r in drawn if r["created_at"].strftime("%Y-%m") == s["value"]]
        strata.append(Stratum(s["population"], len(ids), sum(1 for cid in ids if cid in hit_ids), s["value"]))
    assert [st.n for st in strata] == [150, 150]
    expected = stratified_prevalence(strata).to_dict()
    for field in ESTIMATE_FIELDS:
        assert got[field] == pytest.approx(expected[field]), field
