"""The label set and its evidence, read from a TOML file the user can replace.

The file names topics and intents (each with keywords and optional regular expressions) and the
cues of work-related use. Keywords are literal (escaped); ``patterns`` are regular expressions the
taxonomy's author vouches for. Both are matched case-insensitively on word boundaries.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from sealroom.errors import ConfigError

DEFAULT_TAXONOMY = "taxonomy.toml"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    label: str
    description: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    #: score the category has before any evidence (the fallback category gets the largest)
    prior: float = 0.0
    #: for topics: how much this topic alone suggests work-related use (log-odds added)
    work_prior: float = 0.0


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    version: str
    topics: tuple[Category, ...]
    intents: tuple[Category, ...]
    work_keywords: tuple[str, ...]
    work_patterns: tuple[str, ...]
    personal_keywords: tuple[str, ...]
    fallback_topic: str
    fallback_intent: str
    source_sha256: str

    @property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.topics)

    @property
    def intent_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.intents)

    def label(self, name: str) -> str:
        for c in (*self.topics, *self.intents):
            if c.name == name:
                return c.label
        return name

    def identity(self) -> dict[str, str]:
        """What a manifest records: which taxonomy, by content hash."""
        return {"name": self.name, "version": self.version, "sha256": self.source_sha256}


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"taxonomy {where}.{key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _categories(data: dict[str, Any], section: str) -> tuple[Category, ...]:
    table = data.get(section)
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"taxonomy has no [{section}.*] tables")
    out = []
    for name, body in table.items():
        where = f"{section}.{name}"
        if not _NAME.match(name) or not isinstance(body, dict):
            raise ConfigError(f"taxonomy {where}: names are lower_snake_case tables")
        patterns = _strings(body, "patterns", where)
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ConfigError(f"taxonomy {where}: invalid pattern ({exc.msg} at {exc.pos})") from None
        out.append(
            Category(
                name=name,
                label=str(body.get("label", name.replace("_", " ").title())),
                description=str(body.get("description", "")),
                keywords=_strings(body, "keywords", where),
                patterns=patterns,
                prior=float(body.get("prior", 0.0)),
                work_prior=float(body.get("work_prior", 0.0)),
            )
        )
    return tuple(out)


def parse_taxonomy(text: str, sha256: str = "") -> Taxonomy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"taxonomy is not valid TOML ({exc})") from None
    meta = data.get("taxonomy", {})
    topics = _categories(data, "topics")
    intents = _categories(data, "intents")
    work = data.get("work", {})
    fallback_topic = str(meta.get("fallback_topic", topics[-1].name))
    fallback_intent = str(meta.get("fallback_intent", intents[0].name))
    if fallback_topic not in {c.name for c in topics}:
        raise ConfigError(f"taxonomy fallback_topic {fallback_topic!r} is not a topic")
    if fallback_intent not in {c.name for c in intents}:
        raise ConfigError(f"taxonomy fallback_intent {fallback_intent!r} is not an intent")
    return Taxonomy(
        name=str(meta.get("name", "custom")),
        version=str(meta.get("version", "0")),
        topics=topics,
        intents=intents,
        work_keywords=_strings(work, "keywords", "work"),
        work_patterns=_strings(work, "patterns", "work"),
        personal_keywords=_strings(work, "personal_keywords", "work"),
        fallback_topic=fallback_topic,
        fallback_intent=fallback_intent,
        source_sha256=sha256,
    )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy at ``path``, or the one shipped in the package."""
    import hashlib

    if path is None:
        raw = files("sealroom.classify").joinpath(DEFAULT_TAXONOMY).read_bytes()
    else:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read taxonomy {path} ({type(exc).__name__})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"taxonomy {path or DEFAULT_TAXONOMY} is not UTF-8") from None
    return parse_taxonomy(text, hashlib.sha256(raw).hexdigest())
