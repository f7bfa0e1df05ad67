"""Realistic identifier values, written the many ways people write them, for the gold set.

Values come from ``Faker`` (names, addresses, companies, cities, IBANs, card numbers, SSNs) and, for
phone numbers, from real numbering plans: ``phonenumbers``' example number for a region with its
subscriber digits varied until the number is valid again (a real person's number is a valid one).
Formats are chosen here from what people type ("(415) 555-0132", "415.555.0132", "+44 (0)20 …",
"0044 …", no separators, …), independently of the detectors' patterns.
"""

from __future__ import annotations

import base64
import datetime
import json
import random
import string

import phonenumbers
from faker import Faker

from sealroom.deid.detectors._util import verhoeff_check_digit

LOCALES = ("en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "en_IN", "it_IT", "nl_NL")
LOCALE_WEIGHTS = (30, 14, 9, 8, 8, 8, 7, 8, 4, 4)
REGION = {loc: loc.split("_")[1] for loc in LOCALES}
FAR_REGIONS = ("JP", "BR", "ZA", "SG", "MX", "NG", "KR", "AE", "SE", "PL", "PH", "AR")


def valid_phone(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    for _ in range(200):
        example = phonenumbers.example_number_for_type(region, rng.choice(kinds))
        if example is None:
            continue
        nsn = str(example.national_number)
        keep = max(2, len(nsn) - rng.randint(3, 6))
        digits = nsn[:keep] + "".join(rng.choice(string.digits) for _ in range(len(nsn) - keep))
        num = phonenumbers.parse("+" + str(example.country_code) + digits, None)
        if phonenumbers.is_valid_number(num):
            return num
    return phonenumbers.example_number_for_type(region, kinds[0])  # type: ignore[return-value]


def phone_text(rng: random.Random, num: phonenumbers.PhoneNumber, domestic: bool) -> str:
    """One of the ways people write a number: national forms at home, international forms abroad."""
    fmt = phonenumbers.PhoneNumberFormat
    intl = phonenumbers.format_number(num, fmt.INTERNATIONAL)
    national = phonenumbers.format_number(num, fmt.NATIONAL)
    e164 = phonenumbers.format_number(num, fmt.E164)
    cc = str(num.country_code)
    nsn = str(num.national_number)
    choices = [intl, e164, intl.replace(" ", "-"), "00" + intl[1:], "00 " + intl[1:], intl.replace(" ", ".")]
    if cc in ("44", "49", "61", "33", "39", "31"):
        choices.append(f"+{cc} (0){intl[len(cc) + 2 :]}")
    if domestic:
        choices += [national] * 3 + [national.replace(" ", ""), national.replace(" ", "-")]
        if cc == "1" and len(nsn) == 10:
            a, b, c = nsn[:3], nsn[3:6], nsn[6:]
            choices += [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"{a} {b} {c}", nsn, f"1-{a}-{b}-{c}"]
            choices += [f"+1 ({a}) {b}-{c}", f"({a}){b}-{c}"]
    return rng.choice(choices)


def name_variant(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.08:
        return name.lower()
    if r < 0.15:
        return name.upper()
    return name


def email_for(rng: random.Random, fake: Faker, first: str, last: str) -> str:
    f = "".join(ch for ch in first.lower() if ch.isalnum() and ch.isascii()) or "user"
    la = "".join(ch for ch in last.lower() if ch.isalnum() and ch.isascii()) or "mail"
    local = rng.choice(
        [f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{f}_{la}", f"{f}{rng.randint(1, 99)}", f"{la}.{f}", f"{f}.{la}+shop"]
    )
    domain = rng.choice([fake.free_email_domain(), fake.domain_name(), fake.free_email_domain()])
    email = f"{local}@{domain}"
    return email.upper() if rng.random() < 0.04 else email


def card_text(rng: random.Random, fake: Faker) -> str:
    kind = rng.choice(["visa16", "mastercard", "amex", "discover", "visa16", "jcb", "diners"])
    digits = fake.credit_card_number(card_type=kind)
    style = rng.random()
    if style < 0.45:
        groups = (
            [digits[:4], digits[4:10], digits[10:]]
            if len(digits) == 15
            else [digits[i : i + 4] for i in range(0, len(digits), 4)]
        )
        return " ".join(groups)
    if style < 0.75:
        return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return digits


def ssn_text(rng: random.Random, us_fake: Faker) -> str:
    """A US SSN (from the seeded en_US generator, whatever the persona's locale)."""
    ssn = us_fake.ssn()
    r = rng.random()
    if r < 0.7:
        return ssn
    if r < 0.85:
        return ssn.replace("-", " ")
    return ssn.replace("-", "")


def iban_text(rng: random.Random, fake: Faker, de_fake: Faker) -> str:
    # India has no IBAN (and Faker's en_IN one has the wrong length): such personas bank in Germany.
    iban = de_fake.iban() if fake.locales[0] == "en_IN" else fake.iban()
    if rng.random() < 0.6:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def ipv4_text(fake: Faker, rng: random.Random) -> str:
    return fake.ipv4_private() if rng.random() < 0.4 else fake.ipv4_public()


def ipv6_text(fake: Faker, rng: random.Random) -> str:
    addr = fake.ipv6()
    if rng.random() < 0.5:
        import ipaddress

        addr = str(ipaddress.IPv6Address(addr))  # compressed form, as tools print it
    return addr


def mac_text(fake: Faker, rng: random.Random) -> str:
    mac = fake.mac_address()
    r = rng.random()
    if r < 0.3:
        return mac.upper()
    if r < 0.5:
        return mac.replace(":", "-").upper()
    return mac


def handle_for(rng: random.Random, first: str, last: str) -> str:
    f = "".join(ch for ch in first.lower() if ch.isalnum() and ch.isascii()) or "user"
    la = "".join(ch for ch in last.lower() if ch.isalnum() and ch.isascii()) or "x"
    return rng.choice([f"{f}{la}", f"{f}_{la}", f"{f}{rng.randint(1, 999)}", f"{f[0]}{la}", f"the{f}"])


def profile_url(rng: random.Random, handle: str) -> str:
    return rng.choice(
        [
            f"https://github.com/{handle}",
            f"https://www.linkedin.com/in/{handle}/",
            f"linkedin.com/in/{handle}",
            f"https://twitter.com/{handle}",
            f"https://www.instagram.com/{handle}/",
            f"https://medium.com/@{handle}",
            f"https://www.facebook.com/{handle}",
        ]
    )


def generic_url(fake: Faker, rng: random.Random) -> str:
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
    return rng.choice(
        [
            fake.url(),
            fake.url() + fake.uri_path(),
            f"https://{fake.domain_name()}/reset?token={token}",
            f"https://drive.google.com/file/d/{token}/view?usp=sharing",
            f"https://docs.google.com/document/d/{token}/edit",
            f"http://{fake.domain_name()}/{fake.uri_path()}?id={rng.randint(1000, 99999)}",
        ]
    )


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def credential_text(rng: random.Random, fake: Faker) -> tuple[str, str]:
    """(value, kind) where kind names the way it is presented in the chat."""
    an = string.ascii_letters + string.digits
    kind = rng.choice(["aws", "github", "openai", "stripe", "jwt", "password", "password", "slack", "google"])
    if kind == "aws":
        return "AKIA" + _rand(rng, string.ascii_uppercase + string.digits, 16), kind
    if kind == "github":
        return "ghp_" + _rand(rng, an, 36), kind
    if kind == "openai":
        return "sk-proj-" + _rand(rng, an + "-_", 48), kind
    if kind == "stripe":
        return "sk_live_" + _rand(rng, an, 24), kind
    if kind == "slack":
        return f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-{_rand(rng, an, 24)}", kind
    if kind == "google":
        return "AIza" + _rand(rng, an + "-_", 35), kind
    if kind == "jwt":

        def b64(obj: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        sub = fake.user_name()
        return (
            f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'sub': sub, 'iat': 1700000000})}.{_rand(rng, an, 43)}",
            kind,
        )
    word = fake.word().capitalize()
    return rng.choice(
        [f"{word}{rng.randint(10, 9999)}!", fake.password(length=rng.randint(9, 16)), f"{word}_{_rand(rng, an, 5)}"]
    ), kind


def dob_text(rng: random.Random, fake: Faker, locale: str) -> str:
    # Fixed bounds (not Faker's date_of_birth, which counts back from today): the set must not change daily.
    d = fake.date_between(start_date=datetime.date(1940, 1, 1), end_date=datetime.date(2007, 12, 31))
    us = locale in ("en_US", "en_CA")
    forms = [
        d.strftime("%m/%d/%Y") if us else d.strftime("%d/%m/%Y"),
        d.isoformat(),
        f"{d.strftime('%B')} {d.day}, {d.year}",
        f"{d.day} {d.strftime('%B')} {d.year}",
        d.strftime("%d.%m.%Y"),
        f"{d.strftime('%b')} {d.day} {d.year}",
    ]
    return rng.choice(forms)


def id_number(rng: random.Random, fake: Faker, locale: str) -> tuple[str, str]:
    """(value, what it is called in the sentence)."""
    up, dg = string.ascii_uppercase, string.digits
    options: list[tuple[str, str]] = [
        (rng.choice(up) + _rand(rng, dg, 8), "passport number"),
        (_rand(rng, up, 1) + _rand(rng, dg, 7), "driver's license number"),
        (_rand(rng, dg, 8), "medical record number"),
        (_rand(rng, dg, 10), "account number"),
        ("MRN-" + _rand(rng, dg, 7), "MRN"),
    ]
    if locale == "en_GB":
        options.append((fake.ssn(), "National Insurance number"))
    if locale == "en_CA":
        options.append((fake.ssn(), "SIN"))
    if locale == "en_IN":
        options.append((aadhaar(rng), "Aadhaar number"))
        options.append((_rand(rng, up, 3) + "P" + _rand(rng, up, 1) + _rand(rng, dg, 4) + _rand(rng, up, 1), "PAN"))
    return rng.choice(options)


def aadhaar(rng: random.Random) -> str:
    """A well-formed Aadhaar number (Verhoeff check digit, as UIDAI issues them; Faker's are not)."""
    body = str(rng.randint(2, 9)) + _rand(rng, string.digits, 10)
    number = body + verhoeff_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 12, 4)) if rng.random() < 0.5 else number


def address_text(rng: random.Random, fake: Faker) -> tuple[str, bool]:
    """(address, multi_line). Faker's multi-line address, or one line joined with commas."""
    addr = fake.address().strip()
    lines = [ln.strip() for ln in addr.split("\n") if ln.strip()]
    if rng.random() < 0.55:
        return ", ".join(lines), False
    return "\n".join(lines), True
