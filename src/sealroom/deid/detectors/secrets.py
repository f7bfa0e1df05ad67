"""Credentials and secrets: provider API keys, bearer/JWT tokens, private keys, connection strings,
passwords and secrets assigned in code or stated in prose ("my password is …")."""

from __future__ import annotations

import re

from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors._util import BaseDetector

# (regex, explanation). Prefixes are the providers' documented key formats.
_PROVIDER_KEYS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), why)
    for p, why in (
        (r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b", "AWS access key id"),
        (r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", "GitHub token"),
        (r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b", "GitHub fine-grained token"),
        (r"\bglpat-[A-Za-z0-9_-]{20,64}\b", "GitLab token"),
        (r"\bxox[abposr]-[A-Za-z0-9-]{10,250}\b", "Slack token"),
        (r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,120}", "Slack webhook"),
        (r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b", "Stripe key"),
        (r"\bsk-ant-[A-Za-z0-9_-]{20,255}", "Anthropic API key"),
        (r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,255}", "OpenAI-style API key"),
        (r"\bAIza[0-9A-Za-z_-]{35}\b", "Google API key"),
        (r"\bya29\.[0-9A-Za-z_-]{20,255}", "Google OAuth token"),
        (r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}\b", "SendGrid key"),
        (r"\bSK[0-9a-f]{32}\b", "Twilio key"),
        (r"\bAC[0-9a-f]{32}\b", "Twilio account id"),
        (r"\bnpm_[A-Za-z0-9]{36}\b", "npm token"),
        (r"\bpypi-[A-Za-z0-9_-]{50,255}", "PyPI token"),
        (r"\bhf_[A-Za-z0-9]{30,64}\b", "Hugging Face token"),
        (r"\bdop_v1_[a-f0-9]{64}\b", "DigitalOcean token"),
        (r"\bshpat_[a-fA-F0-9]{32}\b", "Shopify token"),
        (r"\b[MN][A-Za-z\d]{23,25}\.[\w-]{6}\.[\w-]{27,38}\b", "Discord bot token"),
        (r"\beyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,1024}", "JSON Web Token"),
    )
)
_BEARER = re.compile(r"(?i)\b(?:bearer|token|basic)\s{1,3}([A-Za-z0-9._~+/-]{16,2048}=*)")
_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----"
    r"[\s\S]{0,16384}?-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----"
)
_CONN = re.compile(
    r"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|"
    r"jdbc:[a-z]{2,12}|smtp|ftp|sftp|ldap)://[^\s:/@'\"`]{1,128}:[^\s'\"`]{1,256}@[^\s/@'\"`]{1,255}"
    r"(?:/[^\s'\"`]{0,512})?"
)
_KV_CONN = re.compile(r"(?i)\b(?:password|pwd)\s{0,2}=\s{0,2}([^;'\"\s]{1,128})(?=;|$|['\"\s])")
# Secrets assigned in code or config: key = "value", "key": "value", KEY=value.
_ASSIGNED = re.compile(
    r"(?i)\b[\w.-]{0,32}(?:password|passwd|pwd|passphrase|secret|api[_-]?key|apikey|access[_-]?key|"
    r"auth[_-]?token|access[_-]?token|refresh[_-]?token|private[_-]?key|client[_-]?secret|token)[\w-]{0,16}"
    r"""["']?\s{0,3}(?::|=|:=|=>)\s{0,3}(?:["'`]([^"'`\n]{4,256})["'`]|([^\s"'`,;}{]{6,256}))"""
)
# Stated in prose: "my password is hunter2", "the PIN is 4821", "passcode: x".
_STATED = re.compile(
    r"(?i)\b(?:password|passwd|passcode|passphrase|pin(?:\s?code)?|mot de passe|contraseña|passwort|"
    r"wifi key|wi-fi password|security code|cvv|cvc)\b(\s{1,3}(?:is|was|will be|should be)\b)?\s{0,3}([:=])?\s{0,3}"
    r"[\"'`“]?([^\s\"'`”]{3,64})"
)
_NOT_A_SECRET = frozenset(
    [
        "is",
        "was",
        "the",
        "a",
        "an",
        "to",
        "for",
        "and",
        "or",
        "of",
        "it",
        "this",
        "that",
        "my",
        "your",
        "our",
        "their",
        "be",
        "reset",
        "change",
        "changed",
        "incorrect",
        "wrong",
        "field",
        "required",
        "strong",
        "weak",
        "manager",
        "here",
        "there",
        "below",
        "above",
        "correct",
        "protected",
        "expired",
        "same",
        "new",
        "old",
        "hash",
        "hashed",
        "length",
        "policy",
        "you",
        "i",
        "we",
        "they",
        "should",
        "must",
        "will",
        "can",
        # type annotations: "password: str", "token: Optional[str]"
        "str",
        "string",
        "bytes",
        "int",
        "optional",
        "secretstr",
        "none",
        "null",
    ]
)


_REFERENCE = re.compile(r"^(?:\$\{?[A-Za-z_][\w.]*\}?|%[A-Za-z_]\w*%|\{\{.*\}\}|<[^>]*>|env\b.*)$")


def _looks_secret(value: str) -> bool:
    v = value.strip(".,;:)(")
    if len(v) < 3 or v.lower() in _NOT_A_SECRET:
        return False
    if v.isalpha() and v.islower() and v.endswith(("ed", "ing", "ly", "tion")):
        return False  # "the password is retrieved / being / securely …": prose, not a value
    # A reference to where the secret lives is not the secret.
    return not (_REFERENCE.match(v) or v.startswith(("os.", "process.", "getenv", "config.", "settings.", "self.")))


# Keys that name something about a secret, not the secret: ``tokenUrl="login"``, ``max_tokens=…``,
# ``token_type``, ``password_field``, ``secret_name``.
_NOT_SECRET_KEY = re.compile(
    r"(?i)(?:url|uri|endpoint|type|types|count|limit|len|length|size|tokens|secrets|passwords|keys|expires?|expiry|"
    r"ttl|lifetime|field|label|placeholder|hint|prompt|policy|format|pattern|regex|name|path|file|header|prefix)"
    r"[\W_]*$"
)
_SNAKE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9]*(?:_[a-z0-9]+)+")
_DOTTED_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][A-Za-z_]*)+")
_PROSE_AFTER = re.compile(r"[ \t]{1,3}[a-z]")


def _not_a_secret_key(key: str) -> bool:
    return bool(_NOT_SECRET_KEY.search(key.rstrip(" \t:=>\"'`")))


def _code_or_prose(text: str, start: int, end: int) -> bool:
    """An unquoted value that is a variable (``access_token``), an attribute path (``self.token``), a
    call (``get_token()``), or a capitalised word that goes on as prose ("Secret: Choose whether …")."""
    value = text[start:end]
    if "(" in value or _SNAKE_IDENTIFIER.fullmatch(value) or _DOTTED_IDENTIFIER.fullmatch(value):
        return True
    return value.isalpha() and _PROSE_AFTER.match(text, end) is not None


@DETECTORS.register("secrets.v1")
class SecretsDetector(BaseDetector):
    name = "secrets.v1"
    labels = ("CREDENTIAL",)

    def detect(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        out: list[Finding] = []
        for regex, why in _PROVIDER_KEYS:
            for m in regex.finditer(text):
                out.append(self.finding(m.start(), m.end(), "CREDENTIAL", 0.97, why))
        if "-----BEGIN" in text:
            for m in _PRIVATE_KEY.finditer(text):
                out.append(self.finding(m.start(), m.end(), "CREDENTIAL", 0.99, "private key block"))
        if "://" in text:
            for m in _CONN.finditer(text):
                out.append(self.finding(m.start(), m.end(), "CREDENTIAL", 0.95, "connection string with password"))
        lowered_has = ("pass" in text.lower()) or ("pwd" in text.lower())
        if lowered_has:
            for m in _KV_CONN.finditer(text):
                if _looks_secret(m.group(1)):
                    out.append(self.finding(m.start(1), m.end(1), "CREDENTIAL", 0.9, "password in key=value string"))
        for m in _BEARER.finditer(text):
            token = m.group(1)
            if sum(ch.isdigit() for ch in token) >= 2 and sum(ch.isalpha() for ch in token) >= 4:
                out.append(self.finding(m.start(1), m.end(1), "CREDENTIAL", 0.9, "bearer/authorization token"))
        for m in _ASSIGNED.finditer(text):
            g = 1 if m.group(1) is not None else 2
            if _not_a_secret_key(text[m.start() : m.start(g)]):
                continue
            if g == 2 and _code_or_prose(text, m.start(g), m.end(g)):
                continue
            if _looks_secret(m.group(g)):
                score = 0.85 if g == 1 else 0.7
                out.append(self.finding(m.start(g), m.end(g), "CREDENTIAL", score, "secret assigned to a key"))
        for m in _STATED.finditer(text):
            value = m.group(3)
            stated = m.group(1) is not None or m.group(2) is not None
            if _looks_secret(value) and (stated or any(not ch.isalpha() for ch in value)):
                end = m.start(3) + len(value.rstrip(".,;:)"))
                out.append(self.finding(m.start(3), end, "CREDENTIAL", 0.8, "password stated in context"))
        return out
