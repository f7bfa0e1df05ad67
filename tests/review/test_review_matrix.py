"""The route x role matrix, built from the app's own route table.

Every route must carry the ``guard`` dependency, its declared roles must match the table below,
and a request by every role (and anonymously) must return exactly the expected status. A route
added without the guard, or not entered here, fails the test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from review_helpers import PASSWORD, Reviewer
from starlette.routing import Mount

from sealroom.review.app import create_app
from sealroom.review.db import open_database
from sealroom.review.guard import policy_of
from sealroom.review.models import TargetedSearchJob, User
from sealroom.review.users import add_user

PUBLIC = None
ANY = frozenset({"admin", "counsel", "expert", "monitor"})
READERS = frozenset({"counsel", "expert"})
ADMIN = frozenset({"admin"})
MONITOR = frozenset({"monitor"})
ROLE_USERS = {"admin": "admin1", "counsel": "counsel1", "expert": "expert1", "monitor": "monitor1"}

# (method, path) -> (roles allowed, status for an allowed role, per-role overrides)
EXPECTED: dict[tuple[str, str], tuple[frozenset[str] | None, int, dict[str, int]]] = {
    ("GET", "/healthz"): (PUBLIC, 200, {}),
    ("GET", "/login"): (PUBLIC, 200, {}),
    ("POST", "/login"): (PUBLIC, 303, {}),
    ("POST", "/logout"): (ANY, 303, {}),
    ("GET", "/"): (ANY, 303, {}),
    ("GET", "/search"): (READERS, 200, {}),
    ("POST", "/search/save"): (READERS, 303, {}),
    ("POST", "/search/tag"): (READERS, 303, {}),
    ("POST", "/export"): (READERS, 200, {}),
    ("GET", "/documents/{bates}"): (READERS, 200, {}),
    ("POST", "/documents/{bates}/tags"): (READERS, 303, {}),
    ("POST", "/documents/{bates}/notes"): (READERS, 303, {}),
    ("GET", "/audit"): (MONITOR, 200, {}),
    ("GET", "/admin"): (ADMIN, 200, {}),
    ("POST", "/admin/users/{user_id}/disable"): (ADMIN, 303, {}),
    ("GET", "/api/openapi.json"): (ANY, 200, {}),
    ("GET", "/api/v1/session"): (ANY, 200, {}),
    ("GET", "/api/v1/search"): (READERS, 200, {}),
    ("GET", "/api/v1/documents/{bates}"): (READERS, 200, {}),
    ("POST", "/api/v1/targeted-search"): (READERS, 202, {}),
    ("GET", "/api/v1/targeted-search"): (READERS | ADMIN, 200, {}),
    # The job belongs to counsel1: another requester gets "not found", not the job.
    ("GET", "/api/v1/targeted-search/{job_id}"): (READERS | ADMIN, 200, {"expert": 404}),
    ("POST", "/api/v1/targeted-search/{job_id}/decision"): (ADMIN, 200, {}),
    ("POST", "/admin/targeted-search/{job_id}"): (ADMIN, 303, {}),
}


def guard_policies(app: FastAPI) -> tuple[dict[tuple[str, str], Any], list[str]]:
    """Each API route's guard policy; and the problems: routes without the guard, unknown mounts."""
    found: dict[tuple[str, str], Any] = {}
    problems: list[str] = []
    for route in app.routes:
        if isinstance(route, Mount):
            if route.path != "/static":
                problems.append(f"unexpected mount {route.path}")
            continue
        if not isinstance(route, APIRoute):
            problems.append(f"route {getattr(route, 'path', route)!r} is not an APIRoute (cannot carry the guard)")
            continue
        policies = [p for d in route.dependant.dependencies if (p := policy_of(d.call)) is not None]
        if len(policies) != 1:
            problems.append(f"{sorted(route.methods)} {route.path} has {len(policies)} guard dependencies")
            continue
        for method in route.methods:
            found[(method, route.path)] = policies[0]
    return found, problems


def test_every_route_is_guarded_and_declared(app: FastAPI) -> None:
    found, problems = guard_policies(app)
    assert problems == []
    assert set(found) == set(EXPECTED), "routes and the expected matrix differ: update EXPECTED consciously"
    for key, policy in found.items():
        assert policy.roles == EXPECTED[key][0], key


def test_an_unguarded_route_is_caught(seeded: dict[str, Any]) -> None:
    app = create_app(seeded["settings"])

    @app.get("/leak")
    def leak() -> dict[str, str]:  # no guard: what the matrix exists to catch
        return {"secret": "x"}

    _, problems = guard_policies(app)
    assert any("/leak" in p for p in problems)


def _prepare(seeded: dict[str, Any]) -> dict[str, Any]:
    db_url = seeded["db_url"]
    settings = seeded["settings"]
    add_user(db_url, "victim", PASSWORD, "expert", settings=settings)
    add_user(db_url, "loginuser", PASSWORD, "expert", settings=settings)
    db = open_database(db_url)
    with db.write_session() as s:
        counsel = s.query(User).filter_by(username="counsel1").one()
        victim = s.query(User).filter_by(username="victim").one()
        jobs = []
        for _ in range(3):
            job = TargetedSearchJob(
                requester_id=counsel.id,
                status="awaiting_approval",
                results=json.dumps([]),
                articles=json.dumps([{"id": "a", "text": "t"}]),
            )
            s.add(job)
            s.flush()
            jobs.append(job.id)
        s.commit()
        return {"victim": victim.id, "jobs": jobs}


def _request(client: Reviewer, method: str, path: str, ids: dict[str, Any]) -> Any:
    job_paths = [
        "/api/v1/targeted-search/{job_id}",
        "/api/v1/targeted-search/{job_id}/decision",
        "/admin/targeted-search/{job_id}",
    ]
    job = dict(zip(job_paths, ids["jobs"], strict=True)).get(path, 0)
    url = path.replace("{bates}", "ABC0000001").replace("{user_id}", str(ids["victim"])).replace("{job_id}", str(job))
    if method == "GET":
        return client.get(url)
    forms = {
        "/login": {"username": "loginuser", "password": PASSWORD},
        "/search/save": {"name": "s", "q": "harbor"},
        "/search/tag": {"q": "harbor", "tag": "hot"},
        "/export": {"q": "harbor"},
        "/documents/{bates}/tags": {"tag": "hot"},
        "/documents/{bates}/notes": {"text": "a note"},
        "/admin/targeted-search/{job_id}": {"decision": "approve"},
    }
    bodies = {
        "/api/v1/targeted-search": {"articles": [{"id": "a1", "text": "harbor ferry service"}]},
        "/api/v1/targeted-search/{job_id}/decision": {"approve": True},
    }
    if path in bodies:
        return client.post_json(url, bodies[path])
    if path == "/login" and client.username is None:
        from review_helpers import login_csrf

        return client.client.post(
            url, data={**forms[path], "csrf_token": login_csrf(client.client)}, follow_redirects=False
        )
    return client.post(url, forms.get(path, {}))


def test_route_role_matrix(seeded: dict[str, Any]) -> None:
    ids = _prepare(seeded)
    app = create_app(seeded["settings"])
    failures = []
    for (method, path), (roles, ok_status, overrides) in sorted(EXPECTED.items()):
        for role in [None, *ROLE_USERS]:
            # Fresh clients for logout (it ends the session) and for login (CSRF from the pre-session).
            client = Reviewer(app, ROLE_USERS[role] if role else None)
            if roles is None:
                expected = ok_status
            elif role is None:
                expected = 401 if path.startswith("/api/") else 303
            elif role in roles:
                expected = overrides.get(role, ok_status)
            else:
                expected = 403
            got = _request(client, method, path, ids).status_code
            if got != expected:
                failures.append(f"{method} {path} as {role or 'anonymous'}: {got}, expected {expected}")
    assert failures == []


@pytest.mark.parametrize("path", ["/search", "/api/v1/search", "/documents/ABC0000001", "/audit", "/admin"])
def test_anonymous_never_sees_data(app: FastAPI, path: str) -> None:
    r = Reviewer(app, None).get(path)
    assert r.status_code in (303, 401)
    assert "ABC0000001" not in r.text
