"""Contextual cues: how people introduce themselves and others in a chat.

"my name is …", "I'm …", "call me …", greetings ("Hi Sarah,"), sign-offs and signatures, titles
("Dr. Patel"), "I live in / I'm from …", "I work at …", dates of birth, ages and @handles. Names
after an explicit cue are taken in any case ("my name is john smith", "JOHN SMITH"), which is where
statistical NER is weakest.
"""

from __future__ import annotations

import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector
from sealroom.deid.detectors.words import DECORATORS as _DECORATORS
from sealroom.deid.detectors.words import FILLER_AFTER_NAME as _FILLER_AFTER_NAME
from sealroom.deid.detectors.words import NOT_NAMES

# One name token: capitalised, all caps or (after a strong cue) lower case; with apostrophes/hyphens.
_UP = r"[^\W\d_][^\W\d_'’.-]{0,30}(?:['’-][^\W\d_]{1,30}){0,2}"
_PARTICLE = r"(?:van|von|de|del|della|der|den|di|da|du|dos|le|la|al|bin|ibn|st\.)"
_CAP_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ]" + r"[^\W\d_]{0,30}(?:['’-][^\W\d_]{1,30}){0,2}|[A-Z]\.)"
_CAP_NAME = _CAP_TOKEN + r"(?:[ ](?:" + _PARTICLE + r"[ ]){0,2}" + _CAP_TOKEN + r"){0,3}"
_ANY_NAME = _UP + r"(?:[ ](?:" + _PARTICLE + r"[ ]){0,2}" + _UP + r"){0,3}"


_STRONG = re.compile(
    r"(?i)\b(?:my\s{1,3}name\s{1,3}is|my\s{1,3}name's|name\s{0,2}:|full\s{1,2}name\s{0,2}:|call\s{1,3}me|"
    r"i\s{1,3}go\s{1,3}by|known\s{1,3}as|named|signed\s{0,2}:|patient\s{0,2}:|client\s{0,2}:|"
    r"customer\s{0,2}:|contact\s{0,2}:|from\s{0,2}:|to\s{0,2}:|cc\s{0,2}:|author\s{0,2}:|applicant\s{0,2}:|"
    r"tenant\s{0,2}:|employee\s{0,2}:|candidate\s{0,2}:|recipient\s{0,2}:|sender\s{0,2}:|guest\s{0,2}:|"
    r"attendee\s{0,2}:|member\s{0,2}:|student\s{0,2}:|spouse\s{0,2}:|emergency\s{1,2}contact\s{0,2}:|"
    r"(?:love|xo),?\s{0,2}[\"“'])[ \t]{0,3}"
    r"(?P<name>" + _ANY_NAME + r")"
)
# "sign it as …", "a card for 'Naomi'": the name is capitalised here (lower-case words follow too often).
_SIGN = re.compile(
    r"(?i:\bsign(?:ed)?\s{1,2}(?:it|off|this|the\s{1,2}(?:card|letter|email|note))(?:\s{1,2}(?:just|as|from|with))?"
    r"|\bsigned\s{1,2}by|\b(?:message|card|letter|note|gift|toast|speech|poem)\s{1,2}(?:for|to|from))"
    r"[ \t]{1,3}[\"“']?(?P<name>(?:(?:van|von|de|der|den|di|da|du|le|la)[ ])?" + _CAP_NAME + r")"
)
_INTRO = re.compile(
    r"(?:\b[Ii]['’]?m|\b[Ii]\s{1,3}am|\b[Tt]his\s{1,3}is|\b[Ii]t['’]s)[ \t]{1,3}(?P<name>" + _CAP_NAME + r")"
)
_GREETING = re.compile(
    r"(?im)(?:^|[.!?]\s{1,3}|[\"“'(])(?:hi|hello|hey|dear|bonjour|hola|hallo|ciao|greetings|howdy|yo)[ \t]{1,3}"
    r"(?P<name>" + _ANY_NAME + r")[ \t]{0,2}(?=[,!:\n—\"”')-]|$)"
)
_THANKS = re.compile(
    r"(?m)(?:^|[.!?]\s{1,3})(?:[Tt]hanks|[Tt]hank\s{1,2}you|[Gg]ood\s{1,2}(?:morning|afternoon|evening)),?[ \t]{1,3}"
    r"(?P<name>" + _CAP_NAME + r")[ \t]{0,2}(?=[,.!:\n—-]|$)"
)
_SIGNOFF = re.compile(
    r"(?im)^[ \t]{0,8}(?:best(?:\s{1,2}(?:regards|wishes))?|kind\s{1,2}regards|warm\s{1,2}regards|regards|"
    r"sincerely(?:\s{1,2}yours)?|yours\s{1,2}(?:truly|sincerely|faithfully)|cheers|thanks|thank\s{1,2}you|"
    r"many\s{1,2}thanks|warmly|respectfully|love|xoxo|cordialement|saludos|mit\s{1,2}freundlichen\s{1,2}grüßen|"
    r"viele\s{1,2}grüße|un\s{1,2}saludo|atentamente)[ \t]{0,2},?[ \t]{0,2}\r?\n[ \t]{0,8}[-–—]{0,2}[ \t]{0,2}"
    r"(?P<name>" + _ANY_NAME + r")[ \t]{0,4}(?=\r?\n|$|,)"
)
_DASH_SIG = re.compile(r"(?m)^[ \t]{0,4}(?:--|—|–|~)[ \t]{0,2}(?P<name>" + _CAP_NAME + r")[ \t]{0,4}$")
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau|Sr|Sra|Srta|Shri|Smt)\.?[ ]{1,2}"
    r"(?P<name>(?:(?:van|von|de|der|den|di|da|du|le|la|al)[ ])?" + _CAP_NAME + r")"
)
_PAIR = re.compile(
    r"(?i)\b(?:(?:my|our|his|her|their|a|the)\s{1,3}(?:wife|husband|partner|son|daughter|mom|mother|dad|father|brother|sister|boss|manager|"
    r"friend|colleague|coworker|co-worker|neighbou?r|landlord|doctor|lawyer|teacher|client|girlfriend|boyfriend|"
    r"fiancée?|roommate|cousin|uncle|aunt|grandma|grandpa|grandmother|grandfather|child|kid|baby|nephew|niece|"
    r"sister-in-law|brother-in-law|mother-in-law|father-in-law|son-in-law|daughter-in-law|stepson|stepdaughter|"
    r"stepmother|stepfather|tenant|employee|supervisor|student|patient|therapist|dentist|accountant))"
    r"(?:\s{0,2},)?\s{1,3}(?P<name>(?-i:" + _CAP_NAME + r"))"
)
_JSON_NAME = re.compile(
    r"""(?i)["']?(?P<key>name|full_?name|first_?name|last_?name|given_?name|family_?name|surname|contact_?name|"""
    r"""author|customer|patient|employee|recipient|sender|owner|user_?name|username|handle|login)["']?"""
    r"""\s{0,3}[:=]\s{0,3}["'](?P<name>[^"'\n]{1,80})["']"""
)
_PLACE = re.compile(
    r"(?i)\b(?:i\s{1,3}live\s{1,3}in|i['’]?m\s{1,3}from|i\s{1,3}am\s{1,3}from|we\s{1,3}live\s{1,3}in|"
    r"based\s{1,3}in|moved\s{1,3}to|located\s{1,3}in|born\s{1,3}in|grew\s{1,3}up\s{1,3}in|living\s{1,3}in|"
    r"relocating\s{1,3}to|hometown\s{1,3}(?:is|of))\s{1,3}(?P<place>(?-i:" + _CAP_NAME + r")"
    r"(?:,\s{1,2}(?-i:" + _CAP_NAME + r"|[A-Z]{2}))?)"
)
_ORG_TOKEN = r"(?:[A-Z0-9][\w&'’.-]{0,30})"
_ORG_NAME = r"[A-ZÀ-Þ][\w'’]{1,30}(?:-[A-ZÀ-Þ][\w'’]{1,30})?"
# How firms are named: "Schmidt, Gonzales and Woods", "Hill and Sons", "Dickson LLC", "Kusch KGaA".
_FIRM = re.compile(
    r"(?<![\w-])(?:" + _ORG_NAME + r"(?:,[ ]" + _ORG_NAME + r"){1,3},?[ ](?:and|&)[ ]" + _ORG_NAME
    + r"|" + _ORG_NAME + r"[ ](?:and|&)[ ](?:Sons|Daughters|Partners|Associates|Brothers|Co\.)"
    + r"|" + _ORG_NAME + r"(?:[ ]" + _ORG_NAME + r"){0,3}(?:[ ]&[ ]Co\.)?[ ](?:LLC|L\.L\.C\.|Ltd\.?|Limited|Inc\.?|"
    r"Corp\.?|Corporation|PLC|plc|LLP|GmbH|AG|KG|KGaA|OHG|e\.V\.|SE|S\.A\.|SA|S\.L\.|SL|S\.Coop\.|SARL|SAS|S\.p\.A\.|SpA|"
    r"S\.r\.l\.|Srl|B\.V\.|BV|N\.V\.|NV|Pty\.? Ltd\.?|Group|Holdings|Industries|Solutions|Technologies|Consulting)"
    r"(?:[ ](?:&[ ]Co\.[ ])?KG)?)(?![\w-])"
)  # fmt: skip
_PLACEHOLDER_USERS = frozenset(
    "username user_name user admin root your_username yourusername myusername example test guest none null".split()  # noqa: SIM905
)
_ORG_ABBREV = frozenset(
    ["inc", "corp", "co", "ltd", "llc", "plc", "gmbh", "ag", "sa", "srl", "bv", "nv", "pty", "lp", "llp", "s.a", "s.l"]
)
_WORKPLACE = re.compile(
    r"(?i)\b(?:i\s{1,3}work\s{1,3}(?:at|for)|i['’]?m\s{1,3}(?:employed|working)\s{1,3}(?:at|by|for)|"
    r"employed\s{1,3}(?:at|by)|my\s{1,3}(?:company|employer|firm|school|university)\s{1,3}(?:is|,)?|"
    r"i\s{1,3}(?:study|studied)\s{1,3}at|(?:engineer|manager|nurse|teacher|analyst|developer|director|intern|"
    r"student|consultant|designer|accountant|lawyer|professor|researcher)\s{1,3}at)\s{1,3}"
    r"(?P<org>(?-i:" + _ORG_TOKEN + r"(?:[ ](?:&[ ])?(?:of[ ]|and[ ]|the[ ])?" + _ORG_TOKEN + r"){0,5}))"
)
_AGE = re.compile(
    r"(?i)(?:\b(?:i\s{1,3}am|i['’]?m|aged?|age\s{0,2}:|(?:he|she|they)\s{1,3}(?:is|are)|(?:he|she)['’]s|turned|turning)\s{1,3}"
    r"(?P<a>\d{1,3})\b(?!\s{0,2}(?:%|percent|minutes|min|hours|kg|lb|lbs|cm|km|miles|dollars|\$|am\b|pm\b))"
    r"|\b(?P<b>\d{1,3})(?:\s{1,2}|-)(?:years?|yrs?|yo)(?:\s{1,2}|-)old\b|\b(?P<c>\d{1,3})\s{0,2}(?:yo|y/o|y\.o\.)\b)"
)
_HANDLE = re.compile(r"(?<![\w@.+-])@(?P<h>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@(])")
_USERNAME_KV = re.compile(
    r"(?i)\b(?:user\s{0,2}name|username|user\s{0,2}id|login|handle|gamertag|screen\s{1,2}name)"
    r"(?:\s{1,3}is|\s{0,2}[:=])\s{0,3}[\"'`]?(?P<u>[\w.@-]{3,40})"
)


_TYPE_NAMES = frozenset(
    "str string int integer optional none null bool boolean text varchar char list dict any required true false".split()  # noqa: SIM905
)
# "App name:", "Image name:", "Project name:": a field that names a thing, not a person.
_THING_BEFORE_NAME = re.compile(
    r"(?i)\b(?:app|application|project|file|package|image|service|container|database|db|branch|host|table|column|"
    r"field|variable|function|class|module|repo|repository|product|company|business|brand|domain|server|device|"
    r"network|wifi|folder|directory|model|task|job|event|team|group|channel|site|website|page|tag|bucket|cluster|"
    r"node|namespace|resource|key|secret|step|workflow|stage)[ \t]{1,2}$"
)


_TITLE_CASE_BEFORE = re.compile(r"[A-Z][\w'’-]*[ ]$")
_YAML_INDENT = re.compile(r"[ \t]*(?:-[ \t]+)?")
# Keys of CI workflows, Kubernetes manifests and compose files next to a ``name:`` that names a step or a resource.
_CONFIG_KEY = re.compile(
    r"(?m)^[ \t]*(?:-[ \t]+)?(?:uses|run|runs-on|on|jobs|steps|image|with|if|env|needs|shell|container|ports|command|"
    r"args|kind|apiVersion|spec|metadata|hosts|tasks|become|when|services|volumes|build|restart|environment)[ \t]*:"
)


def _in_config(text: str, line_start: int) -> bool:
    """Whether the lines around ``line_start`` are a CI workflow, manifest or compose file."""
    lo = text.rfind("\n", 0, max(0, line_start - 1))
    lo = text.rfind("\n", 0, max(0, lo)) + 1 if lo > 0 else 0
    hi = line_start
    for _ in range(3):
        nxt = text.find("\n", hi + 1)
        hi = len(text) if nxt < 0 else nxt
    return _CONFIG_KEY.search(text, lo, hi) is not None


def _field_not_a_person(text: str, cue_start: int, name_start: int, name_end: int) -> bool:
    """A ``name:``-style cue that is code or names a thing: ``image-name:latest``, ``App name: links``,
    YAML's ``name: calculation-service``."""
    if cue_start and (text[cue_start - 1] in "-_.$`" or text[cue_start - 1].isalnum()):
        return True  # part of an identifier: "my-image-name:", "user_name:"
    if _THING_BEFORE_NAME.search(text, max(0, cue_start - 24), cue_start):
        return True
    value = text[name_start:name_end]
    after = text[name_end : name_end + 1]
    line_start = text.rfind("\n", 0, cue_start) + 1
    if text[cue_start:name_start].startswith("name") and _YAML_INDENT.fullmatch(text, line_start, cue_start):
        # a YAML key ("- name: Checkout code"): only a name-like value, and not a CI step or a resource
        return not _person_like(value) or _in_config(text, line_start)
    # a lower-case value joined to more code ("calculation-service", "my-app:v2", "web.1") is an identifier
    return value.islower() and (("-" in value and " " not in value) or (after != "" and after in "-_:/@0123456789"))


def _person_like(value: str) -> bool:
    """A generic ``"name"`` field holds a person only if it reads like one (not ``my-package``)."""
    words = value.split()
    if not 1 <= len(words) <= 4 or any(ch in value for ch in "-_/.@:\\0123456789"):
        return False
    return all(w[:1].isupper() for w in words) and (len(words) >= 2 or value.lower() not in NOT_NAMES)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop trailing filler words and reject spans made of non-name words."""
    words = text[start:end].split(" ")
    while words and words[-1].lower().strip(".") in _FILLER_AFTER_NAME | NOT_NAMES:
        words.pop()
    while words and words[0].lower().strip(".") in NOT_NAMES:
        start += len(words[0]) + 1
        words.pop(0)
    if not words or all(w.lower().strip(".") in NOT_NAMES for w in words):
        return None
    name = " ".join(words).rstrip(".")
    if len(name) < 2:
        return None
    return start, start + len(name)


@DETECTORS.register("context.v1")
class ContextDetector(BaseDetector):
    name = "context.v1"
    labels = ("PERSON", "LOCATION", "ORGANIZATION", "AGE", "USERNAME")

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out: list[Finding] = []

        def person(m: re.Match[str], score: float, why: str, group: str = "name") -> None:
            span = _trim_name(text, m.start(group), m.end(group))
            if span:
                out.append(self.finding(span[0], span[1], "PERSON", score, why))

        for m in _STRONG.finditer(text):
            cue = text[m.start() : m.start("name")].lower().rstrip()
            if cue.endswith(("named", "known as")) and not m.group("name")[:1].isupper():
                continue  # "a tag named latest": only a capitalised word is a name after these cues
            if cue.endswith(":") and _field_not_a_person(text, m.start(), m.start("name"), m.end("name")):
                continue
            person(m, 0.9, "name after an introduction cue")
        for m in _SIGN.finditer(text):
            before = _TITLE_CASE_BEFORE.search(text, max(0, m.start() - 40), m.start())
            if text[m.start() : m.start() + 1].isupper() and before:
                continue  # inside a title-cased heading ("Online Speech to Text Software"), not a cue
            person(m, 0.85, "name after 'sign it' or 'a card for'")
        for m in _INTRO.finditer(text):
            person(m, 0.7, "capitalised name after 'I'm'/'this is'")
        for m in _GREETING.finditer(text):
            person(m, 0.8, "name in a greeting")
        for m in _THANKS.finditer(text):
            person(m, 0.75, "name after thanks")
        for m in _SIGNOFF.finditer(text):
            person(m, 0.85, "name under a sign-off")
        for m in _DASH_SIG.finditer(text):
            person(m, 0.75, "name in a dash signature")
        for m in _TITLE.finditer(text):
            person(m, 0.9, "name after a title")
        for m in _PAIR.finditer(text):
            person(m, 0.8, "name after a relationship word")
        for m in _JSON_NAME.finditer(text):
            key = m.group("key").lower().replace("_", "")
            value = m.group("name").strip()
            if not value or (any(ch.isdigit() for ch in value) and key not in ("username", "handle", "login")):
                continue
            start = m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip()))
            if key in ("username", "handle", "login"):
                out.append(self.finding(start, start + len(value), "USERNAME", 0.85, "user name field"))
            elif key == "name" and _in_config(text, text.rfind("\n", 0, m.start()) + 1):
                continue  # "name: 'Terraform'" in a CI workflow names a job
            elif _person_like(value) or (key != "name" and not any(ch in value for ch in "@/_")):
                out.append(self.finding(start, start + len(value), "PERSON", 0.85, "name field in structured data"))
        for m in _PLACE.finditer(text):
            out.append(self.finding(m.start("place"), m.end("place"), "LOCATION", 0.85, "place after 'I live in'"))
        for m in _WORKPLACE.finditer(text):
            end = m.end("org")
            org = text[m.start("org") : end].rstrip(".,")
            words = org.split(" ")
            for k, w in enumerate(words):
                if w.endswith(".") and k < len(words) - 1:
                    # "Acme Corp. Ping me": the full stop ends the sentence; keep "Corp." or "Inc."
                    words = words[: k + 1]
                    break
            if words and words[-1].endswith(".") and words[-1].rstrip(".").lower() not in _ORG_ABBREV:
                words[-1] = words[-1].rstrip(".")
            while words and words[-1].lower() in ("and", "of", "the", "&"):
                words.pop()
            if words:
                span_end = m.start("org") + len(" ".join(words))
                out.append(self.finding(m.start("org"), span_end, "ORGANIZATION", 0.85, "employer after 'I work at'"))
        for m in _FIRM.finditer(text):
            out.append(self.finding(m.start(), m.end(), "ORGANIZATION", 0.8, "firm name pattern"))
        for m in _AGE.finditer(text):
            g = next(k for k in ("a", "b", "c") if m.group(k) is not None)
            age = int(m.group(g))
            if 0 < age < 120:
                out.append(self.finding(m.start(g), m.end(g), "AGE", 0.8, "age"))
        if "@" in text:
            for m in _HANDLE.finditer(text):
                if m.group("h") in _DECORATORS or m.group("h").split(".")[0] in _DECORATORS:
                    continue
                out.append(self.finding(m.start(), m.end(), "USERNAME", 0.75, "@handle"))
        for m in _USERNAME_KV.finditer(text):
            value = m.group("u")
            low = value.lower()
            if low in _PLACEHOLDER_USERS or low.startswith(("os.", "self.", "request.", "config.", "settings.", "env")):
                continue  # a placeholder or where the value comes from, not a user name
            if low in _TYPE_NAMES or text[m.end("u") : m.end("u") + 1] in ("[", "("):
                continue  # a type annotation or a call ("username: Optional[str]", "login: str"), not a value
            out.append(self.finding(m.start("u"), m.end("u"), "USERNAME", 0.8, "user name stated"))
        return out
