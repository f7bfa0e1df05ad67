"""The targeted-search service: the requesting party submits article texts, the server scans the
producing party's de-identified dataset in a background job, an admin approves, and only the
approved hits are released — each as offsets and scores under an opaque reference, never text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Protocol

from fastapi import FastAPI, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from sealroom.review import audit
from sealroom.review.db import Database
from sealroom.review.guard import READERS, Ctx, RouteTable, guard
from sealroom.review.models import TargetedSearchJob

log = logging.getLogger(__name__)
router = RouteTable(tags=["targeted search"])
ADMIN = frozenset({"admin"})
REQUESTERS_OR_ADMIN = READERS | ADMIN
MAX_ARTICLES = 200
MAX_ARTICLE_CHARS = 500_000


@dataclass(frozen=True)
class ArticleText:
    id: str
    text: str


@dataclass(frozen=True)
class TargetedHit:
    conversation_id: str
    message_index: int
    start: int  # character offsets in the (de-identified) message
    end: int
    article_id: str  # the requester's id of the submitted text
    article_start: int  # character offsets in the submitted text
    article_end: int
    words: int
    kind: str
    similarity: float
    role: str | None = None
    origin: str | None = None


class TargetedSearchBackend(Protocol):
    """Runs one search of the given articles over the producing party's dataset."""

    def search(self, articles: list[ArticleText]) -> list[TargetedHit]: ...


# ---- API models ------------------------------------------------------------------------------


class ArticleIn(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=MAX_ARTICLE_CHARS)


class TargetedSearchRequest(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_ARTICLES)


class ReleasedHit(BaseModel):
    ref: str = Field(description="opaque, keyed reference of the conversation (stable within this server)")
    message_index: int
    start: int
    end: int
    article_id: str
    article_start: int
    article_end: int
    words: int
    kind: str
    similarity: float
    role: str | None = None
    origin: str | None = None


class JobOut(BaseModel):
    id: int
    status: str = Field(description="queued | running | awaiting_approval | released | rejected | failed")
    articles: int
    created_at: datetime
    hits_found: int | None = Field(None, description="shown to the admin only")
    hits: list[ReleasedHit] = Field(default_factory=list, description="released hits (all hits for the admin)")


class Decision(BaseModel):
    approve: bool
    release: list[int] | None = Field(None, description="indexes of hits to release; all when omitted")


# ---- jobs ------------------------------------------------------------------------------------


class JobRunner:
    """One background worker thread per app: scans are heavy, they queue rather than compete."""

    def __init__(self, db: Database, backend: TargetedSearchBackend | None) -> None:
        self.db = db
        self.backend = backend
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="targeted-search")

    def submit(self, job_id: int) -> None:
        self.pool.submit(self.run, job_id)

    def run(self, job_id: int) -> None:
        with self.db.write_session() as s:
            job = s.get(TargetedSearchJob, job_id)
            if job is None:
                return
            job.status = "running"
            articles = [ArticleText(a["id"], a["text"]) for a in json.loads(job.articles)]
            s.commit()
        status, results, error = "awaiting_approval", None, None
        try:
            if self.backend is None:
                raise RuntimeError("no targeted-search backend is configured")
            results = [asdict(h) for h in self.backend.search(articles)]
        except Exception as exc:  # the job records the failure; the reason is a type name, never text
            status, error = "failed", type(exc).__name__
            log.warning("targeted search job %d failed: %s", job_id, type(exc).__name__)
        with self.db.audit_lock, self.db.write_session() as s:
            job = s.get(TargetedSearchJob, job_id)
            job.status, job.error = status, error
            job.results = json.dumps(results) if results is not None else None
            job.finished_at = datetime.now(UTC)
            audit.append(
                self.db,
                s,
                actor="system",
                role="system",
                action="targeted_search_done",
                target=str(job_id),
                detail={"status": status, "hits": len(results or []), "error": error},
            )
            s.commit()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)


def install(app: FastAPI, backend: TargetedSearchBackend | None = None) -> None:
    state = app.state.review
    if backend is None and state.settings.targeted_dataset is not None:
        from sealroom.review.scan_backend import ScanBackend

        backend = ScanBackend(state.settings.targeted_dataset)
    state.backend = backend
    state.jobs = JobRunner(state.db, backend)


def hit_ref(secret: bytes, conversation_id: str) -> str:
    return hmac.new(secret, b"targeted-ref\x00" + conversation_id.encode(), hashlib.sha256).hexdigest()[:20]


def _job_out(job: TargetedSearchJob, secret: bytes, *, admin: bool) -> JobOut:
    results = json.loads(job.results) if job.results else []
    if admin:
        chosen = list(range(len(results)))
    elif job.status == "released":
        chosen = json.loads(job.released or "[]")
    else:
        chosen = []
    hits = []
    for i in chosen:
        h = dict(results[i])
        h["ref"] = hit_ref(secret, h.pop("conversation_id"))
        hits.append(ReleasedHit(**h))
    return JobOut(
        id=job.id,
        status=job.status,
        articles=len(json.loads(job.articles)),
        created_at=job.created_at,
        hits_found=len(results) if admin else None,
        hits=hits,
    )


def _job_for(ctx: Ctx, job_id: int) -> TargetedSearchJob:
    job = ctx.db.get(TargetedSearchJob, job_id)
    # A requester sees only their own jobs; another's job is "not found", not "forbidden".
    if job is None or (ctx.role != "admin" and job.requester_id != ctx.user.id):
        raise HTTPException(404, "no such targeted search")
    return job


# ---- routes ----------------------------------------------------------------------------------


@router.post(
    "/api/v1/targeted-search",
    status_code=202,
    response_model=JobOut,
    summary="Submit article texts for a targeted search (results need admin approval)",
)
def submit(ctx: Annotated[Ctx, guard(READERS, "targeted_search_submit")], body: TargetedSearchRequest) -> JobOut:
    articles = [{"id": a.id, "text": a.text} for a in body.articles]
    job = TargetedSearchJob(
        requester_id=ctx.user.id, status="queued", articles=json.dumps(articles), created_at=datetime.now(UTC)
    )
    ctx.db.add(job)
    ctx.db.flush()
    ctx.target = str(job.id)
    ctx.detail = {
        "articles": [a.id for a in body.articles],
        "sha256": [hashlib.sha256(a.text.encode()).hexdigest() for a in body.articles],
    }
    # Started after the guard commits the job and its audit row together.
    ctx.request.state.after_commit = lambda: ctx.request.app.state.review.jobs.submit(job.id)
    return _job_out(job, b"", admin=False)


@router.get("/api/v1/targeted-search", response_model=list[JobOut], summary="My targeted searches (admin: all)")
def list_jobs(ctx: Annotated[Ctx, guard(REQUESTERS_OR_ADMIN, "targeted_search_list")]) -> list[JobOut]:
    q = select(TargetedSearchJob).order_by(TargetedSearchJob.id.desc()).limit(200)
    if ctx.role != "admin":
        q = q.where(TargetedSearchJob.requester_id == ctx.user.id)
    secret = ctx.request.app.state.review.settings.secret
    return [_job_out(j, secret, admin=ctx.role == "admin") for j in ctx.db.scalars(q)]


@router.get(
    "/api/v1/targeted-search/{job_id}", response_model=JobOut, summary="One targeted search; released hits only"
)
def get_job(ctx: Annotated[Ctx, guard(REQUESTERS_OR_ADMIN, "targeted_search_get")], job_id: int) -> JobOut:
    ctx.target = str(job_id)
    job = _job_for(ctx, job_id)
    out = _job_out(job, ctx.request.app.state.review.settings.secret, admin=ctx.role == "admin")
    ctx.detail = {"status": job.status, "hits_shown": len(out.hits)}
    return out


def _decide(ctx: Ctx, job_id: int, approve: bool, release: list[int] | None) -> TargetedSearchJob:
    ctx.target = str(job_id)
    job = _job_for(ctx, job_id)
    if job.status != "awaiting_approval":
        raise HTTPException(409, f"job is {job.status}, not awaiting approval")
    n = len(json.loads(job.results or "[]"))
    chosen = sorted(set(range(n) if release is None else release))
    if any(i < 0 or i >= n for i in chosen):
        raise HTTPException(400, f"release indexes must lie in 0..{n - 1}")
    job.status = "released" if approve else "rejected"
    job.released = json.dumps(chosen if approve else [])
    job.reviewed_by = ctx.user.id
    ctx.detail = {"approve": approve, "released": len(chosen) if approve else 0, "found": n}
    return job


@router.post(
    "/api/v1/targeted-search/{job_id}/decision",
    response_model=JobOut,
    summary="Admin: approve (all or some hits) or reject a finished targeted search",
)
def decide(ctx: Annotated[Ctx, guard(ADMIN, "targeted_search_decision")], job_id: int, body: Decision) -> JobOut:
    job = _decide(ctx, job_id, body.approve, body.release)
    return _job_out(job, ctx.request.app.state.review.settings.secret, admin=True)


@router.post("/admin/targeted-search/{job_id}", include_in_schema=False)
def decide_form(
    ctx: Annotated[Ctx, guard(ADMIN, "targeted_search_decision")],
    job_id: int,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
) -> Response:
    _decide(ctx, job_id, decision == "approve", None)
    return RedirectResponse("/admin", status_code=303)
