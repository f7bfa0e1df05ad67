"""Street addresses as whole spans: number, street, unit, city, region, postal code, country.

An address is a chain of *segments* separated by commas or line breaks. Chains are anchored on
the strongest signals — a locality with a postal code (US "Springfield, IL 62704", CA "ON M5V 2T6",
AU "NSW 2000", UK "SW1A 1AA", NL "1015 CJ", EU "75002 Paris", IN "Pune-411001") or a street with a
known street type ("221B Baker Street", "12, rue de la Paix", "Calle Mayor 5", "Hauptstraße 12",
"PO Box 12") — and extended over neighbouring segments that read like address parts: a numbered
street ("40 Chavez Turn", "Silpad 7"), a unit ("Flat 4", "Apt. 385"), a house number alone, a
city ("Port Rosemary", "Medolla (MO)"), a postal code, a country. A chain must hold a street, a
unit or a house number: "Springfield, IL 62704" alone is a place, not an address. Presidio has no
address recognizer; its NER splits addresses into pieces.
"""

from __future__ import annotations

import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector
from sealroom.deid.detectors.address_parts import (
    CITY,
    COUNTRY,
    LOCALITY,
    NUM,
    POSTAL_ONLY,
    STREET_ANCHORS,
    STREET_TAIL,
    SUFFIX_END,
    UNIT,
)

_SEP_BEFORE = re.compile(r"(?:[ \t]{0,2},[ \t]{0,2}(?:\r?\n[ \t]{0,8})?|[ \t]{0,2}\r?\n[ \t]{0,8})$")
_SEP_AFTER = re.compile(r"[ \t]{0,2},[ \t]{0,2}(?:\r?\n[ \t]{0,8})?|[ \t]{0,2}\r?\n[ \t]{0,8}")
_NUMBER_ONLY = re.compile(NUM + r"$")
_UNIT_ONLY = re.compile(UNIT + r"$")
_CITY_ONLY = re.compile(CITY + r"(?:[ ]\([A-Z]{2}\))?$")
_NOT_CITY = frozenset(
    [
        "thanks",
        "thank",
        "regards",
        "best",
        "cheers",
        "sincerely",
        "phone",
        "email",
        "e-mail",
        "tel",
        "mobile",
        "cell",
        "fax",
        "hi",
        "hello",
        "dear",
        "yes",
        "no",
        "ok",
        "okay",
        "please",
        "note",
        "address",
        "name",
        "date",
        "dob",
        "ssn",
        "born",
        "new",
        "old",
    ]
)
_MAX_SEGMENT = 64


def _kind(segment: str) -> tuple[str, int] | None:
    """What an address segment is, and where inside it the address part starts (0 = whole)."""
    if _UNIT_ONLY.match(segment):
        return "unit", 0
    if _NUMBER_ONLY.match(segment):
        return "number", 0
    if SUFFIX_END.search(segment):
        m = STREET_TAIL.search(segment)
        if m:
            return "street", m.start()  # "64482 Amanda Loop" reads like "30060 Bautzen" but ends in a street type
    if POSTAL_ONLY.match(segment) or LOCALITY.fullmatch(segment):
        return "postal", 0
    if COUNTRY.fullmatch(segment):
        return "country", 0
    m = STREET_TAIL.search(segment)
    if m:
        return "street", m.start()
    if _CITY_ONLY.match(segment) and segment.split(" ")[0].lower() not in _NOT_CITY:
        return "city", 0
    return None


def _segment_before(text: str, pos: int) -> tuple[int, int] | None:
    head = text[max(0, pos - 12) : pos]
    m = _SEP_BEFORE.search(head)
    if not m or m.end() == m.start():
        return None
    end = pos - (len(head) - m.start())
    lo = max(0, end - _MAX_SEGMENT)
    cut = max(text.rfind(",", lo, end), text.rfind("\n", lo, end))
    start = cut + 1 if cut >= 0 else lo
    while start < end and text[start] in " \t":
        start += 1
    return (start, end) if start < end else None


def _segment_after(text: str, pos: int) -> tuple[int, int] | None:
    m = _SEP_AFTER.match(text, pos)
    if not m or m.end() == pos:
        return None
    start = m.end()
    hi = min(len(text), start + _MAX_SEGMENT)
    cands = [i for i in (text.find(",", start, hi), text.find("\n", start, hi)) if i >= 0]
    end = min(cands) if cands else hi
    # A sentence may go on after the last segment ("…, Springfield. Thanks"): cut at its end.
    stop = re.search(r"[.!?;)\"”](?:\s|$)| (?:to|and|or|but|for|from|in|on|at|is|was) ", text[start:end])
    if stop:
        end = (
            start
            + stop.start()
            + (1 if text[start + stop.start()] == "." and _abbrev_dot(text, start + stop.start()) else 0)
        )
    while end > start and text[end - 1] in " \t":
        end -= 1
    return (start, end) if start < end else None


def _abbrev_dot(text: str, dot: int) -> bool:
    word = text[max(0, dot - 5) : dot].rsplit(" ", 1)[-1]
    return 0 < len(word) <= 3 and word[:1].isupper()


@DETECTORS.register("address.v1")
class AddressDetector(BaseDetector):
    name = "address.v1"
    labels = ("ADDRESS",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        if not any(ch.isdigit() for ch in text):
            return []
        chains: list[tuple[int, int, float, str]] = []
        for regex, why in STREET_ANCHORS:
            for m in regex.finditer(text):
                s, e = m.span("s") if "s" in regex.groupindex else m.span()
                chain = self._chain(text, s, e, "street", why)
                if chain:
                    chains.append(chain)
        for m in LOCALITY.finditer(text):
            chain = self._chain(text, m.start(), m.end(), "postal", "postal locality")
            if chain:
                chains.append(chain)
        return [self.finding(s, e, "ADDRESS", score, why) for s, e, score, why in chains]

    def _chain(self, text: str, start: int, end: int, kind: str, why: str) -> tuple[int, int, float, str] | None:
        kinds = [kind]
        # Backward over address-like segments; the chain starts at its first street/unit/number.
        first_part = start if kind in ("street", "unit", "number") else None
        pos = start
        for _ in range(5):
            seg = _segment_before(text, pos)
            if seg is None:
                break
            k = _kind(text[seg[0] : seg[1]])
            if k is None:
                break
            seg_kind, offset = k
            kinds.insert(0, seg_kind)
            pos = seg[0] + offset
            if seg_kind in ("street", "unit", "number"):
                first_part = pos
            if offset > 0:
                break
        if first_part is None:
            # Postal anchor without a street before it: maybe the street follows ("Calle Mayor 5" is
            # caught as a street anchor itself) — nothing to build here.
            return None
        # Forward: after a street, units/cities/postal/country; after a postal code, a city once.
        end_pos = end
        last = kind
        cities_in_row = 0
        has_postal = kind == "postal" or "postal" in kinds
        for _ in range(5):
            seg = _segment_after(text, end_pos)
            if seg is None:
                break
            k = _kind(text[seg[0] : seg[1]])
            if k is None or k[1] != 0:
                break
            seg_kind = k[0]
            if seg_kind == "city":
                if has_postal and last != "postal":
                    break
                cities_in_row += 1
                if cities_in_row > 2:
                    break
            elif seg_kind in ("street", "number") and has_postal:
                break  # the next address in a list
            elif seg_kind == "postal":
                has_postal = True
            end_pos = seg[1]
            last = seg_kind
            kinds.append(seg_kind)
            if seg_kind == "country":
                break
        if last == "city" and not has_postal:
            # "12 Oak Street, Springfield" counts the city only when the sentence ends there.
            after = text[end_pos : end_pos + 1]
            if after not in ("", ".", "!", "?", "\n", ")", '"'):
                end_pos = self._drop_last(text, start, end_pos)
        while end_pos > first_part and text[end_pos - 1] in " ,\t\n":
            end_pos -= 1
        if text[end_pos - 1 : end_pos] == "." and not _abbrev_dot(text, end_pos - 1):
            end_pos -= 1  # the sentence's full stop, not an abbreviation's ("St.")
        if end_pos - first_part < 6:
            return None
        score = 0.95 if has_postal else (0.8 if kind == "street" else 0.6)
        return first_part, end_pos, score, why + (" with postal code" if has_postal and kind != "postal" else "")

    @staticmethod
    def _drop_last(text: str, start: int, end: int) -> int:
        cut = max(text.rfind(",", start, end), text.rfind("\n", start, end))
        return cut if cut > start else end
