"""The FastAPI app factory: state, security headers, error handling, routers, static files."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from sealroom import __version__
from sealroom.review.auth import Signer
from sealroom.review.db import Database, open_database
from sealroom.review.guard import ANY_USER, Ctx, LoginRequired, _RateLimiter, guard
from sealroom.review.query import QueryError
from sealroom.review.settings import ReviewSettings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class AppState:
    def __init__(self, settings: ReviewSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.signer = Signer(settings.secret)
        self.limiter = _RateLimiter()
        self._locks: dict[int, asyncio.Lock] = {}
        self.backend: Any = None  # targeted-search backend, set by targeted.install
        self.jobs: Any = None

    def write_lock(self) -> asyncio.Lock:
        """One lock per event loop (tests run several loops), ordering this process's writers."""
        loop = asyncio.get_running_loop()
        lock = self._locks.get(id(loop))
        if lock is None:
            lock = self._locks[id(loop)] = asyncio.Lock()
        return lock


def _templates() -> Jinja2Templates:
    folder = str(resources.files("sealroom.review") / "templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False
    )
    env.globals["version"] = __version__
    return Jinja2Templates(env=env)


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: Any, secure: bool) -> None:
        super().__init__(app)
        self.secure = secure

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        h = response.headers
        # Time spent in the app (not in the network or the client): benchmarks separate the two.
        h["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "no-referrer"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            # Documents, search results and exports must not linger in any cache.
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        if self.secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


def create_app(settings: ReviewSettings) -> FastAPI:
    """The review app for ``settings.db_url`` (migrated on start); every route is guarded."""
    from sealroom.review import api, pages, targeted

    db = open_database(settings.db_url)
    app = FastAPI(
        title="sealroom review",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="Protective-order review of a sealroom production. Every request is audited.",
    )
    app.state.review = AppState(settings, db)
    app.state.templates = _templates()
    app.add_middleware(SecurityHeaders, secure=settings.secure_cookies)
    app.mount("/static", StaticFiles(packages=[("sealroom.review", "static")]), name="static")
    for module in (pages, api, targeted):
        module.router.install(app)
    targeted.install(app)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi_schema(ctx: Annotated[Ctx, guard(ANY_USER, "openapi", audit_it=False)]) -> JSONResponse:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
        return JSONResponse(app.openapi_schema)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "login required"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(QueryError)
    async def _bad_query(request: Request, exc: QueryError) -> Response:
        return _error(request, 400, str(exc.args[0]))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    return app


SETTINGS_ENV = "SEALROOM_REVIEW_SETTINGS"


def app_from_env() -> FastAPI:
    """App factory for multi-process serving: each worker rebuilds the settings ``serve`` put in
    its (private) environment, secret included, so every worker signs cookies with one key."""
    data = json.loads(os.environ[SETTINGS_ENV])
    data["secret"] = bytes.fromhex(data["secret"])
    return create_app(ReviewSettings(**data))


def settings_env(settings: ReviewSettings) -> str:
    data = settings.model_dump(mode="json", exclude={"secret"})
    data["secret"] = settings.secret.hex()
    return json.dumps(data)


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None, "now": now_text(), "csrf": ""},
        status_code=status,
    )


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
