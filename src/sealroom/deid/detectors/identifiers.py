"""National and document identifiers: VIN, UK NINO, Canadian SIN, Indian PAN and Aadhaar, and
passport / driver's licence / medical record / account numbers named by a context word."""

from __future__ import annotations

import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector, cue_before, digits_of, luhn_ok, verhoeff_ok

_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
_VIN_VALUES.update(dict(zip("JKLMN", range(1, 6), strict=True)))
_VIN_VALUES.update({"P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))})
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_ok(vin: str) -> bool:
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


_VIN = re.compile(r"(?<![\w])[A-HJ-NPR-Z0-9]{17}(?![\w])")
_VIN_CUE = re.compile(r"(?i)\b(?:vin|vehicle identification|chassis)\b")
_NINO = re.compile(
    r"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
)
_SIN = re.compile(r"(?<![\d-])([1-79]\d{2})([ -]?)(\d{3})\2(\d{3})(?![\d]|-\d)")
_SIN_CUE = re.compile(r"(?i)\b(?:sin|social insurance|nas|numéro d'assurance)\b")
_PAN = re.compile(r"(?<![\w])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z](?![\w])")
_AADHAAR = re.compile(r"(?<![\d-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\d]|-\d)")
_AADHAAR_CUE = re.compile(r"(?i)\b(?:aadhaar|aadhar|uidai|uid)\b")
# A document named by a context word, then its number (letters and digits, at least one digit).
_DOC_ID = re.compile(
    r"(?i)\b(?P<kind>passport|driver'?s?\s{1,2}licen[cs]e|driving\s{1,2}licen[cs]e|licen[cs]e|DL|MRN|"
    r"medical\s{1,2}record|patient\s{1,2}(?:id|number)|health\s{1,2}(?:card|insurance)|NHS|medicare|medicaid|"
    r"member(?:ship)?\s{1,2}(?:id|number)|policy|account|acct|a/c|routing|sort\s{1,2}code|customer\s{1,2}(?:id|number)|"
    r"employee\s{1,2}(?:id|number)|student\s{1,2}(?:id|number)|tax\s{1,2}(?:id|number)|EIN|TIN|national\s{1,2}id|"
    r"ID\s{1,2}card|aadhaa?r|SIN|social\s{1,2}insurance|national\s{1,2}insurance|NINO|PAN|"
    r"ID|case|claim|order|invoice|ticket|reference|ref|badge|Personalausweis|DNI|NIE|NIF)"
    r"(?:\s{0,2}(?:number|num|no\.?|nr\.?|#|ID|is|was|:)){0,3}\s{0,2}[:#(]?\s{0,2}"
    r"(?P<value>(?=[A-Z0-9 -]{0,24}\d)[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])|[ ](?=\d)){3,24})(?![\w])"
)
_STRONG_KINDS = re.compile(
    r"(?i)^(?:passport|driver|driving|licen|dl$|mrn|medical|patient|health|nhs|medicare|medicaid|member|"
    r"account|acct|a/c|routing|sort|tax|ein|tin|national|id card|personalausweis|dni|nie|nif|policy|employee|"
    r"student|customer|aadhaa?r|sin$|social|nino|pan$)"
)


@DETECTORS.register("national_id.v1")
class NationalIdDetector(BaseDetector):
    name = "national_id.v1"
    labels = ("ID_NUMBER",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out: list[Finding] = []
        for m in _VIN.finditer(text):
            vin = m.group()
            if vin.isdigit() or vin.isalpha():
                continue
            cue = cue_before(text, m.start(), _VIN_CUE)
            if vin_check_ok(vin) or cue:
                out.append(self.finding(m.start(), m.end(), "ID_NUMBER", 0.9, "vehicle identification number"))
        for m in _NINO.finditer(text):
            out.append(self.finding(m.start(), m.end(), "ID_NUMBER", 0.85, "UK National Insurance number format"))
        for m in _SIN.finditer(text):
            digits = digits_of(m.group())
            if not luhn_ok(digits):
                continue
            cue = cue_before(text, m.start(), _SIN_CUE)
            if cue or m.group(2):
                out.append(self.finding(m.start(), m.end(), "ID_NUMBER", 0.95 if cue else 0.5, "Canadian SIN, Luhn"))
        for m in _PAN.finditer(text):
            out.append(self.finding(m.start(), m.end(), "ID_NUMBER", 0.8, "Indian PAN format"))
        for m in _AADHAAR.finditer(text):
            if verhoeff_ok(digits_of(m.group())):
                cue = cue_before(text, m.start(), _AADHAAR_CUE)
                score = 0.95 if cue else (0.6 if m.group(1) else 0.45)
                out.append(self.finding(m.start(), m.end(), "ID_NUMBER", score, "Aadhaar number, Verhoeff valid"))
        for m in _DOC_ID.finditer(text):
            kind = m.group("kind")
            strong = _STRONG_KINDS.match(kind) is not None
            value_start, value_end = m.span("value")
            value = m.group("value")
            if sum(ch.isdigit() for ch in value) < (3 if strong else 4):
                continue
            label_kind = " ".join(kind.split()).lower()
            score = 0.95 if strong else 0.6
            out.append(self.finding(value_start, value_end, "ID_NUMBER", score, f"number after '{label_kind}'"))
        return out
