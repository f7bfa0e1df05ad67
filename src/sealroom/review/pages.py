"""Server-rendered pages: login, search, conversation view, coding, export, audit, admin.

Handlers never check roles or write audit rows themselves: ``guard`` does both for every route.
They fill ``ctx.target`` / ``ctx.detail`` with what the audit row should say (ids and queries,
never document text).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from typing import Annotated, Any

from fastapi import Form, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import delete, func, select

from sealroom.review import audit
from sealroom.review.app import now_text
from sealroom.review.auth import PRE_COOKIE, SESSION_COOKIE, attempt_login
from sealroom.review.guard import ANY_USER, READERS, Ctx, RouteTable, guard
from sealroom.review.models import (
    AuditEntry,
    DocTag,
    Document,
    DocumentText,
    Note,
    SavedSearch,
    TargetedSearchJob,
    User,
    WebSession,
)
from sealroom.review.query import QueryError
from sealroom.review.render import conversation_view
from sealroom.review.search import matching_ids, run_search, tags_for

router = RouteTable()
ADMIN = frozenset({"admin"})
MONITOR = frozenset({"monitor"})
BULK_TAG_LIMIT = 10_000
NOTE_MAX = 10_000


def render(ctx: Ctx, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    templates = ctx.request.app.state.templates
    base = {"user": ctx.user, "csrf": ctx.csrf, "now": now_text(), "tags": ctx.request.app.state.review.settings.tags}
    return templates.TemplateResponse(ctx.request, template, {**base, **values}, status_code=status)


def _set_cookie(response: Response, ctx: Ctx, name: str, value: str, max_age: int | None) -> None:
    settings = ctx.request.app.state.review.settings
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict", secure=settings.secure_cookies, path="/"
    )


# ---- public ----------------------------------------------------------------------------------


@router.get("/healthz", include_in_schema=False)
def healthz(ctx: Annotated[Ctx, guard(None, "healthz", audit_it=False)]) -> JSONResponse:
    return JSONResponse({"ok": True})


def _login_page(ctx: Ctx, message: str = "", status: int = 200) -> HTMLResponse:
    signer = ctx.request.app.state.review.signer
    nonce = signer.unsign_pre(ctx.request.cookies.get(PRE_COOKIE)) or secrets.token_urlsafe(24)
    response = render(ctx, "login.html", status, login_csrf=signer.pre_csrf(nonce), message=message)
    _set_cookie(response, ctx, PRE_COOKIE, signer.sign_pre(nonce), None)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(ctx: Annotated[Ctx, guard(None, "login_form", audit_it=False)]) -> HTMLResponse:
    return _login_page(ctx)


@router.post("/login", include_in_schema=False)
def login(
    ctx: Annotated[Ctx, guard(None, "login", serialize=False)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    otp: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    state = ctx.request.app.state.review
    outcome = attempt_login(state.db, ctx.db, state.settings, username, password, otp or None)
    ctx.actor, ctx.target = username, username
    ctx.actor_role = outcome.user.role if outcome.user is not None else None
    ctx.detail = {"outcome": outcome.reason, "client": ctx.request.client.host if ctx.request.client else ""}
    if not outcome.ok or outcome.token is None:
        # One message for every failure: which part was wrong is not disclosed.
        return _login_page(ctx, "Login failed (wrong credentials, or the account is locked).", 401)
    response = RedirectResponse("/", status_code=303)
    # A brand-new token: whatever session cookie the browser held before is never promoted.
    _set_cookie(
        response,
        ctx,
        SESSION_COOKIE,
        state.signer.sign_session(outcome.token),
        int(state.settings.session_hours * 3600),
    )
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


# ---- any signed-in user ------------------------------------------------------------------------


@router.post("/logout", include_in_schema=False)
def logout(ctx: Annotated[Ctx, guard(ANY_USER, "logout")]) -> Response:
    if ctx.web is not None:
        ctx.db.execute(delete(WebSession).where(WebSession.id == ctx.web.id))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", include_in_schema=False)
def home(ctx: Annotated[Ctx, guard(ANY_USER, "home", audit_it=False)]) -> Response:
    target = {"admin": "/admin", "monitor": "/audit"}.get(ctx.role, "/search")
    return RedirectResponse(target, status_code=303)


# ---- readers: search, view, coding, export ---------------------------------------------------


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    ctx: Annotated[Ctx, guard(READERS, "search")],
    q: Annotated[str, Query(max_length=2000)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    state = ctx.request.app.state.review
    ctx.detail = {"query": q, "page": page}
    error, result = "", None
    try:
        result = run_search(ctx.db, q, ctx.scope(), state.db.dialect, page=page, page_size=state.settings.page_size)
        ctx.detail["total"] = result.total
    except QueryError as exc:
        error = str(exc.args[0])
        ctx.detail["error"] = error
    saved = ctx.db.scalars(
        select(SavedSearch).where(SavedSearch.user_id == ctx.user.id).order_by(SavedSearch.name)
    ).all()
    return render(ctx, "search.html", 400 if error else 200, q=q, result=result, error=error, saved=saved)


@router.post("/search/save", include_in_schema=False)
def save_search(
    ctx: Annotated[Ctx, guard(READERS, "save_search")],
    name: Annotated[str, Form(min_length=1, max_length=128)],
    q: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    ctx.db.add(SavedSearch(user_id=ctx.user.id, name=name, query=q))
    ctx.detail = {"name": name, "query": q}
    return RedirectResponse("/search?" + _qs(q), status_code=303)


@router.post("/search/tag", include_in_schema=False)
def bulk_tag(
    ctx: Annotated[Ctx, guard(READERS, "bulk_tag")],
    tag: Annotated[str, Form(max_length=64)],
    q: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    tag = _known_tag(ctx, tag)
    state = ctx.request.app.state.review
    ids = matching_ids(ctx.db, q, ctx.scope(), state.db.dialect, BULK_TAG_LIMIT + 1)
    if len(ids) > BULK_TAG_LIMIT:
        raise HTTPException(400, f"bulk tagging is limited to {BULK_TAG_LIMIT} documents; narrow the search")
    have = set(ctx.db.scalars(select(DocTag.document_id).where(DocTag.tag == tag, DocTag.document_id.in_(ids))))
    ctx.db.add_all(DocTag(document_id=i, tag=tag, user_id=ctx.user.id) for i in ids if i not in have)
    ctx.detail = {"query": q, "tag": tag, "matched": len(ids), "added": len(set(ids) - have)}
    return RedirectResponse("/search?" + _qs(q), status_code=303)


@router.post("/export", include_in_schema=False)
def export_csv(
    ctx: Annotated[Ctx, guard(READERS, "export")], q: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    state = ctx.request.app.state.review
    limit = state.settings.export_limits.get(ctx.role, 0)
    ids = matching_ids(ctx.db, q, ctx.scope(), state.db.dialect, limit + 1)
    ctx.detail = {"query": q, "rows": len(ids), "limit": limit}
    if not limit or len(ids) > limit:
        raise HTTPException(403, f"this export exceeds your role's limit of {limit} documents; narrow the search")
    docs = ctx.db.execute(
        select(Document.id, Document.bates, Document.designation).where(Document.id.in_(ids)).order_by(Document.bates)
    ).all()
    tags = tags_for(ctx.db, ids)
    notes: dict[int, list[str]] = {}
    for doc_id, text in ctx.db.execute(
        select(Note.document_id, Note.text).where(Note.document_id.in_(ids)).order_by(Note.id)
    ):
        notes.setdefault(doc_id, []).append(text)
    buf = io.StringIO()
    w = csv.writer(buf)
    mark = f"sealroom export by {ctx.user.username} at {now_text()} - protective order; query: {q}"
    w.writerow([_cell(mark)])
    w.writerow(["bates", "designation", "tags", "notes"])
    for doc_id, bates, designation in docs:
        w.writerow([bates, designation, ";".join(tags.get(doc_id, [])), _cell(" | ".join(notes.get(doc_id, [])))])
    body = buf.getvalue()
    ctx.detail["sha256"] = hashlib.sha256(body.encode()).hexdigest()
    name = f"sealroom-export-{ctx.user.username}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/documents/{bates}", response_class=HTMLResponse, include_in_schema=False)
def document_page(ctx: Annotated[Ctx, guard(READERS, "view", rate_limited=True)], bates: str) -> HTMLResponse:
    ctx.target = bates[:64]
    doc = ctx.visible_document(bates)
    native, turns = conversation_view(ctx.db.get(DocumentText, doc.id).native)
    tags = tags_for(ctx.db, [doc.id]).get(doc.id, [])
    notes = ctx.db.execute(
        select(Note.text, Note.created_at, User.username)
        .join(User, User.id == Note.user_id)
        .where(Note.document_id == doc.id)
        .order_by(Note.id)
    ).all()
    meta_replacements = [r for r in native.get("replacements") or [] if r.get("field", "content") != "content"]
    return render(
        ctx,
        "document.html",
        doc=doc,
        native=native,
        turns=turns,
        doc_tags=tags,
        notes=notes,
        meta_replacements=meta_replacements,
    )


@router.post("/documents/{bates}/tags", include_in_schema=False)
def tag_document(
    ctx: Annotated[Ctx, guard(READERS, "tag")],
    bates: str,
    tag: Annotated[str, Form(max_length=64)],
    op: Annotated[str, Form(pattern="^(add|remove)$")] = "add",
) -> Response:
    ctx.target = bates[:64]
    doc = ctx.visible_document(bates)
    tag = _known_tag(ctx, tag)
    ctx.detail = {"tag": tag, "op": op}
    existing = ctx.db.scalar(select(DocTag).where(DocTag.document_id == doc.id, DocTag.tag == tag))
    if op == "add" and existing is None:
        ctx.db.add(DocTag(document_id=doc.id, tag=tag, user_id=ctx.user.id))
    elif op == "remove" and existing is not None:
        ctx.db.delete(existing)
    return RedirectResponse(f"/documents/{doc.bates}", status_code=303)


@router.post("/documents/{bates}/notes", include_in_schema=False)
def add_note(
    ctx: Annotated[Ctx, guard(READERS, "note")],
    bates: str,
    text: Annotated[str, Form(min_length=1, max_length=NOTE_MAX)],
) -> Response:
    ctx.target = bates[:64]
    doc = ctx.visible_document(bates)
    ctx.db.add(Note(document_id=doc.id, user_id=ctx.user.id, text=text))
    # The note is the requesting party's work product: the audit row records that it was written.
    ctx.detail = {"chars": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest()}
    return RedirectResponse(f"/documents/{doc.bates}", status_code=303)


# ---- monitor: the audit trail --------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    ctx: Annotated[Ctx, guard(MONITOR, "audit_view")],
    page: Annotated[int, Query(ge=1)] = 1,
    verify: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    per_page = 100
    total = ctx.db.scalar(select(func.count()).select_from(AuditEntry)) or 0
    rows = ctx.db.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    ctx.detail = {"page": page, "verify": verify}
    result = audit.verify(ctx.request.app.state.review.db) if verify else None
    if result is not None:
        ctx.detail["verified"] = result.ok
    return render(
        ctx, "audit.html", rows=rows, total=total, page=page, pages=max(1, -(-total // per_page)), result=result
    )


# ---- admin ------------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def admin_page(ctx: Annotated[Ctx, guard(ADMIN, "admin_view")]) -> HTMLResponse:
    users = ctx.db.scalars(select(User).order_by(User.username)).all()
    jobs = ctx.db.scalars(select(TargetedSearchJob).order_by(TargetedSearchJob.id.desc()).limit(50)).all()
    names = {u.id: u.username for u in users}
    rows = [
        {
            "id": j.id,
            "requester": names.get(j.requester_id, "?"),
            "status": j.status,
            "articles": len(json.loads(j.articles)),
            "hits": len(json.loads(j.results)) if j.results else None,
        }
        for j in jobs
    ]
    return render(ctx, "admin.html", users=users, jobs=rows)


@router.post("/admin/users/{user_id}/disable", include_in_schema=False)
def disable_user(ctx: Annotated[Ctx, guard(ADMIN, "user_disable")], user_id: int) -> Response:
    user = ctx.db.get(User, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    if user.id == ctx.user.id:
        raise HTTPException(400, "an admin cannot disable their own account here")
    user.disabled = True
    ctx.db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    ctx.target = user.username
    return RedirectResponse("/admin", status_code=303)


# ---- helpers ------------------------------------------------------------------------------------


def _known_tag(ctx: Ctx, tag: str) -> str:
    tag = tag.strip().lower()
    if tag not in ctx.request.app.state.review.settings.tags:
        raise HTTPException(400, "unknown tag")
    return tag


def _qs(q: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": q})


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in free-text cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
