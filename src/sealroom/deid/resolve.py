"""Turn raw, overlapping detector output into sorted, non-overlapping findings; propagate surface
forms across the turns of a conversation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from sealroom.deid.base import Finding

_EDGE = " \t\r\n"
# Labels whose findings are checked by syntax or checksum: at equal confidence they beat a phone,
# date or id reading of the same digits.
_VALIDATED = frozenset(
    {"CREDIT_CARD", "IBAN", "CRYPTO_WALLET", "CREDENTIAL", "EMAIL", "URL", "IP_ADDRESS", "MAC_ADDRESS", "US_SSN"}
)
# Words that are names sometimes but ordinary words far more often: never propagated on their own.
_AMBIGUOUS_PARTS = frozenset(
    """will may june april august grace hope joy faith bill mark rose lily iris amber ruby pearl summer autumn
    dawn eve art frank sunny chase hunter brook river sky star page rich young long short""".split()  # noqa: SIM905
)


def _trimmed(f: Finding, text: str | None) -> Finding | None:
    if text is None:
        return f if f.end > f.start else None
    start, end = f.start, f.end
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    if end <= start:
        return None
    if (start, end) == (f.start, f.end):
        return f
    return Finding(start, end, f.label, f.score, f.detector, f.explanation)


def _merge_same_label(found: list[Finding]) -> list[Finding]:
    """Union overlapping spans of one label (``John`` inside ``John Smith``), keeping the best score."""
    by_label: dict[str, list[Finding]] = {}
    for f in found:
        by_label.setdefault(f.label, []).append(f)
    merged: list[Finding] = []
    for items in by_label.values():
        items.sort(key=lambda f: (f.start, -f.end))
        cur = items[0]
        for f in items[1:]:
            if f.start < cur.end:
                best = cur if cur.score >= f.score else f
                cur = Finding(cur.start, max(cur.end, f.end), cur.label, best.score, best.detector, best.explanation)
            else:
                merged.append(cur)
                cur = f
        merged.append(cur)
    return merged


def resolve(
    found: Sequence[Finding], threshold: Callable[[str], float] | float = 0.0, text: str | None = None
) -> list[Finding]:
    """Drop findings under their label's threshold, merge same-label overlaps, then pick among
    overlapping labels: higher score first (in steps of 0.1), then the longer span."""
    limit = threshold if callable(threshold) else (lambda _label: float(threshold))
    kept = [t for f in found if f.score >= limit(f.label) and (t := _trimmed(f, text)) is not None]
    if not kept:
        return []
    candidates = _merge_same_label(kept)
    candidates.sort(
        key=lambda f: (
            -int(f.score * 10 + 1e-9),
            -(f.label in _VALIDATED),
            -(f.end - f.start),
            -f.score,
            f.start,
            f.label,
        )
    )
    accepted: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for f in candidates:
        if any(f.start < e and s < f.end for s, e in taken):
            continue
        accepted.append(f)
        taken.append((f.start, f.end))
    accepted.sort(key=lambda f: (f.start, f.end))
    return accepted


def _forms(texts: Sequence[str], findings: Sequence[Sequence[Finding]], labels: set[str]) -> dict[str, Finding]:
    """Surface forms to look for, each with the finding it came from. A PERSON also contributes its
    parts ("Jane Smith" → "Jane", "Smith"), which are matched case-sensitively (title or capitals)."""
    forms: dict[str, Finding] = {}
    for text, found in zip(texts, findings, strict=True):
        for f in found:
            if f.label not in labels:
                continue
            surface = text[f.start : f.end]
            if len(surface) < 3 or "\n" in surface:
                continue
            if " " in surface.strip() or f.label not in ("PERSON", "LOCATION", "ORGANIZATION"):
                forms.setdefault(surface.lower(), f)
            elif surface[:1].isupper() and surface.lower() not in _AMBIGUOUS_PARTS:
                forms.setdefault("\x00" + surface, f)  # one-word names: only as written (title/caps)
            if f.label == "PERSON":
                for part in re.split(r"[\s,]+", surface):
                    part = part.strip(".'’")
                    if len(part) >= 3 and part[:1].isupper() and part.lower() not in _AMBIGUOUS_PARTS:
                        forms.setdefault("\x00" + part, f)
    return forms


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _occurrences(hay: str, needle: str) -> Iterator[int]:
    """Starts of ``needle`` in ``hay`` on word boundaries (plain ``str.find``: no regex to compile)."""
    i = hay.find(needle)
    while i >= 0:
        j = i + len(needle)
        if (i == 0 or not _is_word_char(hay[i - 1])) and (j == len(hay) or not _is_word_char(hay[j])):
            yield i
        i = hay.find(needle, i + 1)


def propagate(texts: Sequence[str], findings: Sequence[Sequence[Finding]], labels: set[str]) -> list[list[Finding]]:
    """Extra findings for every other occurrence, in any of ``texts``, of a surface form found once.

    Whole forms match case-insensitively on word boundaries; one-word names and name parts match
    only as written in title case or capitals, so "Will" the name does not turn every "will" into a
    PERSON. A possessive "'s" after a name part stays outside the span.
    """
    forms = _forms(texts, findings, labels)
    out: list[list[Finding]] = [[] for _ in texts]
    if not forms:
        return out
    whole = [k for k in forms if not k.startswith("\x00")]
    parts = [k[1:] for k in forms if k.startswith("\x00")]
    for extra, text in zip(out, texts, strict=True):
        lowered = text.lower()
        same_length = len(lowered) == len(text)  # a few characters change length when lower-cased
        for form in whole:
            src = forms[form]
            needles = [form] if same_length else list({form, form.upper(), form.title(), text[src.start : src.end]})
            hay = lowered if same_length else text
            for needle in needles:
                for i in _occurrences(hay, needle):
                    extra.append(
                        Finding(i, i + len(needle), src.label, src.score, "propagate.v1", "same form elsewhere")
                    )
        for part in parts:
            src = forms["\x00" + part]
            for variant in {part, part.upper(), part[:1].upper() + part[1:].lower()}:
                for i in _occurrences(text, variant):
                    extra.append(
                        Finding(i, i + len(variant), src.label, min(src.score, 0.75), "propagate.v1", "name part")
                    )
                for suffix in ("'s", "’s"):
                    for i in _occurrences(text, variant + suffix):
                        extra.append(
                            Finding(i, i + len(variant), src.label, min(src.score, 0.75), "propagate.v1", "name part")
                        )
    return [sorted(set(extra), key=lambda f: (f.start, f.end, f.label)) for extra in out]
