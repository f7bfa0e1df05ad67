"""Operators, policy loading, metadata treatment and span arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from engine_standin import StandInAnalyzer, chat
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.deid.base import Finding
from sealroom.deid.engine import Deidentifier
from sealroom.deid.operators import age_band, generalize_date, generalize_timestamp
from sealroom.deid.policy import Policy, load_policy
from sealroom.deid.spans import OffsetMap, chunk_bounds, merge_findings
from sealroom.errors import ConfigError
from sealroom.keys import SecretKey


@pytest.mark.parametrize(
    ("surface", "month", "year"),
    [
        ("2024-03-14", "2024-03", "2024"),
        ("03/14/2024", "03/2024", "2024"),
        ("14.03.2024", "03/2024", "2024"),
        ("March 14, 2024", "March 2024", "2024"),
        ("14th of March 2024", "March 2024", "2024"),
        ("Mar 3", "Mar", "[DATE]"),
        ("March 2024", "March 2024", "2024"),
        ("yesterday", "[DATE]", "[DATE]"),
        ("2024-02-31", "[DATE]", "[DATE]"),
    ],
)
def test_dates_coarsen(surface: str, month: str, year: str) -> None:
    assert generalize_date(surface, "coarsen", "month", 0) == month
    assert generalize_date(surface, "coarsen", "year", 0) == year
    # coarsening its own output changes nothing
    assert generalize_date(month, "coarsen", "month", 0) == month


@settings(max_examples=100)
@given(st.dates(date(1900, 1, 1), date(2090, 1, 1)), st.dates(date(1900, 1, 1), date(2090, 1, 1)),
       st.integers(-365, 365))  # fmt: skip
def test_date_shift_keeps_intervals_and_format(a: date, b: date, shift: int) -> None:
    sa, sb = (generalize_date(d.isoformat(), "shift", "month", shift) for d in (a, b))
    da, db = date.fromisoformat(sa), date.fromisoformat(sb)
    assert db - da == b - a and da - a == timedelta(days=shift)
    us = generalize_date(f"{a:%B} {a.day}, {a.year}", "shift", "month", shift)
    assert datetime.strptime(us, "%B %d, %Y").date() == da


def test_conversation_shift_is_keyed_and_consistent(key: SecretKey, other_key: SecretKey, policy: Policy) -> None:
    pol = policy.with_label("DATE", mode="shift")
    conv = chat("c-dates", "Flight on 2024-03-01, back 2024-03-15.")
    out = Deidentifier(key, pol, StandInAnalyzer()).deidentify(conv).conversation.messages[0].content
    first, second = (date.fromisoformat(d) for d in out.removeprefix("Flight on ").rstrip(".").split(", back "))
    assert second - first == timedelta(days=14) and first != date(2024, 3, 1)
    other = Deidentifier(other_key, pol, StandInAnalyzer()).deidentify(conv).conversation.messages[0].content
    assert other != out


def test_ages_to_bands() -> None:
    assert age_band("34", 10) == "30-39"
    assert age_band("34 years old", 5) == "30-34 years old"
    assert age_band("30-39 years old", 10) == "30-39 years old"
    assert age_band("age 300", 10) == "[AGE]"


def test_timestamps() -> None:
    ts = datetime(2024, 5, 17, 13, 45, 12, tzinfo=UTC)
    assert generalize_timestamp(ts, "day", 0) == datetime(2024, 5, 17, tzinfo=UTC)
    assert generalize_timestamp(ts, "month", 0) == datetime(2024, 5, 1, tzinfo=UTC)
    assert generalize_timestamp(ts, "shift", -3) == ts - timedelta(days=3)
    assert generalize_timestamp(ts, "drop", 0) is None


def test_redact_keep_and_surrogate_formats(key: SecretKey, policy: Policy) -> None:
    pol = policy.with_label("EMAIL", operator="redact", text="[removed]").with_label("PERSON", operator="keep")
    pol = pol.with_label("PHONE", style="surrogate")
    conv = chat("c-ops", "Jane Smith: jane@example.com, +44 20 7946 0958")
    out = Deidentifier(key, pol, StandInAnalyzer()).deidentify(conv).conversation.messages[0].content
    name, rest = out.split(": ")
    email, phone = rest.split(", ")
    assert name == "Jane Smith" and email == "[removed]"
    assert phone != "+44 20 7946 0958" and [len(p) for p in phone.split()] == [3, 2, 4, 4]


def test_surrogate_email_keeps_shape(key: SecretKey, surrogate_policy: Policy) -> None:
    conv = chat("c-mail", "write to jane.smith@example.com")
    out = Deidentifier(key, surrogate_policy, StandInAnalyzer()).deidentify(conv).conversation.messages[0].content
    local, _, domain = out.removeprefix("write to ").partition("@")
    assert "." in local and "." in domain and "jane" not in out


def test_metadata(key: SecretKey, policy: Policy) -> None:
    conv = chat(
        "c-meta",
        "hello",
        user_key="u-1",
        title="Letter for Jane Smith",
        metadata_json='{"ip": "198.51.100.7", "content_type": "text", "notes": ["ask jane.doe@example.com"]}',
        created_at=datetime(2024, 5, 17, 13, 45, tzinfo=UTC),
    )
    result = Deidentifier(key, policy, StandInAnalyzer()).deidentify(conv)
    out = result.conversation
    assert out.title == "Letter for [PERSON_1]"
    assert out.user_key is not None and out.user_key.startswith("uk_") and "u-1" not in out.user_key
    assert out.metadata_json is not None and "198.51.100.7" not in out.metadata_json
    assert '"content_type":"text"' in out.metadata_json and "[EMAIL_1]" in out.metadata_json
    assert out.created_at == datetime(2024, 5, 17, tzinfo=UTC)
    fields = {r["field"] for r in result.replacements}
    assert {"title", "user_key", "created_at", "metadata_json:/ip", "metadata_json:/notes/0"} <= fields
    dropped = policy.model_copy(update={"metadata": policy.metadata.model_copy(update={"user_key": "drop"})})
    assert Deidentifier(key, dropped, StandInAnalyzer()).deidentify(conv).conversation.user_key is None


def test_policy_files(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text('[labels.PERSON]\nstyle = "surrogate"\n\n[pseudonyms]\nscope = "production"\n')
    pol = load_policy(p)
    assert pol.rule("PERSON").style == "surrogate" and pol.pseudonyms.scope == "production"
    assert pol.rule("IBAN").operator == "pseudonymize"
    p.write_text('[labels.PERSON]\noperator = "shred"\n')
    with pytest.raises(ConfigError, match=r"labels\.PERSON\.operator"):
        load_policy(p)
    p.write_text("[labels\n")
    with pytest.raises(ConfigError):
        load_policy(p)
    with pytest.raises(ConfigError):
        load_policy(tmp_path / "missing.toml")


def test_offset_map_and_merge() -> None:
    # "ab[X]ef" from "abCDef": C..D replaced by 3 chars
    m = OffsetMap([(2, 4, 3)])
    assert [m.map_start(i) for i in range(7)] == [0, 1, 2, 2, 5, 6, 7]
    assert [m.map_end(i) for i in range(7)] == [0, 1, 2, 5, 5, 6, 7]
    merged = merge_findings([Finding(0, 5, "PERSON", 0.5, "a"), Finding(3, 9, "EMAIL", 0.9, "b")])
    assert [(f.start, f.end, f.label) for f in merged] == [(0, 9, "EMAIL")]


@given(st.integers(0, 50_000), st.integers(1_000, 5_000), st.integers(0, 400))
def test_chunks_cover_and_overlap(length: int, size: int, overlap: int) -> None:
    bounds = chunk_bounds(length, size, overlap)
    assert bounds[0][0] == 0 and bounds[-1][1] == length
    for (s1, e1), (s2, _) in itertools.pairwise(bounds):
        assert e1 - s2 == overlap and e1 - s1 <= size and s2 > s1
