"""Who put an article's words into a conversation: ``user``, ``pasted``, ``continued``, ``generated``.

- ``user``: the span is in a user message.
- ``pasted``: a span in any other message whose article words already appeared in an *earlier user
  message* of the conversation.
- ``continued``: such a span whose words are not in an earlier user message, while earlier user
  messages do contain other text of the same article (prompted with the opening, produced the rest).
- ``generated``: no text of that article appears in any earlier user message.

"Earlier user message" means a user message among the message's **ancestors** in the conversation
tree (``parent_id`` links): the prompt context the model actually saw. A user message on a sibling
branch (an edit the user abandoned) is not earlier for a reply on another branch. Where the
conversation carries no ``parent_id`` at all (flat sources), ancestors are the messages with a smaller
``Message.index``. Every message is considered, active or not: a regeneration is model output too.

A span that is partly in the prompt and partly not is split at the boundary when both parts are at
least ``min_words`` long (an assistant that repeats a pasted opening and then continues yields one
``pasted`` and one ``continued`` span); otherwise the whole span takes the origin of the majority of
its matched words. Earlier user text counts when it shares at least ``k + w - 1`` words with the
article (the index's guarantee), even below the reported ``min_words``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sealroom.scan.align import Span


@dataclass(frozen=True, slots=True)
class MessageRef:
    index: int
    node_id: str
    parent_id: str | None
    role: str


def ancestors(messages: list[MessageRef]) -> dict[int, list[int]]:
    """For every message index, the indices of the messages before it in its prompt context."""
    if not any(m.parent_id for m in messages):
        order = sorted(m.index for m in messages)
        return {i: order[:n] for n, i in enumerate(order)}
    by_node = {m.node_id: m for m in messages}
    out: dict[int, list[int]] = {}
    for m in messages:
        chain: list[int] = []
        seen = {m.node_id}
        parent = by_node.get(m.parent_id) if m.parent_id else None
        while parent is not None and parent.node_id not in seen:
            seen.add(parent.node_id)
            chain.append(parent.index)
            parent = by_node.get(parent.parent_id) if parent.parent_id else None
        out[m.index] = chain
    return out


@dataclass(frozen=True, slots=True)
class Piece:
    """A span (possibly a part of a matched span) and its origin."""

    span: Span
    origin: str


def _covered(intervals: list[tuple[int, int]], a: np.ndarray) -> np.ndarray:
    mask = np.zeros(a.size, dtype=bool)
    for lo, hi in intervals:
        mask |= (a >= lo) & (a < hi)
    return mask


def _sub_span(q: np.ndarray, a: np.ndarray, sel: slice) -> Span:
    qs, as_ = q[sel], a[sel]
    # rebuild exact blocks: consecutive matched tokens on one diagonal
    brk = np.flatnonzero((np.diff(qs) != 1) | (np.diff(as_) != 1)) + 1
    starts = np.concatenate(([0], brk))
    ends = np.concatenate((brk, [qs.size]))
    blocks = tuple((int(qs[s]), int(as_[s]), int(e - s)) for s, e in zip(starts, ends, strict=True))
    return Span(int(qs[0]), int(qs[-1]) + 1, int(as_[0]), int(as_[-1]) + 1, int(qs.size), blocks)


def attribute(span: Span, prompt: list[tuple[int, int]], min_words: int) -> list[Piece]:
    """Origins for a non-user span, given the article token ranges found in earlier user messages."""
    if not prompt:
        return [Piece(span, "generated")]
    q = np.concatenate([np.arange(bq, bq + n) for bq, _, n in span.blocks])
    a = np.concatenate([np.arange(ba, ba + n) for _, ba, n in span.blocks])
    cov = _covered(prompt, a)
    n_cov = int(cov.sum())
    if n_cov >= min_words and cov.size - n_cov >= min_words:
        # split into runs of covered / not covered, folding runs shorter than min_words into the
        # run before them (or after, for a short first run)
        change = np.flatnonzero(np.diff(cov.astype(np.int8))) + 1
        runs = [
            [int(s), int(e)]
            for s, e in zip(np.concatenate(([0], change)), np.concatenate((change, [cov.size])), strict=True)
        ]
        merged: list[list[int]] = []
        for r in runs:
            if merged and (r[1] - r[0] < min_words or merged[-1][1] - merged[-1][0] < min_words):
                merged[-1][1] = r[1]
            else:
                merged.append(r)
        pieces = []
        for s, e in merged:
            part = cov[s:e]
            origin = "pasted" if part.sum() * 2 >= part.size else "continued"
            pieces.append(Piece(_sub_span(q, a, slice(s, e)), origin))
        return pieces
    origin = "pasted" if n_cov * 2 >= cov.size else "continued"
    return [Piece(replace(span), origin)]
