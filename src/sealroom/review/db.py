"""Engines, sessions and migrations for the review database (SQLite by default, PostgreSQL by URL).

SQLite in WAL mode lets readers run beside one writer, but a read transaction that later tries to
write fails when another writer committed in between. So there are two engines on SQLite: a
*reader* with ordinary deferred transactions, and a *writer* whose transactions start with
``BEGIN IMMEDIATE`` (they queue on the database lock instead of failing). On PostgreSQL both are
one engine.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from sealroom.errors import ConfigError

HEAD_REVISION = "0002"


def normalize_url(db_url: str) -> str:
    """Accept ``postgresql://`` (psycopg 3 is the driver we ship) and plain SQLite URLs."""
    if db_url.startswith("postgresql://") or db_url.startswith("postgres://"):
        return "postgresql+psycopg://" + db_url.split("://", 1)[1]
    return db_url


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    # Enough connections for every thread of the server's thread pool (40 by default).
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60}, pool_size=16, max_overflow=48)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Manage transactions ourselves (pysqlite's implicit BEGIN cannot be IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """The engines, session factories and the in-process audit lock of one database."""

    url: str
    reader: Engine
    writer: Engine
    # Serialises audit-chain appends inside this process; PostgreSQL adds an advisory lock and
    # SQLite's BEGIN IMMEDIATE serialises across processes.
    audit_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def read_session(self) -> Session:
        return sessionmaker(self.reader, expire_on_commit=False)()

    def write_session(self) -> Session:
        return sessionmaker(self.writer, expire_on_commit=False)()

    def dispose(self) -> None:
        self.reader.dispose()
        if self.writer is not self.reader:
            self.writer.dispose()


_CACHE: dict[str, Database] = {}
_CACHE_LOCK = threading.Lock()


def open_database(db_url: str, *, migrate: bool = True) -> Database:
    """Open (and by default migrate) the database at ``db_url``; one instance per URL per process."""
    url = normalize_url(db_url)
    with _CACHE_LOCK:
        db = _CACHE.get(url)
        if db is not None:
            return db
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            raise ConfigError(f"not a database URL: {db_url.split('://', 1)[0]}://…", code="db_url") from None
        if backend == "sqlite":
            db = Database(url, _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True))
        elif backend == "postgresql":
            engine = create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)
            db = Database(url, engine, engine)
        else:
            raise ConfigError(f"unsupported database backend {backend!r} (sqlite or postgresql)", code="db_url")
        if migrate:
            run_migrations(db)
        _CACHE[url] = db
        return db


def close_database(db_url: str) -> None:
    with _CACHE_LOCK:
        db = _CACHE.pop(normalize_url(db_url), None)
    if db is not None:
        db.dispose()


def run_migrations(db: Database, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (the newest by default), programmatically (no alembic.ini)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("sealroom.review") / "migrations"))
    with db.writer.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
