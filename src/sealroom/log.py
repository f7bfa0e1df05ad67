"""Structured logging that cannot carry conversation text.

Every log line is an event name plus fields. A field may be a number, a boolean, or a short token
without white space (an id, a code, a shard name, a path without spaces). Anything else — which is
what message text, a detected value or an exception's text looks like — is replaced by its type
and length before it reaches a handler. This is enforced in a filter on the ``sealroom`` logger,
so a careless call site cannot leak.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

ROOT = "sealroom"
_SAFE_TOKEN = re.compile(r"[\w.:/@+=,#\[\]-]{0,256}", re.ASCII)


def safe_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and _SAFE_TOKEN.fullmatch(value):
        return value
    if isinstance(value, str):
        return f"<withheld str len={len(value)}>"
    if isinstance(value, list | tuple) and len(value) <= 32:
        return [safe_value(v) for v in value]
    return f"<withheld {type(value).__name__}>"


class SafeFieldsFilter(logging.Filter):
    """Rewrites every record so only safe fields and a constant event name remain."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = getattr(record, "fields", {})
        record.fields = {str(k): safe_value(v) for k, v in fields.items()}
        if not isinstance(record.msg, str) or not _SAFE_TOKEN.fullmatch(record.msg):
            record.msg = "<withheld message>"
        if record.args:
            record.args = tuple(safe_value(a) for a in record.args) if isinstance(record.args, tuple) else ()
            record.msg = f"{record.msg} " + " ".join("%s" for _ in record.args)
        record.exc_info = None  # tracebacks quote values; the event says what failed
        record.exc_text = None
        record.stack_info = None
        return True


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(payload, sort_keys=True)


def get_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name if name.startswith(ROOT) else f"{ROOT}.{name}")
    return logger


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``name`` with ``fields`` (numbers, booleans, ids)."""
    logger.log(level, name, extra={"fields": fields})


def _handler(handler: logging.Handler, level: int) -> logging.Handler:
    # filters on a handler see records from every child logger (logger-level filters do not)
    handler.setLevel(level)
    handler.setFormatter(JsonLineFormatter())
    handler.addFilter(SafeFieldsFilter())
    return handler


def configure(log_file: Path | None = None, level: int = logging.INFO) -> None:
    """Also send sealroom's events at ``level`` and above as JSON lines to ``log_file``."""
    root = logging.getLogger(ROOT)
    root.setLevel(min(level, root.level or level))
    if log_file is not None:
        root.addHandler(_handler(logging.FileHandler(log_file, encoding="utf-8"), level))


def _install() -> None:
    """At import: sealroom's records go only through filtered handlers (warnings to stderr)."""
    root = logging.getLogger(ROOT)
    if getattr(root, "_sealroom_installed", False):
        return
    root.propagate = False
    root.setLevel(logging.INFO)
    root.addHandler(_handler(logging.StreamHandler(), logging.WARNING))
    root._sealroom_installed = True  # type: ignore[attr-defined]


_install()
