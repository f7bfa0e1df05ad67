"""Precision on technical chats: code, configuration and headings the detectors used to take for
credentials, user names and names. Each case was a false positive on a real ChatGPT export, where
conversation-level consistency then replaced the word everywhere (or, for credentials and user
names, the produce stage's leak check found the "original" in other documents). Synthetic text."""

from __future__ import annotations

import pytest

import sealroom.deid.detectors  # noqa: F401  (registers the built-in detectors)
from sealroom.deid.base import DETECTORS
from sealroom.deid.detectors.ner import _clean_span, keep_entity


def found(name: str, text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.label) for f in DETECTORS.get(name)().detect(text) if f.score >= 0.5]


@pytest.mark.parametrize(
    "text",
    [
        'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")',
        'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")',
        'return {"access_token": access_token, "token_type": "bearer"}',
        "response = client.create(prompt=prompt, max_tokens=max_tokens, temperature=0.2)",
        "- Public or Secret: Choose whether the gist is listed",
        "def login(username: str, password: str) -> bool:",
        "token = get_token(user)",
        "secret = self.secret_key",
        'SECRET_NAME = "prod/db/credentials"',
    ],
)
def test_code_is_not_a_credential(text: str) -> None:
    assert found("secrets.v1", text) == []


@pytest.mark.parametrize(
    "text,secret",
    [
        ("SECRET_KEY=Velvet_a9Xk2", "Velvet_a9Xk2"),
        ("DB_PASSWORD=plumtreebridge\n", "plumtreebridge"),
        ('password = "quietmarble"', "quietmarble"),
        ("client_secret: qwertyzxcv1234", "qwertyzxcv1234"),
    ],
)
def test_assigned_secrets_still_found(text: str, secret: str) -> None:
    assert (secret, "CREDENTIAL") in found("secrets.v1", text)


@pytest.mark.parametrize(
    "text",
    [
        "class TokenData(BaseModel):\n    username: Optional[str] = None\n",
        "login: str",
        "docker build -t my-image-name:latest .",
        "use the `name:tag` format",
        "App name: links\nApp description: bookmarks",
        "metadata:\n  name: calculation-service\nspec:\n  replicas: 1",
        "steps:\n  - name: Checkout code\n    uses: actions/checkout@v4\n",
        "    - name: Setup Terraform\n      uses: hashicorp/setup-terraform@v2\n",
        "jobs:\n  build:\n    name: 'Terraform'\n    runs-on: ubuntu-latest\n",
        "# Online Speech to Text Software - transcribe video",
    ],
)
def test_code_is_not_a_person_or_user_name(text: str) -> None:
    assert [s for s in found("context.v1", text) if s[1] in ("PERSON", "USERNAME")] == []


@pytest.mark.parametrize(
    "text,value,label",
    [
        ("Name: jane doe\n", "jane doe", "PERSON"),
        ("Name: jane doe.", "jane doe", "PERSON"),
        ("Display name: Jane Doe", "Jane Doe", "PERSON"),
        ("name: Jane Doe\nemail: jane@example.com\n", "Jane Doe", "PERSON"),
        ('{"name": "Jane Doe"}', "Jane Doe", "PERSON"),
        ("username: zephyr_kid77", "zephyr_kid77", "USERNAME"),
        ("Write a card for Naomi", "Naomi", "PERSON"),
    ],
)
def test_people_and_user_names_still_found(text: str, value: str, label: str) -> None:
    assert (value, label) in found("context.v1", text)


def test_headings_are_not_speakers() -> None:
    text = "Original Prompt: write a poem\nImproved Prompt: write a sonnet about rain"
    assert found("structured_names.v1", text) == []
    sql = "SELECT\n  id,\n  name,\n  email,\n  phone\nFROM users"
    assert found("structured_names.v1", sql) == []


@pytest.mark.parametrize(
    "span,label",
    [
        ("zoek", "LOCATION"),  # a lone lower-case word (another language, code)
        ("retros", "LOCATION"),
        ("psycopg2", "ORGANIZATION"),
        ("scipy.linalg", "LOCATION"),  # module and file names
        ("ci.yml", "ORGANIZATION"),
        ("Order", "PERSON"),  # common words and headings
        ("Using", "ORGANIZATION"),
        ("• Identify", "ORGANIZATION"),  # list bullets are stripped, the rest judged
        ("Oscar", "PERSON"),  # software (django-oscar) and products
        ("Docker", "PERSON"),
        ("Cloud Run", "PERSON"),
    ],
)
def test_ner_false_positives_filtered(span: str, label: str) -> None:
    start, end = _clean_span(span, 0, len(span))
    assert not keep_entity(label, span[start:end])


@pytest.mark.parametrize(
    "span,label",
    [("Jane Smith", "PERSON"), ("Priya", "PERSON"), ("Rotterdam", "LOCATION"), ("Acme Widgets", "ORGANIZATION")],
)
def test_ner_names_kept(span: str, label: str) -> None:
    assert keep_entity(label, span)
