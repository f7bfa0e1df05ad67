from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.errors import ConfigError
from sealroom.scan.signals import load_signal_config, message_signals, messages_to_check


def kinds(text: str, role: str = "user", matched: set[str | None] | None = None) -> list[tuple[str, str, str]]:
    cfg = load_signal_config()
    return [(s.signal, s.publisher, text[s.start : s.end]) for s in message_signals(text, role, cfg, matched or set())]


def test_named_and_links() -> None:
    got = kinds("I read it in the New York Times, see https://www.nytimes.com/2023/01/01/us/x.html?smid=1 (NYT).")
    assert ("publisher_named", "nyt", "New York Times") in got
    assert ("publisher_named", "nyt", "NYT") in got
    assert any(s == "publisher_link" and t.startswith("https://www.nytimes.com/2023") for s, _, t in got)
    assert kinds("nyt is lower case, New Yorker is not the Times") == []


def test_link_detail_is_the_domain_only() -> None:
    cfg = load_signal_config()
    sigs = message_signals("go to nytimes.com/section?email=a@b.c", "user", cfg, set())
    (s,) = [s for s in sigs if s.signal == "publisher_link"]
    assert s.detail == "nytimes.com"


def test_paywall_requests() -> None:
    assert sorted(k for k, *_ in kinds("How do I bypass the NYT paywall?")) == ["paywall_request", "publisher_named"]
    assert [k for k, *_ in kinds("any way to get around a paywall")] == ["paywall_request"]
    assert [k for k, *_ in kinds("open it via archive.ph please")] == ["paywall_request"]
    # weak patterns count only when a publisher is named
    assert kinds("give me the full text of the story") == []
    assert "paywall_request" in [k for k, *_ in kinds("give me the full text of the NYT story")]
    # not in assistant messages
    assert "paywall_request" not in [k for k, *_ in kinds("You cannot bypass the paywall.", role="assistant")]


def test_attributions() -> None:
    text = "According to the New York Times, the bridge closed. The Times reported more."
    got = [k for k, *_ in kinds(text, role="assistant")]
    assert got.count("unverified_attribution") == 2
    got = [k for k, *_ in kinds(text, role="assistant", matched={"nyt"})]
    assert got.count("attribution") == 2 and "unverified_attribution" not in got
    # articles without a publisher verify any attribution; user messages carry no attribution signal
    assert "attribution" in [k for k, *_ in kinds(text, role="assistant", matched={None})]
    assert "unverified_attribution" not in [k for k, *_ in kinds(text, role="user")]


def test_custom_file(tmp_path: Path) -> None:
    p = tmp_path / "pubs.toml"
    p.write_text('[publishers.dp]\nnames = ["Daily Planet"]\ndomains = ["dailyplanet.example"]\n', encoding="utf-8")
    cfg = load_signal_config(p)
    sig = message_signals("as reported by the Daily Planet", "assistant", cfg, set())
    assert sorted(s.signal for s in sig) == ["publisher_named", "unverified_attribution"]
    p.write_text('[paywall]\nstrong = ["(unclosed"]\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_signal_config(p)
    with pytest.raises(ConfigError):
        load_signal_config(tmp_path / "missing.toml")


def test_pathological_input_is_linear() -> None:
    cfg = load_signal_config()
    text = "a." * 50_000 + "paywall " * 1000 + "x" * 100_000
    message_signals(text, "user", cfg, set())
    message_signals(text, "assistant", cfg, set())


PHRASES = [
    "bypass the paywall",
    "New York Times",
    "NYT",
    "nytimes.com/x",
    "İstanbul times",
    "hello",
    "the Times said",
    "archive.ph",
    "ünïcode",
    "According to the Times",
    "PAYWALL",
    "full text of the NYT story",
]


@given(st.lists(st.lists(st.sampled_from(PHRASES), max_size=6).map(" ".join), max_size=8))
@settings(max_examples=100, deadline=None)
def test_prefilter_never_hides_a_signal(texts: list[str]) -> None:
    cfg = load_signal_config()
    check = messages_to_check(texts, cfg)
    for i, text in enumerate(texts):
        for role in ("user", "assistant"):
            if message_signals(text, role, cfg, set()):
                assert check[i]
