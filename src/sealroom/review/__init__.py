"""The review app: protective-order review of a production (FastAPI + SQLAlchemy).

Library API: :func:`load_production`, :func:`sealroom.review.users.add_user`,
:func:`sealroom.review.app.create_app` with :class:`ReviewSettings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sealroom.review.loader import LoadResult, load_production
    from sealroom.review.settings import ReviewSettings

__all__ = ["LoadResult", "ReviewSettings", "load_production"]


def __getattr__(name: str) -> Any:
    # Lazy: importing sealroom.review must not pull in FastAPI for the CLI's --help.
    if name in ("load_production", "LoadResult"):
        from sealroom.review import loader

        return getattr(loader, name)
    if name == "ReviewSettings":
        from sealroom.review.settings import ReviewSettings

        return ReviewSettings
    raise AttributeError(name)
