"""Conversation-level consistency: one entity per real value, and every mention of it treated.

The analyzer may run its expensive detectors only on some roles, and NER misses mentions it saw
elsewhere ("JANE", "jane's"). So every surface form found anywhere in a conversation is searched
for in every text of it, case-insensitively, and all mentions of one value ("Jane Smith", "Jane",
"Ms. Smith", "JANE", "Jane's") resolve to one :class:`Entity` with one pseudonym.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from sealroom.deid.base import Finding
from sealroom.deid.detectors.words import COMMON_WORDS, PARTICLES, known_names
from sealroom.deid.pseudonyms import _TOKEN, Entity, canonical, name_tokens, split_affixes

PROPAGATED = "consistency.v1"
#: Detector-name prefixes of statistical NER (its one-word names propagate only as written).
STATISTICAL = ("ner.",)

_LABEL_RANK = {"PERSON": 0}
_NAME_LABELS = frozenset({"PERSON", "ORGANIZATION", "LOCATION"})


class EntityTable:
    """Resolves (label, surface) to an :class:`Entity`, numbering entities per label in order of
    first appearance. Person names are grouped: a mention whose name tokens all belong to one
    earlier full name ("Jane", "Ms. Smith" after "Jane Smith") is that person."""

    def __init__(self, digest: Callable[[str, str], bytes]) -> None:
        self._digest = digest
        self._entities: dict[tuple[str, str], Entity] = {}
        self._groups: dict[str, str] = {}  # PERSON name token -> canonical full name owning it
        self._counts: dict[str, int] = {}

    def learn_names(self, surfaces: Iterable[str]) -> None:
        """Register full names (two or more tokens) in order, so their parts map to them."""
        for surface in surfaces:
            tokens = name_tokens(surface)
            if len(tokens) < 2:
                continue
            full = " ".join(tokens)
            for tok in tokens:
                if len(tok) > 1:
                    self._groups.setdefault(tok, full)

    def key(self, label: str, surface: str) -> tuple[str, str]:
        canon = canonical(label, surface)
        if label == "PERSON":
            owners = {self._groups.get(t) for t in canon.split() if len(t) > 1}
            if len(owners) == 1 and None not in owners:
                return label, owners.pop()  # type: ignore[return-value]
        return label, canon

    def resolve(self, label: str, surface: str) -> Entity:
        k = self.key(label, surface)
        entity = self._entities.get(k)
        if entity is None:
            number = self._counts.get(label, 0) + 1
            self._counts[label] = number
            entity = Entity(label, k[1], self._digest(label, k[1]), number, k[1].split())
            self._entities[k] = entity
        return entity

    def entities(self) -> list[Entity]:
        return list(self._entities.values())


def _forms(label: str, surface: str, min_chars: int, statistical: bool = False) -> list[tuple[str, bool]]:
    """(form, case_sensitive) pairs to search for.

    Whatever was replaced in one place must be replaced everywhere in the conversation, or the
    replacement itself points at what survived (``sealroom verify --against-replacements`` found
    exactly that on a real ChatGPT export: lower-case words, found once, were never propagated).
    So every form is searched, as written and capitalised at least:

    - a multi-word form and a structured value (e-mail, URL, credential, …) match in any case;
    - a single word, or a part of a person's name ("Jane", "Smith" of "Jane Smith"), matches in any
      case ("jane", "JANE", "Jane's") when a cue or structure found it, or when it is a known first
      or last name; a word that only statistical NER called a name ("Btw", "Video") matches as
      written, capitalised or in capitals: measured on the same export, matching those in any case
      multiplied every NER false positive across the conversation;
    - a common word ("Will", "Hope", "May") matches only as written, capitalised or in capitals, so
      "Will" the name does not turn every "will" into a PERSON; one- and two-letter parts and
      particles ("de", "van") are not searched on their own.

    Precision belongs to the detectors: a word so common that it cannot identify anyone must not be
    detected in the first place (``ner.keep_entity``, the cue detectors).
    """
    # the raw surface, not its NFKC form: the search must match the text as written
    s = surface.strip()
    if label not in _NAME_LABELS:
        return [(s, False)] if len(s) >= min_chars else []
    core = split_affixes(s)[1]
    out: list[tuple[str, bool]] = []
    tokens = _TOKEN.findall(core)
    if len(core) >= min_chars:
        if len(core.split()) > 1:
            out.append((core, False))
        else:
            out.append((core, _strict(core, statistical)))
    if label == "PERSON" and len(tokens) > 1:
        for t in tokens:
            if len(t) < max(2, min_chars) or t.casefold() in PARTICLES:
                continue
            if len(t) >= 3 and not _strict(t, statistical):
                out.append((t, False))
            elif t[:1].isupper():
                out.append((t, True))
    return out


def _strict(word: str, statistical: bool) -> bool:
    """Whether a one-word form matches only as written, capitalised or in capitals."""
    low = word.casefold()
    if len(word) < 3 or low in COMMON_WORDS:
        return True
    return statistical and low not in known_names()


def _pattern(form: str, case_sensitive: bool) -> str:
    # spaces in a form match any whitespace run ("Jane\nSmith" is still Jane Smith)
    body = r"\s+".join(re.escape(part) for part in form.split())
    if not case_sensitive:
        return body
    variants = {form, form[:1].upper() + form[1:], form.upper()}
    return "(?-i:" + "|".join(r"\s+".join(re.escape(p) for p in v.split()) for v in sorted(variants)) + ")"


# every whitespace character becomes a plain space (length-preserving), so "Jane\nSmith" is found
_SPACES = {ord(c): " " for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"}
_SPACES.update({cp: " " for cp in range(0x2000, 0x200B)})


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Propagator:
    """Finds every mention of the conversation's known surface forms in any text.

    Fast path: ``str.find`` of each lower-cased form in the lower-cased text with whitespace made
    plain, checking word boundaries by hand (compiling a regex per conversation cost more than the
    search). Texts whose lower-casing changes their length (a few scripts) take a regex instead.
    """

    def __init__(
        self, surfaces: Iterable[tuple[str, str] | tuple[str, str, bool]], labels: Sequence[str], min_chars: int
    ) -> None:
        """``surfaces``: (label, surface) or (label, surface, statistical), where ``statistical`` says
        that only statistical NER found it (see :func:`_forms`)."""
        allowed = set(labels)
        # lower-cased single-spaced form -> (label, original spellings allowed or None for any case)
        self._forms: dict[str, tuple[str, frozenset[str] | None]] = {}
        self._raw: dict[str, tuple[str, bool]] = {}  # key -> (form, case_sensitive), for the regex path
        for label, surface, *rest in surfaces:
            if label not in allowed:
                continue
            for form, case_sensitive in _forms(label, surface, min_chars, bool(rest and rest[0])):
                key = " ".join(form.split()).lower()
                prev = self._forms.get(key)
                # one label per form: a person's name wins over other labels for the same string
                if prev is not None and _LABEL_RANK.get(prev[0], 9) <= _LABEL_RANK.get(label, 9):
                    label = prev[0]
                variants = None
                if case_sensitive and (prev is None or prev[1] is not None):
                    plain = " ".join(form.split())
                    variants = frozenset({plain, plain[:1].upper() + plain[1:], plain.upper()})
                    if prev is not None and prev[1] is not None:
                        variants |= prev[1]
                self._forms[key] = (label, variants)
                if key not in self._raw or not case_sensitive:
                    self._raw[key] = (form, case_sensitive)
        self._regex: re.Pattern[str] | None = None

    def find(self, text: str, score: float = 1.0) -> list[Finding]:
        if not self._forms or not text:
            return []
        low = text.lower().translate(_SPACES)
        if len(low) != len(text):
            return self._find_regex(text, score)
        out = []
        n = len(text)
        for form, (label, variants) in self._forms.items():
            size = len(form)
            start = low.find(form)
            while start != -1:
                end = start + size
                bounded = (start == 0 or not _is_word(text[start - 1])) and (end == n or not _is_word(text[end]))
                if bounded and (variants is None or " ".join(text[start:end].split()) in variants):
                    out.append(Finding(start, end, label, score, PROPAGATED, "found elsewhere in the conversation"))
                start = low.find(form, start + 1)
        out.sort(key=lambda f: (f.start, -f.end))
        return out

    def _find_regex(self, text: str, score: float) -> list[Finding]:
        if self._regex is None:
            keys = sorted(self._raw, key=lambda k: (-len(k), k))
            alternation = "|".join(_pattern(*self._raw[k]) for k in keys)
            self._regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
        out = []
        for m in self._regex.finditer(text):
            found = self._forms.get(" ".join(m.group(0).split()).lower())
            if found is not None:
                out.append(
                    Finding(m.start(), m.end(), found[0], score, PROPAGATED, "found elsewhere in the conversation")
                )
        return out

    def __bool__(self) -> bool:
        return bool(self._forms)
