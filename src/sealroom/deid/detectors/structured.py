"""Names that the structure of a text gives away, where statistical NER guesses wrong or not at all.

* table and CSV cells under a "Name"-like header (NER calls "Nicola Ceci" in a table an ORG), and
  under "City", "Company" or "Phone" headers (a bare "030121077" in a phone column);
* speaker labels of a pasted chat log ("Máxima: are we still on?"), when there are at least two;
* words that also make up an e-mail address in the same text ("Jill van Tuijl" next to
  ``jill.vantuijl@…``): people's addresses are built from their names.
"""

from __future__ import annotations

import re
from itertools import pairwise

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector
from sealroom.deid.detectors.context import NOT_NAMES

_NAME_HEADER = re.compile(
    r"(?i)^\s*(?:full[ _]?name|name|customer|contact|client|patient|employee|student|member|person|owner|"
    r"attendee|guest|tenant|applicant|first[ _]?name|last[ _]?name|surname|recipient|sender|author)\s*$"
)
_CELL_NAME = re.compile(r"^[^\W\d_][^\W\d_'’.-]{0,30}(?:[ '’.-]{1,2}[^\W\d_][^\W\d_'’.-]{0,30}){0,4}$")
_SPEAKER = re.compile(
    r"(?m)^[ \t]{0,4}(?P<name>[A-ZÀ-Þ][^\W\d_]{1,20}(?:[ ][A-ZÀ-Þ][^\W\d_]{1,20})?)[ \t]{0,2}:[ \t]{1,3}(?=\S)"
)
# Words that make a "Xxx Yyy:" line a heading, not a speaker ("Original Prompt:", "Improved Prompt:").
_LABEL_WORDS = frozenset(
    "prompt prompts response reply result results text version summary title description instructions".split()  # noqa: SIM905
)
# Labels of form fields and transcript roles: "Phone: …" is not a speaker called Phone.
FIELD_LABELS = frozenset(
    [
        "address",
        "phone",
        "email",
        "e-mail",
        "ssn",
        "dob",
        "date",
        "born",
        "name",
        "applicant",
        "cell",
        "tel",
        "mobile",
        "fax",
        "mrn",
        "passport",
        "account",
        "iban",
        "card",
        "note",
        "notes",
        "error",
        "warning",
        "output",
        "input",
        "example",
        "answer",
        "question",
        "q",
        "a",
        "step",
        "tip",
        "summary",
        "subject",
        "from",
        "to",
        "cc",
        "user",
        "assistant",
        "system",
        "model",
        "human",
        "ai",
        "bot",
        "gpt",
        "chatgpt",
        "result",
        "total",
        "status",
        "title",
        "description",
        "price",
        "location",
        "city",
        "state",
        "zip",
        "country",
        "company",
        "role",
        "position",
        "website",
        "url",
        "linkedin",
        "github",
        "twitter",
        "instagram",
        "pros",
        "cons",
        "pin",
        "password",
        "username",
        "id",
        "key",
        "value",
        "type",
        "category",
        "amount",
        "time",
        "sin",
        "pan",
        "nino",
        "aadhaar",
        "dl",
        "vin",
        "license",
        "licence",
        "policy",
        "member",
        "patient",
        "client",
        "customer",
        "employee",
        "student",
        "contact",
        "owner",
        "tenant",
        "attendee",
        "guest",
        "recipient",
        "sender",
        "author",
        "agenda",
        "action",
        "decision",
        "goal",
        "task",
        "owner",
        "due",
        "priority",
        "source",
        "reference",
        "ref",
        "re",
        "fwd",
        "sent",
        "fw",
        "update",
        "edit",
    ]
)
_EMAIL_LOCAL = re.compile(r"(?<![\w.%+'-])([\w.%+'-]{3,64})@[\w-]{1,63}\.")
_TOKEN = re.compile(r"(?<![\w@.])[^\W\d_][^\W\d_'’-]{1,30}(?![\w@])")
_PARTICLES = frozenset(["van", "von", "de", "der", "den", "del", "da", "di", "le", "la"])


_PLACE_HEADER = re.compile(r"(?i)^\s*(?:city|town|location|hometown|place|village|birthplace)\s*$")
_ORG_HEADER = re.compile(r"(?i)^\s*(?:company|employer|organi[sz]ation|firm|school|university|workplace)\s*$")


_PHONE_HEADER = re.compile(r"(?i)^\s*(?:phone|tel\.?|telephone|mobile|cell|phone number|contact number)\s*$")
_PHONE_CELL = re.compile(r"^\+?[\d ().\-/]{7,24}$")


def _column_label(header: str) -> str | None:
    if _NAME_HEADER.match(header):
        return "PERSON"
    if _PLACE_HEADER.match(header):
        return "LOCATION"
    if _ORG_HEADER.match(header):
        return "ORGANIZATION"
    if _PHONE_HEADER.match(header):
        return "PHONE"
    return None


def _split_row(line: str, delim: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of ``line``, trimmed of spaces."""
    cells = []
    pos = 0
    for part in line.split(delim):
        start = pos + (len(part) - len(part.lstrip()))
        end = pos + len(part.rstrip())
        cells.append((start, max(start, end)))
        pos += len(part) + 1
    return cells


@DETECTORS.register("structured_names.v1")
class StructuredNameDetector(BaseDetector):
    name = "structured_names.v1"
    labels = ("PERSON", "LOCATION", "ORGANIZATION", "PHONE")

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out: list[Finding] = []
        if "|" in text or "," in text or "\t" in text:
            out += self._tables(text)
        if ":" in text:
            speakers = [
                m
                for m in _SPEAKER.finditer(text)
                if m.group("name").lower() not in NOT_NAMES | FIELD_LABELS
                and not any(w in FIELD_LABELS or w in _LABEL_WORDS for w in m.group("name").lower().split())
                and not text[m.end() : m.end() + 1].isdigit()
                and text[m.end() : m.end() + 1] not in "+(@#$"
            ]
            if len({m.group("name") for m in speakers}) >= 2:
                out += [
                    self.finding(m.start("name"), m.end("name"), "PERSON", 0.75, "speaker label in a chat log")
                    for m in speakers
                ]
        if "@" in text:
            out += self._email_names(text)
        return out

    def _tables(self, text: str) -> list[Finding]:
        out: list[Finding] = []
        lines = text.split("\n")
        offsets = []
        pos = 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        i = 0
        while i < len(lines):
            line = lines[i]
            delim = "|" if line.count("|") >= 2 else ("\t" if "\t" in line else ("," if line.count(",") >= 1 else None))
            if delim is None:
                i += 1
                continue
            header = [line[s:e] for s, e in _split_row(line, delim)]
            columns = {k: _column_label(h) for k, h in enumerate(header)}
            columns = {k: v for k, v in columns.items() if v}
            if not columns:
                i += 1
                continue
            j = i + 1
            while j < len(lines) and lines[j].count(delim) >= max(1, line.count(delim) - 1):
                cells = _split_row(lines[j], delim)
                for k, label in columns.items():
                    if k < len(cells):
                        s, e = cells[k]
                        value = lines[j][s:e]
                        ok = (
                            _PHONE_CELL.match(value) and sum(ch.isdigit() for ch in value) >= 7
                            if label == "PHONE"
                            else _CELL_NAME.match(value) and value.lower() not in NOT_NAMES | FIELD_LABELS
                        )
                        if ok and set(value) != {"-"}:
                            base = offsets[j]
                            out.append(self.finding(base + s, base + e, label, 0.9, f"cell under a {label} header"))
                j += 1
            i = j
        return out

    def _email_names(self, text: str) -> list[Finding]:
        locals_ = [m.group(1).lower() for m in _EMAIL_LOCAL.finditer(text)]
        if not locals_:
            return []
        parts = {p for loc in locals_ for p in re.split(r"[^a-zà-ÿ]+", loc) if len(p) >= 3}
        squashed = ["".join(ch for ch in loc if ch.isalpha()) for loc in locals_]
        tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
        out = []
        i = 0
        while i < len(tokens):
            for n in (4, 3, 2):
                window = tokens[i : i + n]
                if len(window) < n or any(text[a[1] : b[0]] != " " for a, b in pairwise(window)):
                    continue
                low = [w for _, _, w in window]
                main = [w for w in low if w not in _PARTICLES]
                if len(main) < 2 or low[0] in _PARTICLES or any(w in NOT_NAMES for w in main):
                    continue
                joined = "".join(ch for w in low for ch in w if ch.isalpha())
                if all(w in parts for w in main) or any(len(joined) >= 6 and joined in sq for sq in squashed):
                    s, e = window[0][0], window[-1][1]
                    out.append(self.finding(s, e, "PERSON", 0.85, "name matching an e-mail address"))
                    i += n - 1
                    break
            i += 1
        return out
