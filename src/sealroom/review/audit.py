"""The hash-chained audit log: append inside the caller's transaction, verify, export.

Each row's ``hash`` is SHA-256 over the previous row's hash and the row's own canonical content
(its id included), and ids are consecutive. So an edited row fails its own hash, a deleted row
leaves a gap and a broken ``prev_hash`` link, an inserted row breaks the link after it, and two
swapped rows fail their ids. ``verify`` names the first broken row.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sealroom.review.db import Database
from sealroom.review.models import AuditEntry

GENESIS = "0" * 64
# Arbitrary constant key for PostgreSQL's transaction-scoped advisory lock on the chain head.
_PG_LOCK_KEY = 0x5EA1A0D17


def canonical(entry_id: int, ts: str, actor: str, role: str, action: str, target: str, detail: str) -> bytes:
    return json.dumps(
        {"id": entry_id, "ts": ts, "actor": actor, "role": role, "action": action, "target": target, "detail": detail},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def link_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def canonical_detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def append(
    db: Database,
    session: Session,
    *,
    actor: str,
    role: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit row to ``session``'s open transaction; the caller commits (with its action).

    The caller must hold ``db.audit_lock`` until it commits, so no other append in this process
    reads the same chain head; other processes are excluded by the database (advisory lock on
    PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite).
    """
    if db.dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    head = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry_id, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    ts = datetime.now(UTC).isoformat(timespec="microseconds")
    det = canonical_detail(detail)
    target = target[:128]
    entry = AuditEntry(
        id=entry_id,
        ts=ts,
        actor=actor,
        role=role,
        action=action,
        target=target,
        detail=det,
        prev_hash=prev,
        hash=link_hash(prev, canonical(entry_id, ts, actor, role, action, target, det)),
    )
    session.add(entry)
    session.flush()
    return entry


def record(db: Database, *, actor: str, role: str, action: str, target: str = "", detail: dict | None = None) -> None:
    """Append one row in its own transaction (for events with no other write, e.g. a CLI load)."""
    with db.audit_lock, db.write_session() as session:
        append(db, session, actor=actor, role=role, action=action, target=target, detail=detail)
        session.commit()


@dataclass
class VerifyResult:
    ok: bool
    rows: int
    head: str
    broken_id: int | None = None
    position: int | None = None  # 1-based position of the first broken row in id order
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.rows} rows, head {self.head}"
        where = f"id {self.broken_id}" if self.broken_id is not None else "end of chain"
        return f"audit chain broken at row {self.position} ({where}): {self.reason}"


def iter_rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = None
    while True:
        q = select(AuditEntry).order_by(AuditEntry.id).limit(batch)
        if last is not None:
            q = q.where(AuditEntry.id > last)
        rows = session.scalars(q).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify(db: Database, anchor: dict[str, Any] | None = None) -> VerifyResult:
    """Walk the chain in id order and report the first row that does not check.

    ``anchor`` is the ``{"head", "rows"}`` line of an earlier ``export``: row number ``rows`` must
    still carry hash ``head``, which catches a truncated or wholesale-rewritten chain.
    """
    prev, expected_id, n = GENESIS, 1, 0
    want = (int(anchor["rows"]), str(anchor["head"])) if anchor else None
    with db.read_session() as session:
        for n, row in enumerate(iter_rows(session), start=1):
            if want and n == want[0] and row.hash != want[1]:
                reason = "differs from the anchored head (chain rewritten)"
                return VerifyResult(False, n, prev, broken_id=row.id, position=n, reason=reason)
            content = canonical(row.id, row.ts, row.actor, row.role, row.action, row.target, row.detail)
            reason = ""
            if row.id != expected_id:
                reason = f"id {row.id} where {expected_id} was expected (row deleted, inserted or renumbered)"
            elif row.prev_hash != prev:
                reason = "prev_hash does not match the previous row (row deleted, inserted or reordered)"
            elif row.hash != link_hash(row.prev_hash, content):
                reason = "content does not match its hash (row edited)"
            if reason:
                return VerifyResult(False, n, prev, broken_id=row.id, position=n, reason=reason)
            prev, expected_id = row.hash, row.id + 1
    if want and n < want[0]:
        reason = f"only {n} rows, the anchor has {want[0]} (rows deleted from the end)"
        return VerifyResult(False, n, prev, broken_id=None, position=n + 1, reason=reason)
    return VerifyResult(True, n, prev)


def head_message(head: str, rows: int) -> bytes:
    return f"sealroom.audit/1 head {head} rows {rows}".encode()


def sign_head(key_path: Path, head: str, rows: int) -> dict[str, str]:
    """An Ed25519 signature over the chain head (a signing key as produce makes them)."""
    from sealroom.produce.signing import load_signing_key, public_fingerprint

    key = load_signing_key(key_path)
    return {
        "signature": base64.b64encode(key.sign(head_message(head, rows))).decode(),
        "public_key_sha256": public_fingerprint(key.public_key()),
    }


def export_rows(db: Database) -> Iterator[dict[str, Any]]:
    with db.read_session() as session:
        for row in iter_rows(session):
            yield {
                "id": row.id,
                "ts": row.ts,
                "actor": row.actor,
                "role": row.role,
                "action": row.action,
                "target": row.target,
                "detail": json.loads(row.detail),
                "prev_hash": row.prev_hash,
                "hash": row.hash,
            }
