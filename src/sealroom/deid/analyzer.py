"""The analyzer: runs the configured detectors, batches NER, and resolves overlaps.

``Analyzer.analyze(text)`` returns sorted, non-overlapping findings (character offsets).
``analyze_many`` batches the NER over many texts (``nlp.pipe``). ``analyze_conversation`` adds
conversation-level propagation: a surface form found in one turn is marked in every turn, which is
what lets NER run on user turns only (a quarter of the characters) without losing the names the
assistant repeats.

Where NER runs is a configuration choice measured in ``docs/deid-quality.md``:
``ner_policy="all"`` (every turn), ``"gated"`` (user/system turns fully; other turns only on lines
where a cheap gate fires: a title-case word pair, a title or a greeting), ``"roles"`` (only the
roles in ``ner_roles``), ``"off"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.lang.en.stop_words import STOP_WORDS

from sealroom.deid import detectors as _detectors  # noqa: F401  (registers the built-in detectors)
from sealroom.deid.base import DETECTORS, DetectionContext, Detector, Finding
from sealroom.deid.resolve import propagate, resolve

DEFAULT_DETECTORS = (
    "email.v1",
    "phone.v1",
    "credit_card.v1",
    "us_ssn.v1",
    "iban.v1",
    "ip_address.v1",
    "mac_address.v1",
    "url.v1",
    "crypto_wallet.v1",
    "national_id.v1",
    "secrets.v1",
    "address.v1",
    "date.v1",
    "context.v1",
    "structured_names.v1",
)

# Lines of an assistant turn worth the NER cost: two capitalised words in a row not at a sentence
# start, a title, a greeting or sign-off, or capitals (names in headers and signatures).
_GATE = re.compile(
    r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zà-ÿ'’]{1,20}\s[A-Z][a-zà-ÿ'’]{1,20}"
    r"|\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s|\b(?:Dear|Hi|Hello|Hey|Regards|Sincerely|Thanks),?\s"
    r"|\b[A-Z]{3,}\s[A-Z]{3,}\b",
    re.MULTILINE,
)


# Words NER could take for a name: capitalised (or in capitals), outside the stop-word list.
_CANDIDATE = re.compile(r"\b[A-ZÀ-ÖØ-Þ][^\W\d_]['’\w-]{0,40}")


class AnalyzerConfig(BaseModel):
    """What the analyzer runs. Detector names are versioned registry names (``email.v1``, …)."""

    model_config = ConfigDict(extra="forbid")

    detectors: list[str] = Field(default_factory=lambda: list(DEFAULT_DETECTORS))
    detector_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    ner: str | None = "ner.spacy.v1"
    ner_options: dict[str, Any] = Field(default_factory=dict)
    ner_policy: Literal["all", "gated", "windows", "roles", "off"] = "gated"
    #: Characters of context kept on each side of a candidate word in ``windows`` mode.
    ner_window: int = Field(64, ge=16, le=1024)
    ner_roles: list[str] = Field(default_factory=lambda: ["user", "system"])
    #: Labels kept from NER on gated lines of other roles: an organisation or place an assistant names
    #: on its own is almost never the user's; if the user named it, propagation marks it anyway.
    ner_gated_labels: list[str] = Field(default_factory=lambda: ["PERSON"])
    default_threshold: float = Field(0.5, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    locale_hints: list[str] = Field(default_factory=list)
    propagate_labels: list[str] = Field(
        default_factory=lambda: ["PERSON", "LOCATION", "ORGANIZATION", "EMAIL", "USERNAME", "ADDRESS", "PHONE"]
    )

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, self.default_threshold)


class Analyzer:
    """Cheap to construct and to pickle; detectors (and the spaCy model) load on first use."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        for name in [*self.config.detectors, *([self.config.ner] if self.config.ner else [])]:
            DETECTORS.get(name)  # fail at construction on an unknown name, not in a worker
        self._detectors: list[Detector] | None = None
        self._ner: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "_detectors": None, "_ner": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def load(self) -> Analyzer:
        """Build the detectors and load the NER model now (a worker's ``setup()``)."""
        if self._detectors is None:
            opts = self.config.detector_options
            self._detectors = [DETECTORS.get(n)(**opts.get(n, {})) for n in self.config.detectors]
        if self._ner is None and self.config.ner and self.config.ner_policy != "off":
            self._ner = DETECTORS.get(self.config.ner)(**self.config.ner_options)
            if hasattr(self._ner, "load"):
                self._ner.load()
        return self

    # -- public API -------------------------------------------------------------------------------

    def analyze(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        return self.analyze_many([text], [context or DetectionContext()])[0]

    def analyze_many(self, texts: Sequence[str], contexts: Sequence[DetectionContext | None]) -> list[list[Finding]]:
        """Findings for each text, resolved; NER batched over all of them."""
        if len(texts) != len(contexts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        raw = self._raw_many(texts, contexts)
        return [resolve(found, self.config.threshold, text) for found, text in zip(raw, texts, strict=True)]

    def analyze_conversation(
        self, texts: Sequence[str], contexts: Sequence[DetectionContext | None]
    ) -> list[list[Finding]]:
        """Like ``analyze_many`` over the turns of one conversation, plus cross-turn propagation."""
        return self.analyze_conversations([(texts, contexts)])[0]

    def analyze_conversations(
        self, conversations: Sequence[tuple[Sequence[str], Sequence[DetectionContext | None]]]
    ) -> list[list[list[Finding]]]:
        """Many conversations at once (NER batched over all their turns); per conversation, per
        turn, the resolved findings after propagation of surface forms across that conversation's turns."""
        flat_texts: list[str] = []
        flat_contexts: list[DetectionContext | None] = []
        for texts, contexts in conversations:
            if len(texts) != len(contexts):
                raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
            flat_texts.extend(texts)
            flat_contexts.extend(contexts)
        raw = self._raw_many(flat_texts, flat_contexts)
        out: list[list[list[Finding]]] = []
        pos = 0
        for texts, _ in conversations:
            conv_raw = raw[pos : pos + len(texts)]
            pos += len(texts)
            first = [resolve(found, self.config.threshold, t) for found, t in zip(conv_raw, texts, strict=True)]
            extra = propagate(texts, first, set(self.config.propagate_labels))
            out.append([resolve(f + e, self.config.threshold, t) for f, e, t in zip(first, extra, texts, strict=True)])
        return out

    # -- internals --------------------------------------------------------------------------------

    def _context(self, context: DetectionContext | None) -> DetectionContext:
        ctx = context or DetectionContext()
        if self.config.locale_hints and not ctx.locale_hints:
            ctx = DetectionContext(ctx.role, ctx.conversation_id, tuple(self.config.locale_hints), ctx.extra)
        return ctx

    def _raw_many(self, texts: Sequence[str], contexts: Sequence[DetectionContext | None]) -> list[list[Finding]]:
        self.load()
        assert self._detectors is not None
        out: list[list[Finding]] = []
        for text, context in zip(texts, contexts, strict=True):
            ctx = self._context(context)
            found: list[Finding] = []
            for det in self._detectors:
                found.extend(det.detect(text, ctx))
            out.append(found)
        if self._ner is not None:
            segments: list[tuple[int, int, int, bool]] = []  # (text index, start, end, gated)
            for i, (text, context) in enumerate(zip(texts, contexts, strict=True)):
                segments.extend((i, s, e, gated) for s, e, gated in self.ner_segments(text, context))
            if segments:
                gated_labels = set(self.config.ner_gated_labels)
                results = self._ner.detect_many([texts[i][s:e] for i, s, e, _ in segments])
                for (i, s, _, gated), found in zip(segments, results, strict=True):
                    out[i].extend(
                        Finding(f.start + s, f.end + s, f.label, f.score, f.detector, f.explanation)
                        for f in found
                        if not gated or f.label in gated_labels
                    )
        return out

    def _windows(self, text: str) -> list[tuple[int, int, bool]]:
        """Windows of context around each word NER could call a name (capitalised, not a stop word)."""
        pad = self.config.ner_window
        out: list[tuple[int, int, bool]] = []
        for m in _CANDIDATE.finditer(text):
            if m.group().lower() in STOP_WORDS:
                continue
            start = text.rfind(" ", 0, max(0, m.start() - pad)) + 1
            end = text.find(" ", min(len(text), m.end() + pad))
            end = len(text) if end < 0 else end
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end), False)
            else:
                out.append((start, end, False))
        return out

    def ner_segments(self, text: str, context: DetectionContext | None) -> list[tuple[int, int, bool]]:
        """The parts of ``text`` NER runs on, by role and policy (see the module docstring)."""
        if not text.strip():
            return []
        policy = self.config.ner_policy
        role = (context.role if context else None) or "user"
        if policy == "all" or (role in self.config.ner_roles and policy != "windows"):
            return [(0, len(text), False)]
        if policy == "windows" and role in self.config.ner_roles:
            return self._windows(text)
        if policy not in ("gated", "windows"):
            return []
        segments: list[tuple[int, int, bool]] = []
        pos = 0
        for line in text.split("\n"):
            end = pos + len(line)
            if _GATE.search(line):
                if segments and segments[-1][1] == pos - 1:
                    segments[-1] = (segments[-1][0], end, True)  # merge adjacent lines: fewer, longer docs
                else:
                    segments.append((pos, end, True))
            pos = end + 1
        return segments
