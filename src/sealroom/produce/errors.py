"""Errors of the produce and verify stages (stable codes; messages name ids, paths and numbers)."""

from __future__ import annotations

from sealroom.errors import ConfigError, IntegrityError, SealroomError


class ProductionError(SealroomError):
    """A production cannot be written from these inputs (bad offsets, missing side outputs, …)."""

    code = "production"
    exit_code = 8


class BatesReuseError(ConfigError):
    """A Bates number of this production was already used by a recorded production."""

    code = "bates_reuse"


class VerificationError(IntegrityError):
    """``sealroom verify`` found problems; the message counts them and names the first."""

    code = "verify_failed"


class DecryptionError(IntegrityError):
    """An encrypted delivery archive could not be decrypted or is truncated/altered."""

    code = "decrypt_failed"
