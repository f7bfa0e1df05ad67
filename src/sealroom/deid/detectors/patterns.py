"""Structured identifiers with validators: e-mail, payment card, US SSN, IBAN, IP, MAC."""

from __future__ import annotations

import ipaddress
import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector, cue_before, digits_of, luhn_ok


@DETECTORS.register("email.v1")
class EmailDetector(BaseDetector):
    name = "email.v1"
    labels = ("EMAIL",)
    # Local part and labels are bounded; the domain needs at least one dot and an alphabetic TLD.
    _re = re.compile(
        r"(?<![\w.%+-])\w[\w.%+'-]{0,63}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}[^\W\d_]{2,24}(?![\w-])",
        re.UNICODE,
    )

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        if "@" not in text:
            return []
        out = []
        for m in self._re.finditer(text):
            local = m.group().split("@", 1)[0]
            if local.startswith(".") or local.endswith(".") or ".." in local:
                continue
            out.append(self.finding(m.start(), m.end(), "EMAIL", 0.99, "e-mail address syntax"))
        return out


# (prefix range low, high, allowed lengths): IIN ranges of the major card networks.
_IIN: tuple[tuple[int, int, tuple[int, ...], str], ...] = (
    (4, 4, (13, 16, 19), "Visa"),
    (51, 55, (16,), "Mastercard"),
    (2221, 2720, (16,), "Mastercard"),
    (34, 34, (15,), "American Express"),
    (37, 37, (15,), "American Express"),
    (6011, 6011, (16, 19), "Discover"),
    (644, 649, (16, 19), "Discover"),
    (65, 65, (16, 19), "Discover"),
    (3528, 3589, (16, 19), "JCB"),
    (300, 305, (14, 16, 19), "Diners Club"),
    (36, 36, (14, 16, 19), "Diners Club"),
    (38, 39, (14, 16, 19), "Diners Club"),
    (62, 62, (16, 17, 18, 19), "UnionPay"),
    (50, 50, (12, 13, 14, 15, 16, 17, 18, 19), "Maestro"),
    (56, 58, (12, 13, 14, 15, 16, 17, 18, 19), "Maestro"),
    (6759, 6759, (16, 18, 19), "Maestro UK"),
    (2200, 2204, (16, 17, 18, 19), "Mir"),
)


def card_network(digits: str) -> str | None:
    for low, high, lengths, network in _IIN:
        width = len(str(low))
        if len(digits) in lengths and low <= int(digits[:width]) <= high:
            return network
    return None


@DETECTORS.register("credit_card.v1")
class CreditCardDetector(BaseDetector):
    name = "credit_card.v1"
    labels = ("CREDIT_CARD",)
    # 12-19 digits, optionally grouped by one space or hyphen; validated by network range and Luhn.
    _re = re.compile(r"(?<![\d.,+-])\d(?:[ -]?\d){11,18}(?![\d]|[.,-]\d)")  # "+49…" is a phone number

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in self._re.finditer(text):
            s = m.group()
            seps = {ch for ch in s if not ch.isdigit()}
            if len(seps) > 1:
                continue
            digits = digits_of(s)
            if not luhn_ok(digits):
                continue
            network = card_network(digits)
            if network:
                out.append(self.finding(m.start(), m.end(), "CREDIT_CARD", 0.97, f"{network} range, Luhn valid"))
            elif len(digits) in (15, 16) and digits[0] in "3456":
                # Luhn-valid and card-shaped, outside the published ranges (test cards, new ranges).
                cue = bool(seps) or cue_before(text, m.start(), _CARD_CUE, 80)
                out.append(
                    self.finding(m.start(), m.end(), "CREDIT_CARD", 0.8 if cue else 0.6, "card-like, Luhn valid")
                )
        return out


_CARD_CUE = re.compile(r"(?i)\b(?:card|visa|mastercard|amex|credit|debit|charged|payment)")
SSN_CUE = re.compile(r"(?i)\b(?:ssn|social security|social-security|ss#|ss no|taxpayer|tin|itin)\b")


def ssn_valid(area: str, group: str, serial: str) -> bool:
    a = int(area)
    if a == 0 or a == 666 or a >= 900 or int(group) == 0 or int(serial) == 0:
        return False
    # Numbers published in advertising and by the SSA as examples, never issued to a person.
    return f"{area}{group}{serial}" not in {"078051120", "219099999", "123456789"}


@DETECTORS.register("us_ssn.v1")
class UsSsnDetector(BaseDetector):
    name = "us_ssn.v1"
    labels = ("US_SSN",)
    _re = re.compile(r"(?<![\d-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\d]|-\d)")

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in self._re.finditer(text):
            area, sep, group, serial = m.groups()
            if not ssn_valid(area, group, serial):
                continue
            cue = cue_before(text, m.start(), SSN_CUE, 48)
            if sep == "-":
                score, why = (0.95 if cue else 0.85), "SSN format AAA-GG-SSSS, valid ranges"
            else:
                score, why = (0.95 if cue else 0.4), "nine digits in SSN ranges"
            if cue:
                why += ", SSN context word"
            out.append(self.finding(m.start(), m.end(), "US_SSN", score, why))
        return out


# ISO 13616 lengths per country.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25,
    "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_ok(compact: str) -> bool:
    if len(compact) != IBAN_LENGTHS.get(compact[:2], -1) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


@DETECTORS.register("iban.v1")
class IbanDetector(BaseDetector):
    name = "iban.v1"
    labels = ("IBAN",)
    # Country code, check digits, then up to 32 alphanumerics in groups of 1-4 separated by a space.
    _re = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{1,4}){2,8}")

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in self._re.finditer(text):
            s = m.group()
            country = s[:2].upper()
            want = IBAN_LENGTHS.get(country)
            if want is None:
                continue
            # Cut the match after exactly `want` alphanumerics (the regex may run into the next word).
            n = 0
            end = 0
            for i, ch in enumerate(s):
                if ch.isalnum():
                    n += 1
                    if n == want:
                        end = i + 1
                        break
            if not end or (end < len(s) and s[end].isalnum()):
                continue
            compact = "".join(ch for ch in s[:end] if ch.isalnum()).upper()
            if iban_ok(compact):
                out.append(self.finding(m.start(), m.start() + end, "IBAN", 0.98, f"{country} IBAN, mod-97 valid"))
        return out


_VERSION_CUE = re.compile(r"(?i)(?:\bv|version|release|build|\bver\.?)\s{0,2}$")


@DETECTORS.register("ip_address.v1")
class IpAddressDetector(BaseDetector):
    name = "ip_address.v1"
    labels = ("IP_ADDRESS",)
    _v4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d)")
    _v6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        if "." in text:
            for m in self._v4.finditer(text):
                addr = m.group().split("/", 1)[0]
                try:
                    ip = ipaddress.IPv4Address(addr)
                except ValueError:
                    continue
                if ip.is_loopback or ip.is_unspecified:
                    continue  # 127.0.0.1 and 0.0.0.0 point at no one
                version_like = _VERSION_CUE.search(text, max(0, m.start() - 10), m.start()) is not None
                score = 0.45 if version_like else 0.95
                out.append(self.finding(m.start(), m.end(), "IP_ADDRESS", score, "IPv4 address"))
        if "::" in text or text.count(":") >= 7:
            for m in self._v6.finditer(text):
                s = m.group()
                hexdigits = sum(ch not in ":." for ch in s)
                if hexdigits < 4 or ("::" not in s and s.count(":") < 7):
                    continue
                try:
                    ipaddress.IPv6Address(s)
                except ValueError:
                    continue
                out.append(self.finding(m.start(), m.end(), "IP_ADDRESS", 0.95, "IPv6 address"))
        return out


@DETECTORS.register("mac_address.v1")
class MacAddressDetector(BaseDetector):
    name = "mac_address.v1"
    labels = ("MAC_ADDRESS",)
    _re = re.compile(
        r"(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:-]|\.\w)"
    )

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out = []
        for m in self._re.finditer(text):
            s = m.group()
            if not any(ch.isalpha() for ch in s) and "." in s:
                continue  # 1234.5678.9012 is a number, not a Cisco-style MAC
            out.append(self.finding(m.start(), m.end(), "MAC_ADDRESS", 0.9, "MAC address"))
        return out
