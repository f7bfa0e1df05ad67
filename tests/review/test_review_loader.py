"""Loading productions, the schema migrations, and the users/load CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from review_helpers import PASSWORD, Reviewer, cheap_settings, conversation, native, write_conversations

from sealroom.cli.main import cli
from sealroom.errors import InputError, IntegrityError
from sealroom.review import load_production
from sealroom.review.app import create_app
from sealroom.review.db import open_database
from sealroom.review.loader import load_documents
from sealroom.review.models import Base
from sealroom.review.users import list_users


def test_migrations_match_the_models(db_url: str) -> None:
    db = open_database(db_url)
    with db.writer.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The full-text structures exist only in the migration (FTS5 table, GIN index): ignore those.
    diff = [d for d in diff if "fts" not in str(d)]
    assert diff == []


def test_load_is_idempotent_and_refuses_conflicts(db_url: str) -> None:
    db = open_database(db_url)
    first = load_documents(db, [native(1), native(2)])
    assert (first.documents, first.skipped) == (2, 0)
    again = load_documents(db, [native(1), native(2), native(3)])
    assert (again.documents, again.skipped) == (1, 2)
    changed = native(2, messages=[("user", "something else")])
    with pytest.raises(IntegrityError) as err:
        load_documents(db, [changed])
    assert "ABC0000002" in str(err.value) and "something else" not in str(err.value)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other/1"),
        lambda d: d.update(designation="SECRET"),
        lambda d: d.pop("conversation"),
        lambda d: d["hits"].append({"message_index": 0, "start": 0}),
    ],
)
def test_malformed_documents_are_refused(db_url: str, mutate: Any) -> None:
    doc = native(7)
    mutate(doc)
    with pytest.raises(InputError):
        load_documents(open_database(db_url), [doc])


def test_load_without_a_verifiable_production_is_refused(tmp_path: Path, db_url: str) -> None:
    (tmp_path / "prod").mkdir()
    with pytest.raises(Exception) as err:  # produce's verifier reports what is wrong
        load_production(tmp_path / "prod", db_url)
    assert err.value is not None
    # Nothing was loaded.
    from sqlalchemy import func, select

    from sealroom.review.models import Document

    with open_database(db_url).read_session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


def _production(tmp_path: Path) -> Path:
    produce = pytest.importorskip("sealroom.produce.api")
    key = tmp_path / "docid.key"
    key.write_text("review-test-key-0123456789abcdef\n")
    dataset = write_conversations(
        tmp_path / "D",
        [
            conversation("c1", [("user", "ferry question"), ("assistant", "the harbor ferry answer")]),
            conversation("c2", [("user", "bread?"), ("assistant", "banana bread recipe")]),
        ],
    )
    out = tmp_path / "OUT"
    produce.produce(dataset, out, prefix="REV", key_file=key, show_progress=False)
    return out


def test_end_to_end_with_a_real_production(tmp_path: Path, db_url: str) -> None:
    out = _production(tmp_path)
    result = load_production(out, db_url)
    assert result.documents == 2 and result.volumes == ["VOL001"]
    settings = cheap_settings(db_url)
    from sealroom.review.users import add_user

    add_user(db_url, "c", PASSWORD, "counsel", settings=settings)
    r = Reviewer(create_app(settings), "c")
    hits = r.get("/api/v1/search", params={"q": "harbor"}).json()["results"]
    assert [h["bates"] for h in hits] == ["REV0000001"]
    assert r.get("/documents/REV0000001").status_code == 200


def test_a_tampered_production_is_refused(tmp_path: Path, db_url: str) -> None:
    out = _production(tmp_path)
    native_file = next(out.glob("VOL*/NATIVES/*.json"))
    doc = json.loads(native_file.read_text())
    doc["designation"] = "CONFIDENTIAL" if doc["designation"] == "AEO" else "AEO"
    native_file.write_text(json.dumps(doc))
    with pytest.raises(IntegrityError):
        load_production(out, db_url)
    res = CliRunner().invoke(cli, ["load", str(out), "--db", db_url])
    assert res.exit_code != 0 and "failed verification" in res.output


def test_users_cli(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'u.db'}"
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    run = CliRunner().invoke
    assert (
        run(
            cli, ["users", "add", "alice", "--db", db_url, "--role", "expert", "--aeo", "--password-file", str(pw)]
        ).exit_code
        == 0
    )
    out = run(cli, ["users", "add", "bob", "--db", db_url, "--role", "counsel", "--totp", "--password-file", str(pw)])
    assert out.exit_code == 0 and "otpauth://" in out.output
    assert (
        run(cli, ["users", "add", "alice", "--db", db_url, "--role", "expert", "--password-file", str(pw)]).exit_code
        != 0
    )
    short = tmp_path / "short"
    short.write_text("short")
    assert (
        run(cli, ["users", "add", "carol", "--db", db_url, "--role", "expert", "--password-file", str(short)]).exit_code
        != 0
    )
    assert run(cli, ["users", "disable", "alice", "--db", db_url]).exit_code == 0
    listing = run(cli, ["users", "list", "--db", db_url]).output
    assert "alice\texpert aeo\tdisabled" in listing and "bob\tcounsel\tactive totp" in listing
    assert run(cli, ["users", "reset", "alice", "--db", db_url, "--password-file", str(pw)]).exit_code == 0
    assert not next(u for u in list_users(db_url) if u.username == "alice").disabled


def test_worker_processes_rebuild_the_same_settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sealroom.review.app import SETTINGS_ENV, app_from_env, settings_env

    settings = cheap_settings(db_url, tags=("alpha", "beta"), view_rate_per_minute=7)
    monkeypatch.setenv(SETTINGS_ENV, settings_env(settings))
    rebuilt = app_from_env().state.review.settings
    assert rebuilt == settings


def test_a_database_of_the_previous_schema_upgrades_and_stays_searchable(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import true

    from sealroom.review import loader
    from sealroom.review.db import run_migrations
    from sealroom.review.search import run_search

    db = open_database(db_url, migrate=False)
    run_migrations(db, "0001")
    # documents loaded by the previous release (its loader did not know the new search table)
    monkeypatch.setattr(loader, "_refresh_statistics", lambda db: None)
    docs = [native(1, messages=[("user", "the purple walrus sings"), ("assistant", "indeed")]), native(2)]
    assert load_documents(db, docs).documents == 2
    run_migrations(db)
    with db.read_session() as session:
        found = run_search(session, '"purple walrus" sings', true(), db.dialect)
        assert [r.bates for r in found.results] == ["ABC0000001"]
        assert run_search(session, '"number 2"', true(), db.dialect).total == 1
