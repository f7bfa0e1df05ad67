from __future__ import annotations

from pathlib import Path

import pytest

from sealroom.classify.taxonomy import load_taxonomy, parse_taxonomy
from sealroom.errors import ConfigError

SMALL = """
[taxonomy]
name = "tiny"
version = "2"
fallback_topic = "misc"

[topics.cooking]
keywords = ["recipe", "bake"]

[topics.misc]
prior = 0.5

[intents.asking]
keywords = ["how"]

[intents.doing]
keywords = ["write"]
"""


def test_default_taxonomy_is_the_seven_topics_and_three_intents() -> None:
    t = load_taxonomy()
    assert t.topic_names == (
        "practical_guidance",
        "seeking_information",
        "writing",
        "technical_help",
        "multimedia",
        "self_expression",
        "other",
    )
    assert t.intent_names == ("asking", "doing", "expressing")
    assert t.fallback_topic == "other"
    assert t.label("technical_help") == "Technical Help"
    assert len(t.identity()["sha256"]) == 64


def test_a_custom_taxonomy_file_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "tax.toml"
    path.write_text(SMALL, encoding="utf-8")
    t = load_taxonomy(path)
    assert t.topic_names == ("cooking", "misc")
    assert t.identity()["name"] == "tiny"
    assert t.identity()["sha256"] != load_taxonomy().identity()["sha256"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not toml [", "not valid TOML"),
        ("[intents.asking]\nkeywords=['a']\n", r"no \[topics\.\*\]"),
        (SMALL.replace('keywords = ["how"]', 'patterns = ["(unclosed"]'), "invalid pattern"),
        (SMALL.replace('fallback_topic = "misc"', 'fallback_topic = "nope"'), "fallback_topic"),
        (SMALL.replace("[topics.misc]", "[topics.Bad-Name]"), "lower_snake_case"),
        (SMALL.replace('["recipe", "bake"]', '["", "bake"]'), "non-empty strings"),
    ],
)
def test_invalid_taxonomies_fail_with_a_config_error(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        parse_taxonomy(text)


def test_missing_taxonomy_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read taxonomy"):
        load_taxonomy(tmp_path / "absent.toml")
