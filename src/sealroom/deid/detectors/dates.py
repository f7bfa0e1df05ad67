"""Calendar dates (numeric and written, English and main EU languages); dates of birth score higher.

Bare years and times are left alone: they rarely identify anyone and are everywhere in chat text.
"""

from __future__ import annotations

import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector, cue_before

_MONTHS = (
    r"(?:jan(?:uary|vier|uar)?|feb(?:ruary|ruar)?|févr(?:ier)?|mar(?:ch|s|zo)?|märz|apr(?:il)?|avr(?:il)?|abr(?:il)?|"
    r"may|mai|mayo|jun(?:e|i|io)?|juin|jul(?:y|i|io)?|juil(?:let)?|aug(?:ust)?|août|ago(?:sto)?|"
    r"sep(?:t|tember|tembre|tiembre)?|oct(?:ober|obre|ubre)?|okt(?:ober)?|nov(?:ember|embre|iembre)?|"
    r"dec(?:ember)?|déc(?:embre)?|dez(?:ember)?|dic(?:iembre)?|enero|febrero|marzo|junio|julio|"
    r"janvier|février|mars|juillet|septembre|octobre|novembre|décembre)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    r"(?i)(?<![\w/.-])(?:"
    # ISO 2024-03-05, 2024/03/05
    + _YEAR
    + r"[-/.](?:0?[1-9]|1[0-2])[-/.](?:[12]\d|3[01]|0?[1-9])(?![\d])"
    # 03/05/2024, 5.3.2024, 05-03-24
    + r"|(?:[12]\d|3[01]|0?[1-9])[/.-](?:[12]\d|3[01]|0?[1-9])[/.-](?:"
    + _YEAR
    + r"|\d{2})(?![\d]|[/.-]\d)"
    # March 5, 2024 / March 5th / Mar. 5 2024
    + r"|"
    + _MONTHS
    + r"\s{1,2}"
    + _DAY
    + r"(?:,?\s{1,2}"
    + _YEAR
    + r")?(?![\w])"
    # 5 March 2024 / 5th of March / 5 de marzo de 2024 / 5. März 2024
    + r"|"
    + _DAY
    + r"\s{1,2}(?:of\s{1,2}|de\s{1,2})?"
    + _MONTHS
    + r"(?:,?\s{1,2}(?:de\s{1,2})?"
    + _YEAR
    + r")?(?![\w])"
    + r")"
)
_DOB_CUE = re.compile(r"(?i)(?:born|birth|dob|d\.o\.b|birthday|bday|geboren|né|née|nacido|nacida|fecha de nacimiento)")


@DETECTORS.register("date.v1")
class DateDetector(BaseDetector):
    name = "date.v1"
    labels = ("DATE",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in _DATE.finditer(text):
            s = m.group()
            end = m.end() - (1 if s.endswith(".") else 0)
            dob = cue_before(text, m.start(), _DOB_CUE, 32)
            has_digit_year = any(ch.isdigit() for ch in s[-4:]) or s.count("/") == 2 or s.count("-") == 2
            score = 0.95 if dob else (0.7 if has_digit_year else 0.55)
            out.append(self.finding(m.start(), end, "DATE", score, "date of birth" if dob else "calendar date"))
        return out
