"""Account management (library API behind ``sealroom users``): add, disable, list, reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, select

from sealroom.errors import ConfigError
from sealroom.review import audit
from sealroom.review.auth import hash_password
from sealroom.review.db import open_database
from sealroom.review.models import ROLES, User, WebSession
from sealroom.review.settings import ReviewSettings

MIN_PASSWORD = 12


class UserError(ConfigError):
    code = "user"


@dataclass
class UserInfo:
    username: str
    role: str
    aeo: bool
    disabled: bool
    locked_until: datetime | None
    totp: bool


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password shorter than {MIN_PASSWORD} characters", code="weak_password")


def add_user(
    db_url: str,
    username: str,
    password: str,
    role: str,
    *,
    aeo: bool = False,
    totp: bool = False,
    settings: ReviewSettings | None = None,
) -> str | None:
    """Create an account; returns the TOTP provisioning URI when ``totp`` (shown once), else None."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (one of {', '.join(ROLES)})", code="role")
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise UserError("user names are 1-64 letters, digits, '-', '_' or '.'", code="username")
    _check_password(password)
    if aeo and role != "expert":
        raise UserError("the AEO grant applies to experts (counsel always sees AEO)", code="aeo_grant")
    db = open_database(db_url)
    secret = pyotp.random_base32() if totp else None
    with db.audit_lock, db.write_session() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise UserError(f"user {username!r} exists", code="user_exists")
        s.add(User(username=username, password_hash=hash_password(password, settings), role=role, aeo=aeo,
                   disabled=False, failed_logins=0, totp_secret=secret))  # fmt: skip
        audit.append(db, s, actor="cli", role="admin", action="user_add", target=username,
                     detail={"role": role, "aeo": aeo, "totp": totp})  # fmt: skip
        s.commit()
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="sealroom review") if secret else None


def _update(db_url: str, username: str, action: str, **changes: object) -> None:
    db = open_database(db_url)
    with db.audit_lock, db.write_session() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise UserError(f"no user {username!r}", code="no_user")
        for key, value in changes.items():
            setattr(user, key, value)
        # Any change to an account ends its open sessions.
        s.execute(delete(WebSession).where(WebSession.user_id == user.id))
        audit.append(db, s, actor="cli", role="admin", action=action, target=username,
                     detail={k: v for k, v in changes.items() if k != "password_hash"})  # fmt: skip
        s.commit()


def disable_user(db_url: str, username: str) -> None:
    _update(db_url, username, "user_disable", disabled=True)


def reset_user(
    db_url: str, username: str, password: str, *, enable: bool = True, settings: ReviewSettings | None = None
) -> None:
    """New password; clears lockout and failure count, re-enables unless ``enable=False``."""
    _check_password(password)
    changes: dict[str, object] = {"password_hash": hash_password(password, settings), "failed_logins": 0,
                                  "locked_until": None}  # fmt: skip
    if enable:
        changes["disabled"] = False
    _update(db_url, username, "user_reset", **changes)


def list_users(db_url: str) -> list[UserInfo]:
    db = open_database(db_url)
    with db.read_session() as s:
        return [
            UserInfo(u.username, u.role, u.aeo, u.disabled, u.locked_until, bool(u.totp_secret))
            for u in s.scalars(select(User).order_by(User.username))
        ]
