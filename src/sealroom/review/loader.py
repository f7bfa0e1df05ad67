"""Loading verified production volumes into the review database.

``load_production`` verifies the production with produce's verifier first and refuses one that
fails; ``load_documents`` inserts NATIVES JSON documents (in batches, idempotently: a Bates number
already loaded with the same content is skipped, with different content refused).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from sealroom.errors import ConfigError, InputError, IntegrityError
from sealroom.review import audit
from sealroom.review.db import Database, open_database
from sealroom.review.models import DESIGNATIONS, Document, DocumentText, Hit
from sealroom.review.query import words_of

NATIVE_FORMAT = "sealroom.native/1"
_REPLACEMENT_KEYS = {"message_index", "field", "out_start", "out_end", "label", "operator"}
_HIT_KEYS = {"message_index", "start", "end", "article_id", "words", "kind", "similarity", "origin"}
BATCH = 1000
TEXT_COLUMNS = ("body", "search_text", "native")  # stored in document_texts


@dataclass
class LoadResult:
    documents: int = 0
    skipped: int = 0
    hits: int = 0
    volumes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "skipped": self.skipped, "hits": self.hits, "volumes": self.volumes}


def _parse_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def document_row(doc: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``documents`` row and ``hits`` rows of one NATIVES document, after checking its shape.

    A replacement entry with any key beyond offsets, label and operator is refused: the review
    database must never receive a replacement value or an original.
    """
    bates = (doc.get("bates") or {}).get("begin") if isinstance(doc.get("bates"), dict) else None
    where = f"document {bates or '(no Bates number)'}"
    if doc.get("format") != NATIVE_FORMAT:
        raise InputError(f"{where}: format is not {NATIVE_FORMAT}", code="native_format")
    if not bates or doc.get("designation") not in DESIGNATIONS:
        raise InputError(f"{where}: missing Bates number or unknown designation", code="native_format")
    conv = doc.get("conversation")
    if not isinstance(conv, dict) or not isinstance(conv.get("messages"), list):
        raise InputError(f"{where}: no conversation/messages", code="native_format")
    for i, rep in enumerate(doc.get("replacements") or []):
        extra = set(rep) - _REPLACEMENT_KEYS
        if extra:
            raise InputError(f"{where}: replacement {i} carries fields {sorted(extra)}", code="native_values")
    hits = []
    for i, h in enumerate(doc.get("hits") or []):
        if not set(h) >= _HIT_KEYS:
            raise InputError(f"{where}: hit {i} lacks {sorted(_HIT_KEYS - set(h))}", code="native_format")
        hits.append({k: h[k] for k in _HIT_KEYS})
    messages = conv["messages"]
    parts = [conv.get("title") or ""] + [str(m.get("content") or "") for m in messages]
    body = "\n\n".join(p for p in parts if p)
    native = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    row = {
        "bates": bates,
        "bates_end": doc["bates"].get("end") or bates,
        "docid": str(doc.get("docid") or ""),
        "designation": doc["designation"],
        "volume": str(doc.get("volume") or ""),
        "model": conv.get("model"),
        "created_at": _parse_dt(conv.get("created_at")),
        "title": conv.get("title"),
        "messages": len(messages),
        "has_reproduction": bool(hits),
        "has_signal": bool(doc.get("signals")),
        "replacements": len(doc.get("replacements") or []),
        "body": body,
        "search_text": " ".join(words_of(body)),
        "native": native,
        "sha256": hashlib.sha256(native.encode()).hexdigest(),
    }
    return row, hits


def _batches(items: Iterable[dict[str, Any]], n: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(items)
    while chunk := list(islice(it, n)):
        yield chunk


def load_documents(db: Database, documents: Iterable[dict[str, Any]], *, actor: str = "cli") -> LoadResult:
    """Insert NATIVES documents; one transaction per batch, one audit row at the end."""
    result = LoadResult()
    volumes: set[str] = set()
    for chunk in _batches(documents, BATCH):
        prepared = [document_row(d) for d in chunk]
        with db.audit_lock, db.write_session() as session:
            known = dict(
                session.execute(
                    select(Document.bates, Document.sha256).where(Document.bates.in_([r["bates"] for r, _ in prepared]))
                ).all()
            )
            fresh = []
            for row, hits in prepared:
                if row["bates"] in known:
                    if known[row["bates"]] != row["sha256"]:
                        raise IntegrityError(
                            f"{row['bates']} is already loaded with different content", code="bates_conflict"
                        )
                    result.skipped += 1
                    continue
                known[row["bates"]] = row["sha256"]
                fresh.append((row, hits))
            if fresh:
                texts = [{k: r.pop(k) for k in TEXT_COLUMNS} for r, _ in fresh]
                ids = session.scalars(
                    insert(Document).returning(Document.id, sort_by_parameter_order=True), [r for r, _ in fresh]
                ).all()
                session.execute(
                    insert(DocumentText), [{**t, "document_id": i} for i, t in zip(ids, texts, strict=True)]
                )
                hit_rows = [
                    {**h, "document_id": doc_id} for doc_id, (_, hits) in zip(ids, fresh, strict=True) for h in hits
                ]
                if hit_rows:
                    session.execute(insert(Hit), hit_rows)
                result.documents += len(fresh)
                result.hits += len(hit_rows)
                volumes.update(r["volume"] for r, _ in fresh)
            session.commit()
    result.volumes = sorted(volumes)
    _refresh_statistics(db)
    audit.record(
        db, actor=actor, role="admin", action="load", target=",".join(result.volumes)[:128], detail=result.to_dict()
    )
    return result


def _refresh_statistics(db: Database) -> None:
    """Planner statistics after a bulk load; without them PostgreSQL scans whole tables."""
    with db.writer.connect() as conn:
        if db.dialect == "postgresql":
            conn.exec_driver_sql("ANALYZE documents, document_texts, document_fts, hits")
        else:
            conn.exec_driver_sql("PRAGMA optimize")
        conn.commit()


def load_production(production: Path, db_url: str, *, public_key: Path | None = None) -> LoadResult:
    """Verify a production folder (refusing one that fails) and load its documents into ``db_url``."""
    try:
        from sealroom.produce.verify import verify_production
        from sealroom.produce.volume import iter_documents
    except ImportError:
        raise ConfigError(
            "sealroom.produce's verifier is not available; refusing to load unverified", code="no_verifier"
        ) from None
    report = verify_production(Path(production), public_key=public_key)
    if not report.ok:
        shown = "; ".join(report.problems[:5])
        raise IntegrityError(
            f"production {Path(production).name} failed verification: {shown}", code="production_invalid"
        )
    db = open_database(db_url)
    return load_documents(db, iter_documents(Path(production)))
