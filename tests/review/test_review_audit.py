"""The audit chain: every action leaves a row; edits, deletes, inserts and swaps are caught."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from sealroom.cli.main import cli
from sealroom.review import audit
from sealroom.review.db import open_database


def _rows(db_url: str) -> list[dict[str, Any]]:
    return list(audit.export_rows(open_database(db_url)))


def _activity(as_user: Any) -> None:
    r = as_user("counsel1")
    r.get("/search?q=harbor")
    r.get("/documents/ABC0000001")
    r.post("/documents/ABC0000001/tags", {"tag": "hot"})
    r.post("/documents/ABC0000001/notes", {"text": "looks reproduced"})
    r.post("/export", {"q": "harbor"})


def test_actions_are_audited_with_details(as_user: Any, seeded: dict[str, Any]) -> None:
    _activity(as_user)
    as_user("expert1").get("/documents/ABC0000003")  # AEO: refused, and the attempt is recorded
    rows = _rows(seeded["db_url"])
    actions = [(r["actor"], r["action"], r["target"]) for r in rows]
    for expected in [
        ("counsel1", "login", "counsel1"),
        ("counsel1", "search", ""),
        ("counsel1", "view", "ABC0000001"),
        ("counsel1", "tag", "ABC0000001"),
        ("counsel1", "note", "ABC0000001"),
        ("counsel1", "export", ""),
        ("expert1", "view", "ABC0000003"),
    ]:
        assert expected in actions
    search = next(r for r in rows if r["action"] == "search")
    assert search["detail"]["query"] == "harbor" and search["detail"]["total"] == 4
    refused = next(r for r in rows if r["actor"] == "expert1" and r["action"] == "view")
    assert refused["detail"]["status"] == 404
    note = next(r for r in rows if r["action"] == "note")
    assert "looks reproduced" not in json.dumps(note)  # work product: only its hash is recorded
    assert audit.verify(open_database(seeded["db_url"])).ok


def test_failed_login_is_audited(app: Any, seeded: dict[str, Any]) -> None:
    from fastapi.testclient import TestClient
    from review_helpers import login

    login(TestClient(app), "expert1", "not the password")
    row = [r for r in _rows(seeded["db_url"]) if r["action"] == "login"][-1]
    assert row["actor"] == "expert1" and row["detail"]["outcome"] == "bad_password"


def test_write_and_audit_share_a_transaction(as_user: Any, seeded: dict[str, Any]) -> None:
    """A refused write (unknown tag) leaves neither the change nor a success row."""
    r = as_user("counsel1")
    assert r.post("/documents/ABC0000001/tags", {"tag": "no-such-tag"}).status_code == 400
    assert r.get("/api/v1/documents/ABC0000001").json()["tags"] == []
    tag_rows = [x for x in _rows(seeded["db_url"]) if x["action"] == "tag"]
    assert len(tag_rows) == 1 and tag_rows[0]["detail"]["status"] == 400


def _tamper(db_url: str, how: str) -> int:
    """Tamper with row 5 of the chain directly in the database; returns the id verify should name."""
    db = open_database(db_url)
    with db.writer.begin() as conn:
        if how == "edit":
            conn.execute(text('UPDATE audit_log SET detail = \'{"query":"innocent"}\' WHERE id = 5'))
            return 5
        if how == "delete":
            conn.execute(text("DELETE FROM audit_log WHERE id = 5"))
            return 6
        if how == "insert":
            # Make room by renumbering, then slip a forged row in at id 5.
            top = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
            for i in range(top, 4, -1):
                conn.execute(text("UPDATE audit_log SET id = :n WHERE id = :o"), {"n": i + 1, "o": i})
            prev = conn.execute(text("SELECT hash FROM audit_log WHERE id = 4")).scalar_one()
            ts = "2020-01-01T00:00:00.000000+00:00"
            content = audit.canonical(5, ts, "forger", "admin", "login", "", "{}")
            conn.execute(
                text(
                    "INSERT INTO audit_log (id, ts, actor, role, action, target, detail, prev_hash, hash) "
                    "VALUES (5, :ts, 'forger', 'admin', 'login', '', '{}', :p, :h)"
                ),
                {"ts": ts, "p": prev, "h": audit.link_hash(prev, content)},
            )
            return 6  # the forged row is self-consistent; the next link breaks
        if how == "swap":
            cols = "ts, actor, role, action, target, detail, prev_hash, hash"
            a = conn.execute(text(f"SELECT {cols} FROM audit_log WHERE id = 5")).one()
            b = conn.execute(text(f"SELECT {cols} FROM audit_log WHERE id = 6")).one()
            sets = ", ".join(f"{c} = :{c}" for c in cols.split(", "))
            conn.execute(text(f"UPDATE audit_log SET {sets} WHERE id = 5"), dict(zip(cols.split(", "), b, strict=True)))
            conn.execute(text(f"UPDATE audit_log SET {sets} WHERE id = 6"), dict(zip(cols.split(", "), a, strict=True)))
            return 5
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["edit", "delete", "insert", "swap"])
def test_tampering_is_detected_at_the_right_row(as_user: Any, seeded: dict[str, Any], how: str) -> None:
    _activity(as_user)
    db_url = seeded["db_url"]
    assert len(_rows(db_url)) > 8
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    broken = _tamper(db_url, how)
    result = audit.verify(open_database(db_url))
    assert not result.ok and result.broken_id == broken, result.describe()
    bad = runner.invoke(cli, ["audit", "verify", "--db", db_url])
    assert bad.exit_code != 0
    assert f"id {broken})" in bad.output


def test_export_anchors_the_head(as_user: Any, seeded: dict[str, Any], tmp_path: Any) -> None:
    _activity(as_user)
    out = tmp_path / "audit.jsonl"
    res = CliRunner().invoke(cli, ["audit", "export", "--db", seeded["db_url"], "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[-1]["intact"] is True and lines[-1]["head"] == lines[-2]["hash"]
    assert lines[-1]["rows"] == len(lines) - 1


def test_monitor_page_verifies(as_user: Any) -> None:
    _activity(as_user)
    page = as_user("monitor1").get("/audit?verify=1")
    assert page.status_code == 200 and "audit chain intact" in page.text


def test_anchor_catches_truncation_and_the_head_is_signed(as_user: Any, seeded: dict[str, Any], tmp_path: Any) -> None:
    signing = pytest.importorskip("sealroom.produce.signing")
    key, pub = signing.generate_signing_key(tmp_path / "audit.key")
    _activity(as_user)
    db_url = seeded["db_url"]
    anchor = tmp_path / "anchor.jsonl"
    run = CliRunner().invoke
    assert run(cli, ["audit", "export", "--db", db_url, "--out", str(anchor), "--sign-key", str(key)]).exit_code == 0
    last = json.loads(anchor.read_text().splitlines()[-1])
    public = signing.load_public_key(pub)
    public.verify(base64.b64decode(last["signature"]), audit.head_message(last["head"], last["rows"]))
    assert run(cli, ["audit", "verify", "--db", db_url, "--anchor", str(anchor)]).exit_code == 0
    # Deleting the newest rows leaves a consistent chain: only the anchor notices.
    with open_database(db_url).writer.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id > :n"), {"n": last["rows"] - 2})
    assert audit.verify(open_database(db_url)).ok
    res = run(cli, ["audit", "verify", "--db", db_url, "--anchor", str(anchor)])
    assert res.exit_code != 0 and "rows deleted from the end" in res.output
