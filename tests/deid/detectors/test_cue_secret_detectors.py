"""Contextual cues, names from structure, and credentials."""

from __future__ import annotations

import pytest

import sealroom.deid.detectors  # noqa: F401  (registers the built-in detectors)
from sealroom.deid.base import DETECTORS


def found(name: str, text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.label) for f in DETECTORS.get(name)().detect(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    "text,name",
    [
        ("my name is john smith and i need help", "john smith"),
        ("Hi Sarah,\nthanks for your help!", "Sarah"),
        ("Best regards,\nJOHN SMITH\n", "JOHN SMITH"),
        ("Dr. Priya Patel said so", "Priya Patel"),
        ("Please sign it as Dr. de Boer", "de Boer"),
        ('Write a card for "Naomi" please', "Naomi"),
        ("our neighbor Samantha Lynch keeps parking here", "Samantha Lynch"),
        ("Dear Mr. O'Brien,", "O'Brien"),
        ('{"name": "my-package", "author": "Jane Doe"}', "Jane Doe"),
    ],
)
def test_person_cues(text: str, name: str) -> None:
    assert (name, "PERSON") in found("context.v1", text)


@pytest.mark.parametrize(
    "text",
    ["Thanks for your help!", "I'm Going home", "hey man, what", "Please send the signed copy when you can.",
     '{"name": "my-package"}'],
)  # fmt: skip
def test_person_cues_reject(text: str) -> None:
    assert [s for s in found("context.v1", text) if s[1] == "PERSON"] == []


def test_place_org_age_handle() -> None:
    text = "I'm 34 years old, I live in Springfield, IL and I work at Acme Corp. Ping @jdoe99 but not @property"
    assert set(found("context.v1", text)) == {
        ("Springfield, IL", "LOCATION"),
        ("Acme Corp.", "ORGANIZATION"),
        ("34", "AGE"),
        ("@jdoe99", "USERNAME"),
    }


def test_structured_names() -> None:
    table = "| Name | Email |\n|---|---|\n| Nicola Ceci | x@y.com |\n| jill van tuijl | JILL.VANTUIJL@GMAIL.COM |"
    assert found("structured_names.v1", table)[:2] == [("Nicola Ceci", "PERSON"), ("jill van tuijl", "PERSON")]
    log = "Here is a chat log:\nMáxima: are we still on?\nAyoub: yes! call me"
    assert found("structured_names.v1", log) == [("Máxima", "PERSON"), ("Ayoub", "PERSON")]
    form = "Phone: 555\nEmail: a@b.com\nAddress: x"
    assert found("structured_names.v1", form) == []
    csv = "name,email\nThomas Gonzalez,thomas88@x.com"
    assert ("Thomas Gonzalez", "PERSON") in found("structured_names.v1", csv)


@pytest.mark.parametrize(
    "text,secret",
    [
        ("my password is hunter2!", "hunter2!"),  # passwords often end in "!": kept
        ("PIN 4821", "4821"),
        ('api_key = "sk-abcdefghijklmnopqrstuvwx"', "sk-abcdefghijklmnopqrstuvwx"),
        ("postgres://bob:s3cret@db.example.com:5432/app", "postgres://bob:s3cret@db.example.com:5432/app"),
        ("Authorization: Bearer abcdef1234567890abcdef", "abcdef1234567890abcdef"),
        ("key AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE"),
        ("token ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 9),
        ("Server=db;User Id=sa;Password=P@ss w0rd;", "P@ss"),
    ],
)
def test_secrets(text: str, secret: str) -> None:
    assert (secret, "CREDENTIAL") in found("secrets.v1", text)


def test_private_key_block() -> None:
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    assert found("secrets.v1", f"key:\n{block}\nend") == [(block, "CREDENTIAL")]


@pytest.mark.parametrize(
    "text", ["pin the tab", 'password: os.environ["X"]', "the password is incorrect", "reset password"]
)
def test_secret_rejects(text: str) -> None:
    assert found("secrets.v1", text) == []


@pytest.mark.parametrize(
    "text",
    ["username = os.environ.get('DB_USER')", "Username: username", "the password is retrieved from the vault",
     "pull the tag named latest"],
)  # fmt: skip
def test_technical_placeholders_rejected(text: str) -> None:
    assert [s for s in found("context.v1", text) + found("secrets.v1", text) if s[1] != "AGE"] == []
