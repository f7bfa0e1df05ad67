"""Pattern detectors with validators: each accepts real forms and rejects near misses."""

from __future__ import annotations

import pytest

from sealroom.deid.base import DETECTORS, DetectionContext
from sealroom.deid.detectors._util import luhn_ok, verhoeff_ok
from sealroom.deid.detectors.identifiers import vin_check_ok
from sealroom.deid.detectors.patterns import iban_ok
from sealroom.deid.detectors.url import url_identifying_parts
from sealroom.deid.detectors.wallets import base58check_ok, bech32_ok, eip55_ok, keccak256


def spans(name: str, text: str, **options: object) -> list[tuple[str, str]]:
    det = DETECTORS.get(name)(**options)
    return [(text[f.start : f.end], f.label) for f in det.detect(text, DetectionContext())]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("write to jane.doe+news@example.co.uk today", "jane.doe+news@example.co.uk"),
        ("JANE.DOE@GMAIL.COM.", "JANE.DOE@GMAIL.COM"),
        ("(josé@correo.es)", "josé@correo.es"),
    ],
)
def test_email(text: str, expected: str) -> None:
    assert spans("email.v1", text) == [(expected, "EMAIL")]


def test_email_rejects_decorators_and_handles() -> None:
    assert spans("email.v1", "@property and user@localhost and a..b@x.com") == []


def test_checksums() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert verhoeff_ok("2363") and not verhoeff_ok("2364")
    assert iban_ok("DE89370400440532013000") and not iban_ok("DE89370400440532013001")
    assert not iban_ok("GB82WEST1234569876543")  # one character short for GB
    assert vin_check_ok("1M8GDM9AXKP042788") and not vin_check_ok("1M8GDM9A1KP042788")


@pytest.mark.parametrize(
    "text,found",
    [
        ("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111"),
        ("amex 3782-822463-10005", "3782-822463-10005"),
        ("mc 5500005555555559.", "5500005555555559"),
    ],
)
def test_card(text: str, found: str) -> None:
    assert spans("credit_card.v1", text) == [(found, "CREDIT_CARD")]


def test_card_rejects_bad_luhn_and_mixed_separators() -> None:
    assert spans("credit_card.v1", "4111 1111 1111 1112 and 4111-1111 1111 1111") == []


def test_ssn_ranges() -> None:
    assert spans("us_ssn.v1", "SSN 123-45-6788") == [("123-45-6788", "US_SSN")]
    for bad in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "078-05-1120"):
        assert spans("us_ssn.v1", f"SSN {bad}") == [], bad


def test_ssn_unseparated_needs_context() -> None:
    det = DETECTORS.get("us_ssn.v1")()
    (bare,) = det.detect("ref 123456788")
    (cued,) = det.detect("my SSN is 123456788")
    assert bare.score < 0.5 <= cued.score


def test_iban_grouped_and_cut_at_its_length() -> None:
    text = "IBAN: DE89 3704 0044 0532 0130 00 AND MORE"
    assert spans("iban.v1", text) == [("DE89 3704 0044 0532 0130 00", "IBAN")]
    assert spans("iban.v1", "GB82 WEST 1234 5698 7654 32") == [("GB82 WEST 1234 5698 7654 32", "IBAN")]
    assert spans("iban.v1", "DE89 3704 0044 0532 0130 01") == []


def test_ip_addresses() -> None:
    found = spans("ip_address.v1", "from 192.168.1.20, to 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a.")
    assert [s for s, _ in found] == ["192.168.1.20", "2001:db8::8a2e:370:7334", "fe80::1ff:fe23:4567:890a"]
    assert spans("ip_address.v1", "999.1.1.1 and 12:30:45 and std::vector") == []


def test_version_numbers_score_low() -> None:
    (f,) = DETECTORS.get("ip_address.v1")().detect("upgrade to version 1.2.3.4")
    assert f.score < 0.5


def test_mac() -> None:
    assert spans("mac_address.v1", "MAC is 00:1A:2b:3C:4d:5E. And 00-1A-2B-3C-4D-5E") == [
        ("00:1A:2b:3C:4d:5E", "MAC_ADDRESS"),
        ("00-1A-2B-3C-4D-5E", "MAC_ADDRESS"),
    ]


def test_url_and_identifying_parts() -> None:
    text = "see https://github.com/jdoe99/repo?token=abc123&x=1), or linkedin.com/in/jane-doe."
    found = spans("url.v1", text)
    assert found == [("https://github.com/jdoe99/repo?token=abc123&x=1", "URL"), ("linkedin.com/in/jane-doe", "URL")]
    url = found[0][0]
    parts = {url[s:e]: k for s, e, k in url_identifying_parts(url)}
    assert parts == {"jdoe99": "profile", "abc123": "query"}
    assert {"jane-doe"} == {u[s:e] for u in ["linkedin.com/in/jane-doe"] for s, e, _ in url_identifying_parts(u)}


def test_url_keeps_wikipedia_parenthesis() -> None:
    assert spans("url.v1", "(https://en.wikipedia.org/wiki/Mercury_(planet))") == [
        ("https://en.wikipedia.org/wiki/Mercury_(planet)", "URL")
    ]


def test_wallet_checksums() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert not eip55_ok("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
    assert base58check_ok("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") and not base58check_ok(
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"
    )
    assert bech32_ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") and not bech32_ok(
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"
    )
    found = spans(
        "crypto_wallet.v1", "send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    )
    assert [label for _, label in found] == ["CRYPTO_WALLET", "CRYPTO_WALLET"]


@pytest.mark.parametrize(
    "text,value",
    [
        ("VIN 1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C"),
        ("my SIN is 046 454 286", "046 454 286"),
        ("PAN: ABCPE1234F", "ABCPE1234F"),
        ("passport number: X12345678", "X12345678"),
        ("driver's license no. D1234567", "D1234567"),
        ("MRN (MRN-2164482)", "MRN-2164482"),
    ],
)
def test_national_ids(text: str, value: str) -> None:
    assert (value, "ID_NUMBER") in spans("national_id.v1", text)


def test_aadhaar_checksum_without_context() -> None:
    valid = "2345 6789 0124"
    digits = valid.replace(" ", "")
    good = next(digits[:-1] + d for d in "0123456789" if verhoeff_ok(digits[:-1] + d))
    bad = next(digits[:-1] + d for d in "0123456789" if not verhoeff_ok(digits[:-1] + d))
    fmt = lambda d: f"{d[:4]} {d[4:8]} {d[8:]}"  # noqa: E731
    assert spans("national_id.v1", f"number {fmt(good)} here") == [(fmt(good), "ID_NUMBER")]
    assert spans("national_id.v1", f"number {fmt(bad)} here") == []


def test_nino_excluded_prefixes() -> None:
    assert spans("national_id.v1", "GB 12 34 56 A and BG123456A") == []


@pytest.mark.parametrize(
    "text,number",
    [
        ("Call me at (415) 555-0132 tomorrow", "(415) 555-0132"),
        ("UK office: +44 20 7946 0958.", "+44 20 7946 0958"),
        ("mobile 07700 900123", "07700 900123"),
        ("+49 (0) 30 1234567", "+49 (0) 30 1234567"),
        ("+44(0)115 4960914", "+44(0)115 4960914"),
        ("tel. +33 1 83 41 77 76", "+33 1 83 41 77 76"),
        ("ring 0049 30 12345678", "0049 30 12345678"),
        ("+91 98765 43210", "+91 98765 43210"),
        ("+81 3-1234-5678", "+81 3-1234-5678"),
        ("(call 415.555.0132)", "415.555.0132"),
        ("+1-780-563-6083x7783", "+1-780-563-6083x7783"),
    ],
)
def test_phone_regions(text: str, number: str) -> None:
    assert spans("phone.v1", text) == [(number, "PHONE")]


@pytest.mark.parametrize("text", ["on 2023-04-05", "SSN 123-45-6789", "1 2 3 4 5 6 7 8", "v1.2.3.4.5.6.7", "1234567"])
def test_phone_rejects(text: str) -> None:
    found = DETECTORS.get("phone.v1")().detect(text)
    assert [f for f in found if f.score >= 0.5] == []  # the analyzer's default threshold


def test_phone_locale_hint() -> None:
    det = DETECTORS.get("phone.v1")(regions=["JP"])
    found = det.detect("電話 03-1234-5678", DetectionContext(locale_hints=("ja_JP",)))
    assert len(found) == 1


def test_dates() -> None:
    text = "born on 14/03/1985, met March 5th, 2024, due 2024-03-05 and 5. März 2024"
    found = [s for s, _ in spans("date.v1", text)]
    assert found == ["14/03/1985", "March 5th, 2024", "2024-03-05", "5. März 2024"]
    (dob, *_) = DETECTORS.get("date.v1")().detect(text)
    assert dob.explanation == "date of birth" and dob.score > 0.9
    assert spans("date.v1", "in 2019 at 10:30 on page 12") == []


def test_technical_text_is_not_pii() -> None:
    assert spans("ip_address.v1", "bind 0.0.0.0 or 127.0.0.1") == []
    assert [f for f in DETECTORS.get("phone.v1")().detect("lat 56.789123") if f.score >= 0.5] == []
    assert spans("url.v1", "from django.contrib.sites.models.Site import x") == []
    assert spans("email.v1", "EMAIL='admin@example.com'") == [("admin@example.com", "EMAIL")]
