"""Web-attack defences: CSRF, session fixation, lockout, TOTP, headers, escaping, no raw values."""

from __future__ import annotations

import logging
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from review_helpers import CANARIES, PASSWORD, USERS, Reviewer, cheap_settings, login, login_csrf, native

from sealroom.errors import InputError
from sealroom.review.app import create_app
from sealroom.review.auth import SESSION_COOKIE
from sealroom.review.db import open_database
from sealroom.review.loader import load_documents
from sealroom.review.users import add_user, reset_user


def test_csrf_missing_or_wrong_is_403(as_user: Any) -> None:
    r = as_user("counsel1")
    for data in ({"tag": "hot"}, {"tag": "hot", "csrf_token": "forged"}):
        resp = r.client.post("/documents/ABC0000001/tags", data=data, follow_redirects=False)
        assert resp.status_code == 403
    resp = r.client.post("/api/v1/targeted-search", json={"articles": [{"id": "a", "text": "x"}]})
    assert resp.status_code == 403
    # Nothing was tagged by the refused requests.
    assert "hot" not in r.get("/api/v1/documents/ABC0000001").json()["tags"]


def test_login_itself_needs_csrf(app: Any) -> None:
    client = TestClient(app)
    resp = client.post("/login", data={"username": "counsel1", "password": PASSWORD}, follow_redirects=False)
    assert resp.status_code == 403
    assert SESSION_COOKIE not in resp.cookies


def test_session_fixation_prevented(app: Any) -> None:
    client = TestClient(app)
    # An attacker plants a session cookie (a signed but unknown token, and a stale real one).
    planted = app.state.review.signer.sign_session("attacker-chosen-token")
    client.cookies.set(SESSION_COOKIE, planted)
    assert client.get("/api/v1/session").status_code == 401
    resp = login(client, "counsel1")
    assert resp.status_code == 303
    issued = resp.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    # The planted value is still worth nothing; the issued one works.
    assert _client_with(app, planted).get("/api/v1/session").status_code == 401
    assert _client_with(app, issued).get("/api/v1/session").status_code == 200
    # Logging in again rotates the session id; logging out kills it server-side.
    again = login(TestClient(app), "counsel1").cookies.get(SESSION_COOKIE)
    assert again and again != issued
    victim = _client_with(app, again)
    csrf = victim.get("/api/v1/session").json()["csrf_token"]
    assert victim.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert _client_with(app, again).get("/api/v1/session").status_code == 401


def _client_with(app: Any, cookie: str) -> TestClient:
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, cookie)
    return client


def test_session_cookie_flags(app: Any) -> None:
    client = TestClient(app)
    resp = login(client, "counsel1")
    cookie = resp.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_lockout_after_repeated_failures(seeded: dict[str, Any]) -> None:
    app = create_app(cheap_settings(seeded["db_url"], lockout_threshold=3))
    client = TestClient(app)
    for _ in range(3):
        assert login(client, "expert1", "wrong password!").status_code == 401
    # Locked: even the right password fails now, with the same message.
    resp = login(client, "expert1")
    assert resp.status_code == 401
    assert "Login failed" in resp.text
    # An admin reset clears the lock.
    reset_user(seeded["db_url"], "expert1", "a brand new password", settings=seeded["settings"])
    assert login(client, "expert1", "a brand new password").status_code == 303


def test_unknown_user_and_disabled_fail_alike(app: Any, seeded: dict[str, Any]) -> None:
    from sealroom.review.users import disable_user

    disable_user(seeded["db_url"], "monitor1")
    client = TestClient(app)
    a = login(client, "nobody-here")
    b = login(client, "monitor1")
    assert a.status_code == b.status_code == 401
    assert "Login failed" in a.text and "Login failed" in b.text


def test_totp_second_factor(seeded: dict[str, Any], app: Any) -> None:
    uri = add_user(seeded["db_url"], "twofactor", PASSWORD, "counsel", totp=True, settings=seeded["settings"])
    assert uri is not None
    secret = pyotp.parse_uri(uri).secret
    client = TestClient(app)
    assert login(client, "twofactor").status_code == 401
    assert (
        login(client, "twofactor", otp="000000" if pyotp.TOTP(secret).now() != "000000" else "111111").status_code
        == 401
    )
    assert login(client, "twofactor", otp=pyotp.TOTP(secret).now()).status_code == 303


def test_security_headers(as_user: Any) -> None:
    r = as_user("counsel1")
    for url in ("/login", "/search?q=harbor", "/documents/ABC0000001", "/api/v1/documents/ABC0000001"):
        h = r.get(url).headers
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "script-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["cache-control"] == "no-store"


def test_user_text_is_escaped(as_user: Any) -> None:
    r = as_user("counsel1")
    page = r.get("/documents/ABC0000004").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    results = r.get("/search?q=script").text
    assert "<script>alert" not in results
    # A note with markup is stored and shown as text.
    r.post("/documents/ABC0000004/notes", {"text": "<img src=x onerror=alert(1)>"})
    assert "<img src=x" not in r.get("/documents/ABC0000004").text
    # A query is echoed back escaped.
    assert '"><svg onload=' not in r.get('/search?q="><svg onload=alert(1)>').text


def test_export_neutralises_formulas(as_user: Any) -> None:
    r = as_user("counsel1")
    r.post("/documents/ABC0000002/notes", {"text": '=HYPERLINK("http://evil")'})
    body = r.post("/export", {"q": "banana"}).text
    assert ",'=HYPERLINK" in body.replace('"', "")


def test_no_replacement_value_anywhere(as_user: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The originals behind pseudonyms never reach a page, an API answer or a log line."""
    caplog.set_level(logging.DEBUG)
    seen = []
    for who in ("counsel1", "expert_aeo", "monitor1", "admin1"):
        r = as_user(who)
        for url in (
            "/",
            "/search?q=ferry",
            "/search?q=",
            "/documents/ABC0000001",
            "/api/v1/documents/ABC0000001",
            "/api/v1/search?q=person",
            "/audit",
            "/admin",
            "/api/openapi.json",
        ):
            resp = r.client.get(url)
            seen.append(resp.text)
        seen.append(r.post("/export", {"q": ""}).text)
    seen.append(caplog.text)
    blob = "\n".join(seen)
    assert "[PERSON_3f9a]" in blob  # the pseudonym is shown ...
    for value in CANARIES:  # ... the value it replaced never is
        assert value not in blob


def test_loader_refuses_replacement_values(db_url: str) -> None:
    doc = native(9)
    doc["replacements"] = [
        {
            "message_index": 0,
            "field": "content",
            "out_start": 0,
            "out_end": 4,
            "label": "PERSON",
            "operator": "pseudonymize",
            "replacement": CANARIES[0],
        }
    ]
    with pytest.raises(InputError) as err:
        load_documents(open_database(db_url), [doc])
    assert CANARIES[0] not in str(err.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_fuzzed_query_strings_never_500(as_user: Any, q: str) -> None:
    r = as_user("expert1")
    resp = r.client.get("/api/v1/search", params={"q": q, "facets": "false"})
    assert resp.status_code in (200, 400, 422)
    if resp.status_code == 200:
        assert all(hit["designation"] == "CONFIDENTIAL" for hit in resp.json()["results"])


def test_view_rate_limit(seeded: dict[str, Any]) -> None:
    app = create_app(cheap_settings(seeded["db_url"], view_rate_per_minute=3))
    r = Reviewer(app, "counsel1")
    codes = [r.get("/api/v1/documents/ABC0000001").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_all_fixture_users_can_log_in(app: Any) -> None:
    for name in USERS:
        client = TestClient(app)
        login_csrf(client)
        assert login(client, name).status_code == 303
