"""Settings of the review app (pydantic): database, secrets, limits, tags, targeted search."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from sealroom.keys import load_key

DEFAULT_TAGS = ("responsive", "not-responsive", "reproduction", "hot", "needs-second-review")


class ReviewSettings(BaseModel):
    db_url: str
    #: Signs session and pre-login cookies. From a key file (``--secret-file``) or
    #: ``SEALROOM_REVIEW_SECRET``; a random one per process otherwise (sessions end on restart).
    secret: bytes = Field(default_factory=lambda: os.urandom(32), repr=False)
    #: Mark cookies Secure (set when serving behind HTTPS).
    secure_cookies: bool = False
    session_hours: float = 8.0
    lockout_threshold: int = 5
    lockout_minutes: float = 15.0
    #: Document views per user per minute before 429 (bulk-exfiltration brake); 0 disables.
    view_rate_per_minute: int = 300
    page_size: int = 20
    #: Most rows one CSV export may contain, per role (roles not listed may not export).
    export_limits: dict[str, int] = Field(default_factory=lambda: {"counsel": 50_000, "expert": 5_000})
    tags: tuple[str, ...] = DEFAULT_TAGS
    #: The producing party's de-identified dataset that targeted searches run over (a folder, or an
    #: object-storage URL kept as text so pydantic's Path does not fold its ``//``).
    targeted_dataset: Path | str | None = None
    #: Passing the argon2 parameters lets tests and benchmarks use cheap hashes.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536

    @classmethod
    def from_files(cls, db_url: str, *, secret_file: Path | None = None, **overrides: object) -> ReviewSettings:
        secret: bytes | None = None
        if secret_file is not None:
            secret = load_key(secret_file).derive("review-sessions")
        elif os.environ.get("SEALROOM_REVIEW_SECRET"):
            secret = load_key(None, env="SEALROOM_REVIEW_SECRET").derive("review-sessions")
        values: dict[str, object] = {"db_url": db_url, **overrides}
        if secret is not None:
            values["secret"] = secret
        return cls(**values)  # type: ignore[arg-type]
