"""Keyed pseudonyms: canonical forms of surface strings, HMAC digests, typed tags and realistic
surrogates (Faker, seeded by the HMAC so the same entity always gets the same surrogate)."""

from __future__ import annotations

import hashlib
import hmac
import re
import string
import unicodedata
from dataclasses import dataclass, field

#: Courtesy titles stripped before names are compared ("Ms. Smith" is "Smith").
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "madam",
        "madame",
        "mme",
        "mlle",
        "herr",
        "frau",
        "sr",
        "sra",
        "srta",
        "dra",
        "don",
        "dona",
    ]
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_TITLE_PREFIX = re.compile(
    r"^(?:(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?\s+)+", re.IGNORECASE | re.UNICODE
)
#: The engine's own output (``[PERSON_1]``, ``[PERSON_3f9a2c1b]``, ``[REDACTED]``): never re-detected.
OWN_TAG = re.compile(r"\[[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:_[0-9a-f]{1,16}|_\d+)?\]")


def split_affixes(surface: str) -> tuple[str, str, str]:
    """``"Ms. Smith's"`` → ``("Ms. ", "Smith", "'s")``: title prefix, core, possessive suffix."""
    m = _TITLE_PREFIX.match(surface)
    prefix = m.group(0) if m and m.end() < len(surface) else ""
    rest = surface[len(prefix) :]
    p = _POSSESSIVE.search(rest)
    suffix = p.group(0) if p and p.start() > 0 else ""
    return prefix, rest[: len(rest) - len(suffix)], suffix


def name_tokens(surface: str) -> list[str]:
    """Case-folded word tokens of a name without titles or possessive."""
    _, core, _ = split_affixes(unicodedata.normalize("NFKC", surface))
    return [t.casefold() for t in _TOKEN.findall(core)]


def canonical(label: str, surface: str) -> str:
    """The form two mentions of one entity share (case, spacing, titles, possessives ignored)."""
    s = unicodedata.normalize("NFKC", surface).strip()
    if label == "PERSON":
        return " ".join(name_tokens(s))
    if label in ("PHONE", "CREDIT_CARD", "US_SSN"):
        digits = "".join(ch for ch in s if ch.isdigit())
        # "+1 415 555 0100" and "(415) 555-0100" are one number: compare the national part
        return digits[-10:] if label == "PHONE" else digits
    if label in ("IBAN", "MAC_ADDRESS"):
        return "".join(ch for ch in s if ch.isalnum()).casefold()
    _, core, _ = split_affixes(s) if label in ("ORGANIZATION", "LOCATION") else ("", s, "")
    return " ".join(core.split()).casefold()


def keyed_digest(key: bytes, *parts: str) -> bytes:
    return hmac.new(key, "\x00".join(parts).encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


@dataclass(slots=True)
class Entity:
    """One real-world value in one conversation (or production, by scope)."""

    label: str
    canonical: str
    digest: bytes
    number: int
    tokens: list[str] = field(default_factory=list)
    surrogate: str | None = None


def tag(entity: Entity, scope: str) -> str:
    """``[PERSON_1]`` (numbered per conversation) or ``[PERSON_3f9a2c1b]`` (production scope: the
    same value gets the same tag in every conversation, which a per-conversation count cannot)."""
    if scope == "production":
        return f"[{entity.label}_{entity.digest[:4].hex()}]"
    return f"[{entity.label}_{entity.number}]"


def match_case(template: str, value: str) -> str:
    letters = [c for c in template if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return value.upper()
    if letters and all(c.islower() for c in letters):
        return value.lower()
    return value


def shape_preserving(surface: str, digest: bytes) -> str:
    """Digits → digits, letters → letters of the same case, everything else kept: a surrogate
    with the original's layout (phones, card and account numbers, IBANs, tokens)."""
    stream = hashlib.shake_256(digest).digest(max(16, len(surface)))
    out = []
    for i, ch in enumerate(surface):
        b = stream[i]
        if "0" <= ch <= "9":
            d = b % 10
            if i == 0 or not any(c.isdigit() for c in surface[:i]):
                d = 1 + b % 9  # a leading zero or a changed digit count would look odd
            out.append(str(d))
        elif ch.isascii() and ch.isalpha():
            pool = string.ascii_uppercase if ch.isupper() else string.ascii_lowercase
            out.append(pool[b % 26])
        else:
            out.append(ch)
    return "".join(out)


class SurrogateFactory:
    """Realistic surrogates from Faker, reseeded from the entity's HMAC for each value, so the
    output depends only on key, scope, value (and the Faker version, recorded in the config)."""

    def __init__(self, locale: str) -> None:
        from faker import Faker

        self._faker = Faker(locale)

    def make(self, label: str, surface: str, digest: bytes, attempt: int) -> str:
        seed = int.from_bytes(hashlib.sha256(digest + attempt.to_bytes(2, "big")).digest()[:8], "big")
        fk = self._faker
        fk.seed_instance(seed)
        if label == "PERSON":
            return fk.name()
        if label == "EMAIL":
            return _surrogate_email(fk, surface)
        if label == "LOCATION":
            return fk.city()
        if label == "ORGANIZATION":
            return fk.company()
        if label == "ADDRESS":
            return fk.address().replace("\n", ", ")
        if label == "URL":
            return f"https://{fk.domain_name()}/{fk.uri_path()}"
        if label == "USERNAME":
            name = fk.user_name()
            return "@" + name if surface.startswith("@") else name
        if label == "IP_ADDRESS":
            return fk.ipv6() if ":" in surface else fk.ipv4_public()
        return shape_preserving(surface, hashlib.sha256(digest + attempt.to_bytes(2, "big")).digest())


def _surrogate_email(fk: object, surface: str) -> str:
    """Keeps the shape local@domain.tld (and a dotted local part when the original had one)."""
    local, _, _ = surface.partition("@")
    first, last = fk.first_name().lower(), fk.last_name().lower()  # type: ignore[attr-defined]
    user = f"{first}.{last}" if "." in local else f"{first}{last[:1]}"
    return f"{user}@{fk.free_email_domain()}"  # type: ignore[attr-defined]
