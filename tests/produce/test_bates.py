from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.errors import ConfigError
from sealroom.produce.bates import BatesRange, BatesState, check_prefix, format_bates, parse_bates
from sealroom.produce.errors import BatesReuseError
from sealroom.produce.volume import parse_size


@given(st.integers(min_value=1, max_value=9_999_999), st.sampled_from(["ABC", "NYT-OAI", "X_1"]))
def test_bates_labels_round_trip_and_sort_like_numbers(n: int, prefix: str) -> None:
    label = format_bates(prefix, n)
    assert len(label) == len(prefix) + 7
    assert parse_bates(label, prefix) == n
    assert (format_bates(prefix, n) < format_bates(prefix, n + 1)) or n + 1 >= 10**7


@pytest.mark.parametrize("bad", ["", "abc", "1AB", "A/B", "A B", "A" * 21, "ÄBC"])
def test_bad_prefixes_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError):
        check_prefix(bad)


def test_range_must_fit_its_digits() -> None:
    assert BatesRange("ABC", 9_999_990, 9_999_999).end == "ABC9999999"
    with pytest.raises(ConfigError, match="digits"):
        BatesRange("ABC", 9_999_990, 10_000_000)
    assert BatesRange("ABC", 9_999_990, 10_000_000, digits=8).end == "ABC10000000"


def test_state_file_continues_and_refuses_overlaps(tmp_path: Path) -> None:
    state = BatesState(tmp_path / "bates.json")
    assert state.next_number("ABC") == 1
    state.record(BatesRange("ABC", 1, 100), production="P1")
    state.record(BatesRange("XYZ", 1, 5), production="P0")
    assert state.next_number("ABC") == 101
    state.check(BatesRange("ABC", 101, 150))
    for first, last in [(100, 120), (1, 1), (50, 60), (0 + 1, 200)]:
        with pytest.raises(BatesReuseError, match="ABC0000001-ABC0000100"):
            state.check(BatesRange("ABC", first, last))
    with pytest.raises(BatesReuseError):
        state.record(BatesRange("ABC", 90, 110))
    assert [r["production"] for r in state.ranges()] == ["P1", "P0"]


def test_state_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text('{"not": "a state file"}')
    with pytest.raises(ConfigError, match="Bates state"):
        BatesState(p).next_number("ABC")


@pytest.mark.parametrize(
    ("text", "size"), [("10GB", 10**10), ("650MB", 650 * 10**6), ("1.5GB", 15 * 10**8), ("512MiB", 2**29), (4096, 4096)]
)
def test_parse_size(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["", "ten", "10 parsecs", "-5GB", 0])
def test_parse_size_refuses_nonsense(bad: str | int) -> None:
    with pytest.raises(ConfigError):
        parse_size(bad)
