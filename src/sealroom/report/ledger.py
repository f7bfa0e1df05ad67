"""A privacy-budget ledger: a JSON file that records every DP release and refuses to overspend.

Basic composition: the ε (and δ) of all releases recorded against one ledger add up, and a release
that would take the total past the budget is refused *before* anything is computed or written.
Updates hold an exclusive lock and replace the file atomically, so two reports started at once
cannot both spend the last of the budget.
"""

from __future__ import annotations

import fcntl
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sealroom.dataset.files import read_json, write_json_atomic
from sealroom.errors import ConfigError, SealroomError

FORMAT = "sealroom.privacy-ledger/1"
#: Floating-point slack, relative to the budget: ten releases of ε/10 must fit a budget of ε (δ
#: values are tiny, so an absolute slack would swamp them).
_TOLERANCE = 1e-9


def _exceeds(spent: float, amount: float, budget: float) -> bool:
    return spent + amount > budget * (1 + _TOLERANCE)


class PrivacyBudgetError(SealroomError):
    """A release would spend more privacy budget than the ledger has left."""

    code = "privacy_budget_exceeded"
    exit_code = 8


class PrivacyLedger:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, path: Path, *, budget_epsilon: float | None = None, budget_delta: float = 0.0) -> PrivacyLedger:
        """The ledger at ``path``; created with the given budget when it does not exist yet."""
        ledger = cls(path)
        with ledger._locked():
            if ledger.path.exists():
                data = ledger._read()
                if budget_epsilon is not None and not math.isclose(data["budget"]["epsilon"], budget_epsilon):
                    raise ConfigError(
                        f"ledger {path} has a budget of epsilon {data['budget']['epsilon']}; a ledger's budget "
                        "cannot be changed (start a new ledger for a new budget)"
                    )
                return ledger
            if budget_epsilon is None:
                raise ConfigError(f"no privacy ledger at {path}: give a budget (--budget-epsilon) to create it")
            if not (math.isfinite(budget_epsilon) and budget_epsilon > 0) or not (0 <= budget_delta < 1):
                raise ConfigError("a ledger budget needs epsilon > 0 and 0 <= delta < 1")
            write_json_atomic(
                ledger.path,
                {"format": FORMAT, "budget": {"epsilon": budget_epsilon, "delta": budget_delta}, "releases": []},
            )
        return ledger

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        try:
            data = read_json(self.path)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            float(data["budget"]["epsilon"]), float(data["budget"]["delta"]), list(data["releases"])
        except (OSError, ValueError, KeyError, TypeError):
            raise ConfigError(f"{self.path} is not a sealroom privacy ledger") from None
        return data

    def state(self) -> dict[str, Any]:
        """Budget, spent and remaining ε and δ, and the number of releases."""
        data = self._read()
        spent_e = sum(float(r["epsilon"]) for r in data["releases"])
        spent_d = sum(float(r["delta"]) for r in data["releases"])
        budget = data["budget"]
        return {
            "budget": dict(budget),
            "spent": {"epsilon": spent_e, "delta": spent_d},
            "remaining": {
                "epsilon": max(0.0, budget["epsilon"] - spent_e),
                "delta": max(0.0, budget["delta"] - spent_d),
            },
            "releases": len(data["releases"]),
        }

    def charge(self, *, epsilon: float, delta: float, release: str, inputs: list[str]) -> dict[str, Any]:
        """Record one release, or raise :class:`PrivacyBudgetError` and record nothing."""
        with self._locked():
            data = self._read()
            spent_e = sum(float(r["epsilon"]) for r in data["releases"])
            spent_d = sum(float(r["delta"]) for r in data["releases"])
            budget = data["budget"]
            if _exceeds(spent_e, epsilon, budget["epsilon"]) or _exceeds(spent_d, delta, budget["delta"]):
                raise PrivacyBudgetError(
                    f"release {release!r} needs epsilon {epsilon:g}, delta {delta:g}; ledger {self.path} has "
                    f"epsilon {max(0.0, budget['epsilon'] - spent_e):g}, delta {max(0.0, budget['delta'] - spent_d):g} "
                    "left of its budget"
                )
            data["releases"].append(
                {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "release": release,
                    "epsilon": epsilon,
                    "delta": delta,
                    "inputs": inputs,
                }
            )
            write_json_atomic(self.path, data)
        return self.state()
