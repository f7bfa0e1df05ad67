"""Fixtures of the review tests: a database per backend, seeded users and documents, logged-in clients.

Every test that takes ``db_url`` runs on SQLite and on PostgreSQL. PostgreSQL gets one fresh
database per test session (dropped afterwards) and one schema per test inside it; the tests skip
cleanly when no server answers (CI starts one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from review_helpers import PASSWORD, PG_ADMIN_URL, USERS, Reviewer, cheap_settings, pg_available, sample_documents

from sealroom.review.app import create_app
from sealroom.review.db import close_database, open_database
from sealroom.review.loader import load_documents
from sealroom.review.users import add_user


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (URL), dropped at the end."""
    if not pg_available():
        pytest.skip("no PostgreSQL server answers")
    import psycopg

    name = f"sealroom_review_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'review.db'}"
        yield url
        close_database(url)
        return
    import psycopg

    base = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{base}?options=-csearch_path%3D{schema}"
    yield url
    close_database(url)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def seeded(db_url: str) -> dict[str, Any]:
    settings = cheap_settings(db_url)
    for name, (role, aeo) in USERS.items():
        add_user(db_url, name, PASSWORD, role, aeo=aeo, settings=settings)
    load_documents(open_database(db_url), sample_documents())
    return {"db_url": db_url, "settings": settings}


@pytest.fixture
def app(seeded: dict[str, Any]) -> Any:
    return create_app(seeded["settings"])


@pytest.fixture
def as_user(app: Any) -> Any:
    made: dict[str | None, Reviewer] = {}

    def get(username: str | None) -> Reviewer:
        if username not in made:
            made[username] = Reviewer(app, username)
        return made[username]

    return get
