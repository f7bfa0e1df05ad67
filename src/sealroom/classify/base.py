"""The classifier protocol, its result record and the registry third-party classifiers join.

A classifier maps one conversation to labels from a fixed taxonomy. It must not follow instructions
found in the text (THREATS: poisoned inputs): built-in classifiers only count evidence, they never
interpret the text as a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sealroom.classify.taxonomy import Taxonomy
from sealroom.registry import Registry
from sealroom.schema import Conversation

#: Characters of user text a classifier looks at per conversation: the opening requests carry the
#: topic, and a bound keeps the cost per conversation flat whatever a user pastes.
MAX_USER_CHARS = 8_000
#: Assistant text is weaker evidence (it echoes and elaborates); a smaller window suffices.
MAX_ASSISTANT_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class Classification:
    topic: str
    topic_confidence: float
    intent: str
    intent_confidence: float
    work_related: bool
    work_confidence: float
    language: str
    language_confidence: float


class Classifier(Protocol):
    """Built once per worker process (``setup``), then called per conversation."""

    name: str

    def classify(self, conversation: Conversation) -> Classification: ...


class ClassifierFactory(Protocol):
    def __call__(self, taxonomy: Taxonomy) -> Classifier: ...


#: name (e.g. ``keywords.v1``) -> factory taking the taxonomy; entry-point group ``sealroom.classifiers``.
CLASSIFIERS: Registry[ClassifierFactory] = Registry("classifier", "sealroom.classifiers")

DEFAULT_CLASSIFIER = "keywords.v1"


def role_text(conversation: Conversation, role: str, limit: int) -> str:
    """The active messages of one role, joined, cut at ``limit`` characters (a bounded input)."""
    parts: list[str] = []
    size = 0
    for m in conversation.messages:
        if not m.active or m.role != role or not m.content:
            continue
        piece = m.content[: limit - size]
        parts.append(piece)
        size += len(piece) + 1
        if size >= limit:
            break
    return "\n".join(parts)
