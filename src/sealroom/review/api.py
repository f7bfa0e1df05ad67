"""The JSON API (``/api/v1``): session info, search and document views, under the same guard."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from sealroom.review.app import now_text
from sealroom.review.guard import ANY_USER, READERS, Ctx, RouteTable, guard
from sealroom.review.models import DocumentText
from sealroom.review.search import run_search, tags_for

router = RouteTable(prefix="/api/v1", tags=["review"])


class SessionInfo(BaseModel):
    username: str
    role: str
    aeo: bool
    csrf_token: str  # send as X-CSRF-Token on every POST


class SearchHit(BaseModel):
    bates: str
    designation: str
    title: str | None
    model: str | None
    created_at: datetime | None
    has_reproduction: bool
    snippet_html: str  # escaped text with <mark> around matched words
    tags: list[str]


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    page_size: int
    results: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    watermark: str


class DocumentResponse(BaseModel):
    bates: str
    designation: str
    tags: list[str]
    native: dict[str, Any]  # the NATIVES JSON document as produced
    watermark: str


@router.get("/session", response_model=SessionInfo, summary="Who am I, and my CSRF token")
def session_info(ctx: Annotated[Ctx, guard(ANY_USER, "session", audit_it=False)]) -> SessionInfo:
    return SessionInfo(username=ctx.user.username, role=ctx.role, aeo=ctx.user.aeo, csrf_token=ctx.csrf)


@router.get("/search", response_model=SearchResponse, summary="Search the documents my designation allows")
def api_search(
    ctx: Annotated[Ctx, guard(READERS, "search")],
    q: Annotated[str, Query(max_length=2000, description="query language: see docs/review.md")] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    facets: Annotated[bool, Query()] = True,
) -> SearchResponse:
    state = ctx.request.app.state.review
    ctx.detail = {"query": q, "page": page, "api": True}
    result = run_search(
        ctx.db, q, ctx.scope(), state.db.dialect, page=page, page_size=state.settings.page_size, facets=facets
    )
    ctx.detail["total"] = result.total
    return SearchResponse(
        query=q,
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        results=[
            SearchHit(
                bates=r.bates,
                designation=r.designation,
                title=r.title,
                model=r.model,
                created_at=r.created_at,
                has_reproduction=r.has_reproduction,
                snippet_html=str(r.snippet),
                tags=r.tags,
            )
            for r in result.results
        ],
        facets=result.facets,
        watermark=f"{ctx.user.username} {now_text()}",
    )


@router.get("/documents/{bates}", response_model=DocumentResponse, summary="One document (404 when not allowed)")
def api_document(ctx: Annotated[Ctx, guard(READERS, "view", rate_limited=True)], bates: str) -> DocumentResponse:
    ctx.target = bates[:64]
    ctx.detail = {"api": True}
    doc = ctx.visible_document(bates)
    return DocumentResponse(
        bates=doc.bates,
        designation=doc.designation,
        tags=tags_for(ctx.db, [doc.id]).get(doc.id, []),
        native=json.loads(ctx.db.get(DocumentText, doc.id).native),
        watermark=f"{ctx.user.username} {now_text()}",
    )
