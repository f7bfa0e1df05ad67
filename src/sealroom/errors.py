"""Typed errors with stable codes and CLI exit codes.

Messages name ids, paths, parameters and offsets, never user text: an error message can end up in
a log, a terminal scroll-back or a bug report, all of which are outside the hold.
"""

from __future__ import annotations


class SealroomError(Exception):
    """Base of every error sealroom raises on purpose."""

    code: str = "sealroom_error"
    exit_code: int = 1

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class ConfigError(SealroomError):
    """A parameter, option or configuration file is wrong."""

    code = "config"
    exit_code = 2


class KeyFileError(ConfigError):
    """A key file or key variable is missing, unreadable or too short."""

    code = "key_file"


class InputError(SealroomError):
    """An input file or dataset cannot be read as what it claims to be."""

    code = "input"
    exit_code = 3


class DatasetError(SealroomError):
    """A dataset folder is missing, incomplete or inconsistent with its manifest."""

    code = "dataset"
    exit_code = 4


class IntegrityError(DatasetError):
    """A hash, signature, count or chain does not match what was recorded."""

    code = "integrity"
    exit_code = 5


class QuarantineError(SealroomError):
    """--strict was given and records were quarantined."""

    code = "quarantined"
    exit_code = 6


class StepError(SealroomError):
    """A step failed on a shard; the shard is not marked done and the run stops."""

    code = "step_failed"
    exit_code = 7
