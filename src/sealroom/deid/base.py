"""The detector protocol: ``detect(text, context) -> list[Finding]``, registered by versioned name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sealroom.registry import Registry

#: Labels every detector maps to (the evaluation and the policy speak these).
LABELS = (
    "PERSON",
    "LOCATION",
    "ORGANIZATION",
    "ADDRESS",
    "EMAIL",
    "PHONE",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "URL",
    "DATE",
    "AGE",
    "CREDENTIAL",
    "ID_NUMBER",
    "CRYPTO_WALLET",
    "USERNAME",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A detected identifier: ``text[start:end]`` (character offsets) is a ``label``."""

    start: int
    end: int
    label: str
    score: float
    detector: str
    explanation: str = ""


@dataclass(slots=True)
class DetectionContext:
    """What a detector may know besides the text: never needed, sometimes useful."""

    role: str | None = None
    conversation_id: str | None = None
    locale_hints: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


class Detector(Protocol):
    name: str
    labels: tuple[str, ...]

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]: ...


#: name (e.g. ``email.v1``) -> detector class (constructed with keyword options from the policy)
DETECTORS: Registry[type[Detector]] = Registry("detector", "sealroom.detectors")
