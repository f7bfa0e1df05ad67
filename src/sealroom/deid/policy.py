"""The de-identification policy: label → operator (+ options), pseudonym scope, metadata rules.

A policy is a TOML file (see ``default_policy.toml`` in this package); it is validated here, and
its canonical JSON form goes into the stage's config so a changed policy is never mistaken for
finished work.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sealroom.errors import ConfigError

DEFAULT_POLICY_FILE = "default_policy.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelRule(_Strict):
    """What to do with one label. Options not used by the chosen operator are ignored."""

    operator: str = "pseudonymize"
    #: pseudonymize: ``tag`` ([PERSON_1]) or ``surrogate`` (realistic value seeded by the HMAC)
    style: Literal["tag", "surrogate"] = "tag"
    #: redact: the text put in place (default ``[LABEL]``)
    text: str | None = None
    #: generalize (DATE): ``shift`` by the conversation's keyed offset, or ``coarsen``
    mode: Literal["shift", "coarsen"] = "coarsen"
    granularity: Literal["month", "year"] = "month"
    #: generalize (AGE): band width in years
    band: int = Field(default=10, ge=1, le=100)

    @field_validator("operator")
    @classmethod
    def _known_operator(cls, value: str) -> str:
        from sealroom.deid.operators import OPERATORS

        if value not in OPERATORS:
            raise ValueError(f"unknown operator {value!r} (known: {', '.join(OPERATORS.names())})")
        return value


class PseudonymSettings(_Strict):
    scope: Literal["conversation", "production"] = "conversation"
    locale: str = "en_US"


class DateSettings(_Strict):
    max_shift_days: int = Field(default=180, ge=1, le=3650)


class ConsistencySettings(_Strict):
    labels: tuple[str, ...] = ()
    min_chars: int = Field(default=2, ge=1)


class ChunkSettings(_Strict):
    chars: int = Field(default=100_000, ge=1_000)
    overlap: int = Field(default=5_000, ge=0)


class MetadataSettings(_Strict):
    user_key: Literal["drop", "hash", "keep"] = "hash"
    timestamps: Literal["keep", "hour", "day", "month", "year", "shift", "drop"] = "day"
    title: Literal["deidentify", "drop"] = "deidentify"
    hash_keys: tuple[str, ...] = ()
    keep_keys: tuple[str, ...] = ()


class ExemptionSettings(_Strict):
    published_text: Literal["keep", "deidentify"] = "keep"
    #: scan signal kinds whose spans stay readable (see sealroom.scan.schema.SIGNALS)
    signals: tuple[str, ...] = ("publisher_named",)


class Policy(_Strict):
    version: int = 1
    pseudonyms: PseudonymSettings = PseudonymSettings()
    dates: DateSettings = DateSettings()
    consistency: ConsistencySettings = ConsistencySettings()
    chunking: ChunkSettings = ChunkSettings()
    metadata: MetadataSettings = MetadataSettings()
    exemption: ExemptionSettings = ExemptionSettings()
    default: LabelRule = LabelRule()
    labels: dict[str, LabelRule] = Field(default_factory=dict)

    @field_validator("chunking")
    @classmethod
    def _overlap_below_size(cls, value: ChunkSettings) -> ChunkSettings:
        if value.overlap * 2 >= value.chars:
            raise ValueError("chunking.overlap must be less than half of chunking.chars")
        return value

    def rule(self, label: str) -> LabelRule:
        return self.labels.get(label, self.default)

    def to_config(self) -> dict[str, Any]:
        """Canonical JSON-able form (recorded in the manifest, compared on resume)."""
        return self.model_dump(mode="json")

    def with_label(self, label: str, **changes: Any) -> Policy:
        """A copy with one label's rule changed (tests and callers building policies in code)."""
        rule = self.rule(label).model_copy(update=changes)
        return self.model_copy(update={"labels": {**self.labels, label: LabelRule.model_validate(rule.model_dump())}})

    def uses_surrogates(self) -> bool:
        rules = [self.default, *self.labels.values()]
        return any(r.operator == "pseudonymize" and r.style == "surrogate" for r in rules)


def policy_from_dict(data: dict[str, Any], *, origin: str = "policy") -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        # pydantic's message may echo input values; a policy holds no user text, but keep it short
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{origin}: invalid at {where}: {first['msg']}", code="policy_invalid") from None


def default_policy() -> Policy:
    text = files("sealroom.deid").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    return policy_from_dict(tomllib.loads(text), origin=DEFAULT_POLICY_FILE)


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in ``path`` (TOML), or the bundled default when ``path`` is None."""
    if path is None:
        return default_policy()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"policy file not found: {p}", code="policy_missing")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"policy file {p} is not valid TOML ({exc})", code="policy_invalid") from None
    return policy_from_dict(data, origin=str(p))
