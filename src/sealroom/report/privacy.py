"""Distinct-user counting with contribution bounding, and small-cell suppression.

Every figure the report releases is a count of distinct users (a conversation without a
``user_key`` counts as its own user) or of conversations clipped per user:

- in one breakdown a user counts in at most ``max_cells_per_user`` cells (their busiest ones), and
- in one cell with at most ``max_conversations_per_user`` conversations,

so one user's L1 influence on a breakdown is bounded (``L`` on user counts, ``L·C`` on
conversation counts) whatever they sent, and differential privacy can be calibrated to it.
A cell with fewer than ``min_group_size`` distinct users is suppressed (Clio's minimum group size).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from sealroom.errors import ConfigError


@dataclass(frozen=True, slots=True)
class PrivacyConfig:
    min_group_size: int = 50
    max_cells_per_user: int = 5
    max_conversations_per_user: int = 10

    def __post_init__(self) -> None:
        for name in ("min_group_size", "max_cells_per_user", "max_conversations_per_user"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a whole number >= 1, got {value!r}")

    @property
    def user_sensitivity_l1(self) -> int:
        return self.max_cells_per_user

    @property
    def conversation_sensitivity_l1(self) -> int:
        return self.max_cells_per_user * self.max_conversations_per_user

    def to_dict(self) -> dict[str, int | str]:
        return {
            "unit": "distinct users (a conversation without user_key counts as its own user)",
            "min_group_size": self.min_group_size,
            "max_cells_per_user": self.max_cells_per_user,
            "max_conversations_per_user": self.max_conversations_per_user,
        }


@dataclass(slots=True)
class Cell:
    users: int = 0
    conversations: int = 0


def bounded_counts(pairs: Iterable[tuple[Hashable, Hashable]], config: PrivacyConfig) -> dict[Hashable, Cell]:
    """``(user, cell)`` pairs (one per conversation and cell value) → bounded counts per cell.

    A user's cells are ranked by their conversation count (ties by the cell's text, so the choice
    is deterministic) and only the first ``max_cells_per_user`` are kept.
    """
    per_user: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for user, cell in pairs:
        per_user[user][cell] += 1
    cells: dict[Hashable, Cell] = defaultdict(Cell)
    for counts in per_user.values():
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        for cell, n in ranked[: config.max_cells_per_user]:
            c = cells[cell]
            c.users += 1
            c.conversations += min(n, config.max_conversations_per_user)
    return dict(cells)


def suppress(cells: dict[Hashable, Cell], min_group_size: int) -> tuple[dict[Hashable, Cell], int]:
    """Cells with at least ``min_group_size`` users, and how many were dropped."""
    kept = {k: v for k, v in cells.items() if v.users >= min_group_size}
    return kept, len(cells) - len(kept)
