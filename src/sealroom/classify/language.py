"""Language identification with ``py3langid`` (a model shipped inside the PyPI package: offline)."""

from __future__ import annotations

from typing import Any

#: Characters looked at: language is settled long before this, and the cost stays bounded.
MAX_LANGUAGE_CHARS = 2_000


class LanguageDetector:
    def __init__(self) -> None:
        self._identifier: Any = None

    def _load(self) -> Any:
        if self._identifier is None:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

            self._identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
        return self._identifier

    def detect(self, text: str) -> tuple[str, float]:
        """ISO 639-1 code and normalised probability; ``("und", 0.0)`` when there is no text."""
        text = text[:MAX_LANGUAGE_CHARS]
        if not any(ch.isalpha() for ch in text):
            return "und", 0.0
        code, prob = self._load().classify(text)
        return str(code), float(prob)
