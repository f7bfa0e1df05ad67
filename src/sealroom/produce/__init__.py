"""produce: Bates-numbered production volumes with load files, a signed manifest, a redaction log
and optional encryption; and ``verify``, the independent check the receiving side runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sealroom.produce.api import ProductionResult, produce
    from sealroom.produce.verify import VerifyReport, verify_production

__all__ = ["ProductionResult", "VerifyReport", "produce", "verify_production"]


def __getattr__(name: str) -> Any:
    # lazy, so `sealroom.produce.volume` (used by review) does not import the runner machinery
    if name in ("produce", "ProductionResult"):
        from sealroom.produce import api

        return getattr(api, name)
    if name in ("verify_production", "VerifyReport"):
        from sealroom.produce import verify

        return getattr(verify, name)
    raise AttributeError(name)
