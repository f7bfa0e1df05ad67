"""``keywords.v1``: a transparent evidence-counting classifier (the default).

Each category scores the *distinct* keywords and patterns of the taxonomy found in the
conversation, weighted by where they occur (the first user request counts most, assistant text
least); a softmax over the scores gives the confidence. Nothing in the text is interpreted as an
instruction, and repeating a word does not add to its weight, so one record cannot steer its own
label beyond what its vocabulary honestly says (THREATS: poisoned inputs).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from sealroom.classify.base import (
    CLASSIFIERS,
    MAX_ASSISTANT_CHARS,
    MAX_USER_CHARS,
    Classification,
    role_text,
)
from sealroom.classify.language import LanguageDetector
from sealroom.classify.taxonomy import Category, Taxonomy
from sealroom.schema import Conversation

#: The opening of the first user message usually states the request; what follows is often pasted.
REQUEST_CHARS = 300
REQUEST_WEIGHT = 3.0
FIRST_REQUEST_WEIGHT = 1.0
USER_WEIGHT = 1.0
ASSISTANT_WEIGHT = 0.25
WORK_CUE_WEIGHT = 0.7
PERSONAL_CUE_WEIGHT = 0.9
WORK_BIAS = -0.6


_UNIT = re.compile(r"[\w'’#+]+(?:[-/.][\w'’#+]+)*")
_SPLIT = re.compile(r"[-/.]")
MAX_PHRASE_WORDS = 6


class _Tokens:
    """A text's words, once: its units ("ci/cd", "e-mail") and their parts ("e", "mail")."""

    __slots__ = ("_positions", "patterns", "sequence", "text", "words")

    def __init__(self, text: str, patterns: bool = True) -> None:
        self.text = text
        #: whether the taxonomy's regular expressions run on this text (not on assistant text: a
        #: weak signal, and the bulk of the characters)
        self.patterns = patterns
        self.words: set[str] = set()
        self.sequence: list[str] = []
        for unit in _UNIT.findall(text.lower()):
            self.words.add(unit)
            parts = _SPLIT.split(unit) if ("-" in unit or "/" in unit or "." in unit) else [unit]
            self.words.update(parts)
            self.sequence.extend(p for p in parts if p)
        self._positions: dict[str, list[int]] | None = None

    def positions(self, word: str) -> list[int]:
        """Where ``word`` starts in the sequence (indexed on first use: most texts never need it)."""
        if self._positions is None:
            index: dict[str, list[int]] = {}
            for i, w in enumerate(self.sequence):
                index.setdefault(w, []).append(i)
            self._positions = index
        return self._positions.get(word, [])


class _Matcher:
    """Distinct cues of one category found in a text: keywords (words and phrases) and patterns.

    Single words are set lookups and phrases are checked only where their first word occurs, so
    the cost is linear in the text and nearly independent of the size of the taxonomy.
    """

    def __init__(self, keywords: Sequence[str], patterns: Sequence[str]) -> None:
        self.singles: set[str] = set()
        self.phrases: dict[str, list[tuple[str, ...]]] = {}
        for kw in {k.lower() for k in keywords}:
            words = tuple(w for w in _SPLIT.sub(" ", kw).split() if w) if " " in kw else (kw,)
            if len(words) == 1:
                self.singles.add(words[0])
            else:
                self.phrases.setdefault(words[0], []).append(words[:MAX_PHRASE_WORDS])
        self.patterns = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns]

    def cues(self, tokens: _Tokens) -> set[str]:
        found = tokens.words & self.singles
        seq = tokens.sequence
        for first in tokens.words.intersection(self.phrases):
            for i in tokens.positions(first):
                for phrase in self.phrases[first]:
                    if tuple(seq[i : i + len(phrase)]) == phrase:
                        found.add(" ".join(phrase))
        for i, p in enumerate(self.patterns if tokens.patterns else ()):
            if p.search(tokens.text):
                found.add(f"pattern:{i}")
        return found


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _weighted_score(matcher: _Matcher, segments: Iterable[tuple[_Tokens, float]]) -> float:
    """Per segment, the log of one plus its number of distinct cues, weighted by the segment.

    Distinct: repetition adds nothing. Logarithmic: a long pasted document (a CV, a manual) matches
    many words of a large vocabulary, which must not drown the few words of the actual request.
    """
    return sum(weight * math.log1p(len(matcher.cues(tokens))) for tokens, weight in segments if tokens.text)


class KeywordClassifier:
    name = "keywords.v1"

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._topics = [(c, _Matcher(c.keywords, c.patterns)) for c in taxonomy.topics]
        self._intents = [(c, _Matcher(c.keywords, c.patterns)) for c in taxonomy.intents]
        self._work = _Matcher(taxonomy.work_keywords, taxonomy.work_patterns)
        self._personal = _Matcher(taxonomy.personal_keywords, ())
        self._language = LanguageDetector()

    def _pick(
        self, categories: list[tuple[Category, _Matcher]], segments: list[tuple[_Tokens, float]]
    ) -> tuple[str, float]:
        scores = [c.prior + _weighted_score(m, segments) for c, m in categories]
        probs = _softmax(scores)
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        return categories[best][0].name, probs[best]

    def classify(self, conversation: Conversation) -> Classification:
        user_msgs = [m.content for m in conversation.messages if m.active and m.role == "user" and m.content]
        first = user_msgs[0][:MAX_USER_CHARS] if user_msgs else ""
        rest = role_text(conversation, "user", MAX_USER_CHARS)[len(first) :]
        assistant = role_text(conversation, "assistant", MAX_ASSISTANT_CHARS)
        if not first:
            # nothing the user wrote: the fallback labels, with the confidence of a uniform guess
            t, i = self.taxonomy, self.taxonomy
            return Classification(
                topic=t.fallback_topic,
                topic_confidence=1.0 / len(t.topics),
                intent=i.fallback_intent,
                intent_confidence=1.0 / len(i.intents),
                work_related=False,
                work_confidence=0.5,
                language="und",
                language_confidence=0.0,
            )
        head, body = _Tokens(first[:REQUEST_CHARS]), _Tokens(first[REQUEST_CHARS:])
        rest_t = _Tokens(rest)
        topic_segments = [
            (head, REQUEST_WEIGHT),
            (body, FIRST_REQUEST_WEIGHT),
            (rest_t, USER_WEIGHT),
            (_Tokens(assistant, patterns=False), ASSISTANT_WEIGHT),
        ]
        topic, topic_conf = self._pick(self._topics, topic_segments)
        intent, intent_conf = self._pick(self._intents, [(head, REQUEST_WEIGHT), (rest_t, 0.5)])
        user_text = first + "\n" + rest
        user_tokens = _Tokens(user_text)
        topic_cat = next(c for c, _ in self._topics if c.name == topic)
        logit = (
            WORK_BIAS
            + topic_cat.work_prior
            + WORK_CUE_WEIGHT * len(self._work.cues(user_tokens))
            - PERSONAL_CUE_WEIGHT * len(self._personal.cues(user_tokens))
        )
        p_work = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))
        language, language_conf = self._language.detect(user_text)
        return Classification(
            topic=topic,
            topic_confidence=round(topic_conf, 4),
            intent=intent,
            intent_confidence=round(intent_conf, 4),
            work_related=p_work >= 0.5,
            work_confidence=round(max(p_work, 1.0 - p_work), 4),
            language=language,
            language_confidence=round(language_conf, 4),
        )


CLASSIFIERS.add(KeywordClassifier.name, KeywordClassifier)
