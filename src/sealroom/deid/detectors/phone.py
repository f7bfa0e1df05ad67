"""Phone numbers of every region, with and without a country code, validated by ``phonenumbers``.

A cheap regex finds digit runs written like phone numbers (separators, parentheses, a leading
``+`` or ``00``); ``phonenumbers`` then decides. A number with a country code is parsed on its own;
one without is tried against the locale hints (the analyzer's default list covers the main
English-speaking and EU regions) and accepted when it is a valid number there, or when it is a
possible number and a context word ("call", "tel", "mobile", …) precedes it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector, cue_before
from sealroom.deid.detectors.patterns import SSN_CUE

DEFAULT_REGIONS = ("US", "GB", "CA", "AU", "DE", "FR", "ES", "IN", "IT", "NL", "IE")

# A run that starts like a phone number and has 7-20 digits in groups; spaces only inside a line.
_CANDIDATE = re.compile(
    r"(?<![\w+.,/-])(?:\+|\b00)?[ ]?(?:\(\+?\d{1,5}\)[ .-]?)?\d{1,15}"
    r"(?:(?:[ \u00a0.\-/]{1,2}|[ ]?\(0\)[ ]?)(?:\(\d{1,10}\)|\d{1,10})){0,7}"
    r"(?:[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w]|[.,-]\d)"
)
_DATE_LIKE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?)$")
_SSN_LIKE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_DECIMAL = re.compile(r"^\d{1,4}\.\d{1,12}$")  # 56.789123: a measurement or a coordinate
_CUE = re.compile(
    r"(?i)(?:phone|\btel\b|tél|telefon|teléfono|mobile|mobil|\bcell|\bcall|\btext|\bsms|whatsapp|\bfax|"
    r"(?:my|your|his|her|their|our|contact|the)\s{1,2}number|reach|\bring\b|landline|\bdial|nummer|numéro|móvil|"
    r"portable|\bph\b|\bmob\b|\bm:|\bt:)"
)
_GROUPS = re.compile(r"\d+")
_EXTENSION = re.compile(r"(?i)[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6}$")


def _digit_count(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


@DETECTORS.register("phone.v1")
class PhoneDetector(BaseDetector):
    name = "phone.v1"
    labels = ("PHONE",)

    def __init__(self, regions: tuple[str, ...] | list[str] | None = None, **options: object) -> None:
        super().__init__(**options)
        self.regions = tuple(regions or DEFAULT_REGIONS)

    def _regions(self, context: DetectionContext | None) -> tuple[str, ...]:
        hints = tuple(h.split("_")[-1].upper() for h in (context.locale_hints if context else ()) if h)
        return tuple(dict.fromkeys(hints + self.regions))

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out: list[Finding] = []
        regions: tuple[str, ...] | None = None
        for m in _CANDIDATE.finditer(text):
            s = m.group()
            start = m.start()
            # The regex may take a leading space after "+" or a trailing separator; trim them.
            lead = len(s) - len(s.lstrip())
            s = s.strip()
            start += lead
            if s.endswith(")") and s.count("(") < s.count(")"):
                s = s[:-1]  # "(call 555-0132)": the parenthesis closes the sentence's, not the number's
            if s.startswith("(") and s.count("(") > s.count(")"):
                s, start = s[1:], start + 1
            body = _EXTENSION.sub("", s)
            n = _digit_count(body)
            if n < 7 or n > 17 or _DATE_LIKE.match(body) or _SSN_LIKE.match(body) or _DECIMAL.match(body):
                continue
            if n == 9 and cue_before(text, start, SSN_CUE, 48):
                continue  # a nine-digit number right after "SSN" is the SSN detector's
            if sum(len(g) == 1 for g in _GROUPS.findall(body.lstrip("+"))[1:]) > 2:
                continue  # "1 2 3 4 5 6 7" is a list of numbers, not a phone number
            if regions is None:
                regions = self._regions(context)
            found = _judge(body, cue_before(text, start, _CUE, 32), regions)
            if found is not None:
                score, why = found
                out.append(self.finding(start, start + len(s), "PHONE", score, why))
        return out


@lru_cache(maxsize=4096)
def _judge(body: str, cue: bool, regions: tuple[str, ...]) -> tuple[float, str] | None:
    """(score, why) for a candidate; cached, as the same numbers recur across a conversation's turns."""
    international = body.startswith("+") or body.startswith("00")
    if international:
        number = "+" + body[2:] if body.startswith("00") else body
        number = number.replace("(0)", "")  # the UK/DE habit "+44 (0)20 ..." marks an optional trunk 0
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            return None
        region = phonenumbers.region_code_for_number(parsed) or "?"
        if phonenumbers.is_valid_number(parsed):
            return 0.95, f"valid {region} number with country code"
        if phonenumbers.is_possible_number(parsed):
            return (0.8 if cue else 0.6), f"possible {region} number with country code"
        return None
    has_sep = any(not ch.isdigit() for ch in body)
    possible_in: str | None = None
    for region in regions:
        try:
            parsed = phonenumbers.parse(body, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            # A bare run of digits is a phone number only if long enough or introduced as one.
            score = 0.85 if (has_sep or cue) else (0.6 if _digit_count(body) >= 10 else 0.4)
            return score + (0.1 if cue else 0.0), f"valid {region} number"
        if possible_in is None and phonenumbers.is_possible_number(parsed):
            possible_in = region
    if possible_in is not None and (cue or (has_sep and ("(" in body or body.startswith("0")))):
        return (0.75 if cue else 0.55), f"possible {possible_in} number" + (", phone context word" if cue else "")
    return None
