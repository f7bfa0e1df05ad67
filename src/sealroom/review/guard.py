"""The one dependency every route uses: authentication, role check, CSRF, rate limit, audit.

``guard(roles=..., action=...)`` returns a FastAPI dependency that
1. authenticates the session cookie (anonymous: 303 to the login page, 401 on ``/api``),
2. checks the user's role against the route's allowed roles (403 otherwise, audited),
3. checks the CSRF token on every state-changing method (403 otherwise),
4. opens the request's database session (a write transaction for state-changing methods) and
   hands the handler a :class:`Ctx` whose ``documents()`` select already carries the user's
   designation scope, and
5. after the handler, writes the audit row — in the same transaction as the handler's writes —
   and commits before the response leaves. A failed handler is rolled back and audited too.

The dependency carries its policy as ``__sealroom_guard__`` so the route x role matrix test can
refuse any route that does not use it.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Select, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from starlette.concurrency import run_in_threadpool

from sealroom.review import audit
from sealroom.review.auth import PRE_COOKIE, SESSION_COOKIE, lookup_session
from sealroom.review.models import ROLES, Document, User, WebSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY_USER = frozenset(ROLES)
READERS = frozenset({"counsel", "expert"})


class LoginRequired(Exception):
    """Raised for an anonymous request to a protected route (handled per path: redirect or 401)."""


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str] | None  # None: public (no login needed)
    action: str  # the audit action recorded for this route
    audit: bool = True
    rate_limited: bool = False
    # Hold this process's write lock for the whole handler (off for login: its argon2 check must
    # not stall every other writer; the database still serialises its write transaction).
    serialize: bool = True


def designation_scope(user: User | None) -> ColumnElement[bool]:
    """The documents a user may see at all: the single definition used by every document query."""
    if user is None or user.role not in READERS:
        return false()
    if user.role == "counsel" or user.aeo:
        return true()
    return Document.designation == "CONFIDENTIAL"


@dataclass
class Ctx:
    request: Request
    db: Session
    user: User | None
    web: WebSession | None
    policy: Policy
    target: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    # For public routes (login), the handler names who the audit row is about.
    actor: str | None = None
    actor_role: str | None = None

    @property
    def role(self) -> str:
        return self.user.role if self.user else (self.actor_role or "anonymous")

    @property
    def csrf(self) -> str:
        return self.web.csrf_token if self.web else ""

    def scope(self) -> ColumnElement[bool]:
        return designation_scope(self.user)

    def documents(self) -> Select[tuple[Document]]:
        """``select(Document)`` limited to what this user may see."""
        return select(Document).where(self.scope())

    def visible_document(self, bates: str) -> Document:
        doc = self.db.scalar(self.documents().where(Document.bates == bates))
        if doc is None:
            # 404 whether it does not exist or is not allowed: existence is not disclosed.
            raise HTTPException(404, "no such document")
        return doc


class _RateLimiter:
    """Per-user sliding window over the last minute (in-process)."""

    def __init__(self) -> None:
        self._hits: dict[int, deque[float]] = defaultdict(deque)

    def allow(self, user_id: int, per_minute: int) -> bool:
        if per_minute <= 0:
            return True
        now = time.monotonic()
        q = self._hits[user_id]
        while q and q[0] < now - 60:
            q.popleft()
        if len(q) >= per_minute:
            return False
        q.append(now)
        return True


def guard(
    roles: frozenset[str] | None,
    action: str,
    *,
    audit_it: bool = True,
    rate_limited: bool = False,
    serialize: bool = True,
) -> Any:
    """The dependency for one route (use as ``ctx: Annotated[Ctx, guard(READERS, "search")]``)."""
    policy = Policy(roles, action, audit_it, rate_limited, serialize)

    async def dependency(request: Request) -> AsyncIterator[Ctx]:
        state = request.app.state.review
        writing = request.method not in SAFE_METHODS
        token = state.signer.unsign_session(request.cookies.get(SESSION_COOKIE))
        found = await run_in_threadpool(_lookup, state.db, token) if token else None
        web, user = found if found else (None, None)
        if policy.roles is not None:
            if user is None:
                raise LoginRequired()
            if user.role not in policy.roles:
                await _audit_alone(state, user.username, user.role, "denied", request.url.path, {"route": action})
                raise HTTPException(403, "your role may not use this page")
        if writing:
            await _check_csrf(request, state, web)
        if policy.rate_limited and user is not None:
            limit = state.settings.view_rate_per_minute
            if not state.limiter.allow(user.id, limit):
                raise HTTPException(429, "too many document views; slow down")
        lock: asyncio.Lock | None = state.write_lock() if writing and policy.serialize else None
        if lock is not None:
            await lock.acquire()
        try:
            db = state.db.write_session() if writing else state.db.read_session()
            ctx = Ctx(request, db, user, web, policy)
            try:
                yield ctx
            except BaseException as exc:
                await run_in_threadpool(db.rollback)
                await run_in_threadpool(db.close)
                status = getattr(exc, "status_code", 422 if isinstance(exc, RequestValidationError) else 500)
                if policy.audit and (user is not None or ctx.actor):
                    detail = {**ctx.detail, "status": status}
                    await _audit_alone(
                        state, _actor(ctx), ctx.role, action, ctx.target, detail, locked=lock is not None
                    )
                raise
            else:
                if policy.audit and writing:
                    await run_in_threadpool(_finish_write, state, ctx)
                    hook = getattr(request.state, "after_commit", None)
                    if hook is not None:  # work that must see the committed rows (a background job)
                        hook()
                else:
                    await run_in_threadpool(_close, db, writing)
                    if policy.audit:
                        # A read's audit row is committed before any data leaves the server.
                        await _audit_alone(state, _actor(ctx), ctx.role, action, ctx.target, ctx.detail)
        finally:
            if lock is not None:
                lock.release()

    dependency.__sealroom_guard__ = policy  # type: ignore[attr-defined]
    dependency.__name__ = f"guard_{action}"
    return Depends(dependency, scope="function")


def _lookup(db: Any, token: str) -> tuple[WebSession, User] | None:
    with db.read_session() as session:
        return lookup_session(session, token)


def _actor(ctx: Ctx) -> str:
    if ctx.user is not None:
        return ctx.user.username
    return ctx.actor or "anonymous"


async def _check_csrf(request: Request, state: Any, web: WebSession | None) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if web is not None:
        expected = web.csrf_token
    else:
        nonce = state.signer.unsign_pre(request.cookies.get(PRE_COOKIE))
        expected = state.signer.pre_csrf(nonce) if nonce else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "missing or invalid CSRF token")


def _finish_write(state: Any, ctx: Ctx) -> None:
    """Append the audit row in the handler's own transaction and commit both together."""
    try:
        audit.append(
            state.db,
            ctx.db,
            actor=_actor(ctx),
            role=ctx.role,
            action=ctx.policy.action,
            target=ctx.target,
            detail=ctx.detail,
        )
        ctx.db.commit()
    finally:
        ctx.db.close()


def _close(db: Session, writing: bool) -> None:
    try:
        if writing:
            db.commit()
        else:
            db.rollback()
    finally:
        db.close()


async def _audit_alone(
    state: Any, actor: str, role: str, action: str, target: str, detail: dict[str, Any], *, locked: bool = False
) -> None:
    def write() -> None:
        with state.db.write_session() as w:
            audit.append(state.db, w, actor=actor, role=role, action=action, target=target, detail=detail)
            w.commit()

    if locked:
        await run_in_threadpool(write)
    else:
        async with state.write_lock():
            await run_in_threadpool(write)


def policy_of(dependency: Callable[..., Any]) -> Policy | None:
    return getattr(dependency, "__sealroom_guard__", None)


class RouteTable:
    """Routes collected by decorator and added straight onto the app (``app.add_api_route``).

    Unlike ``include_router``, this leaves every route as a plain ``APIRoute`` in ``app.routes``,
    which is what the route x role matrix test walks.
    """

    def __init__(self, prefix: str = "", **defaults: Any) -> None:
        self.prefix = prefix
        self.defaults = defaults
        self.routes: list[tuple[str, str, Callable[..., Any], dict[str, Any]]] = []

    def _add(self, method: str, path: str, kw: dict[str, Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append((method, self.prefix + path, fn, {**self.defaults, **kw}))
            return fn

        return decorate

    def get(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("GET", path, kw)

    def post(self, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._add("POST", path, kw)

    def install(self, app: Any) -> None:
        for method, path, fn, kw in self.routes:
            app.add_api_route(path, fn, methods=[method], **kw)
