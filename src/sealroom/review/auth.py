"""Passwords (argon2), login with lockout and optional TOTP, sessions and CSRF tokens.

A session cookie carries a random token signed with the app secret; the database keeps only the
token's SHA-256. Logging in always creates a new token (a cookie planted before login is never
promoted: session fixation). Before login, a signed *pre-session* cookie carries a nonce whose
HMAC is the login form's CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sealroom.review.db import Database
from sealroom.review.models import User, WebSession
from sealroom.review.settings import ReviewSettings

SESSION_COOKIE = "sealroom_session"
PRE_COOKIE = "sealroom_pre"
# A dummy hash to verify against when the user does not exist, so timing does not reveal names.
_DUMMY_PASSWORD = "not-a-real-password"


def hasher(settings: ReviewSettings | None = None) -> PasswordHasher:
    if settings is None:
        return PasswordHasher()
    return PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost)


def hash_password(password: str, settings: ReviewSettings | None = None) -> str:
    return hasher(settings).hash(password)


def check_password(stored: str, password: str, settings: ReviewSettings | None = None) -> bool:
    try:
        return hasher(settings).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Signer:
    """Signs cookie values with the app secret (different salts for different cookies)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._session = URLSafeSerializer(secret, salt="sealroom-session")
        self._pre = URLSafeSerializer(secret, salt="sealroom-pre-session")

    def sign_session(self, token: str) -> str:
        return self._session.dumps(token)

    def unsign_session(self, value: str | None) -> str | None:
        return _loads(self._session, value)

    def sign_pre(self, nonce: str) -> str:
        return self._pre.dumps(nonce)

    def unsign_pre(self, value: str | None) -> str | None:
        return _loads(self._pre, value)

    def pre_csrf(self, nonce: str) -> str:
        return hmac.new(self._secret, b"login-csrf\x00" + nonce.encode(), "sha256").hexdigest()


def _loads(serializer: URLSafeSerializer, value: str | None) -> str | None:
    if not value:
        return None
    try:
        out = serializer.loads(value)
    except BadSignature:
        return None
    return out if isinstance(out, str) else None


@dataclass
class LoginOutcome:
    ok: bool
    user: User | None
    reason: str  # ok | unknown_user | bad_password | locked | disabled | bad_otp
    token: str | None = None


def attempt_login(
    db: Database, session: Session, settings: ReviewSettings, username: str, password: str, otp: str | None
) -> LoginOutcome:
    """Check credentials, update the failure counter / lockout, and on success open a session.

    The (deliberately slow) argon2 check runs on a read snapshot, before ``session`` — the
    caller's write transaction, which also gets the audit row — takes the write lock, so logins
    never stall other writers.
    """
    now = datetime.now(UTC)
    with db.read_session() as rs:
        found = rs.scalar(select(User).where(User.username == username))
    if found is None:
        check_password(hash_password(_DUMMY_PASSWORD, settings), password, settings)
        return LoginOutcome(False, None, "unknown_user")
    if found.disabled:
        return LoginOutcome(False, found, "disabled")
    locked_until = _aware(found.locked_until)
    if locked_until is not None and locked_until > now:
        return LoginOutcome(False, found, "locked")
    reason = "ok"
    if not check_password(found.password_hash, password, settings):
        reason = "bad_password"
    elif found.totp_secret and not pyotp.TOTP(found.totp_secret).verify(otp or "", valid_window=1):
        reason = "bad_otp"
    user = session.get(User, found.id)  # the write transaction starts here
    if user is None:
        return LoginOutcome(False, None, "unknown_user")
    if reason != "ok":
        user.failed_logins += 1
        if user.failed_logins >= settings.lockout_threshold:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            reason = "locked_now"
        return LoginOutcome(False, user, reason)
    user.failed_logins = 0
    user.locked_until = None
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_hex(32),
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
        )
    )
    # Drop this user's expired sessions while we hold the write lock anyway.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    return LoginOutcome(True, user, "ok", token)


def lookup_session(session: Session, token: str) -> tuple[WebSession, User] | None:
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    web, user = row
    expires = _aware(web.expires_at)
    if user.disabled or expires is None or expires < datetime.now(UTC):
        return None
    return web, user


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for timezone columns; they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
