"""Analyzer throughput per NER policy on real chat text, with the share of characters NER sees.

``python -m sealroom.deid.evaluation.speed conversations.json [--policy gated ...]`` reads a ChatGPT
export (the active path of each conversation), analyses every conversation turn by turn, and prints
characters per CPU-second (one core) and per wall second per policy, single process. The recall effect of each
policy is measured on the gold set with ``sealroom evaluate --ner-policy …``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import orjson

from sealroom.deid.analyzer import Analyzer, AnalyzerConfig
from sealroom.deid.base import DetectionContext

Conversation = list[tuple[str, str]]  # (role, text) per turn


def chatgpt_turns(path: Path) -> list[Conversation]:
    """(role, text) turns along the active path of each conversation of a ChatGPT export."""
    data: Any = orjson.loads(path.read_bytes())
    out: list[Conversation] = []
    for conv in data if isinstance(data, list) else []:
        mapping = conv.get("mapping") or {}
        node_id = conv.get("current_node")
        path_nodes = []
        while node_id and node_id in mapping:
            path_nodes.append(mapping[node_id])
            node_id = mapping[node_id].get("parent")
        turns: Conversation = []
        for node in reversed(path_nodes):
            msg = node.get("message") or {}
            parts = (msg.get("content") or {}).get("parts") or []
            text = "\n".join(p for p in parts if isinstance(p, str)).strip()
            if text:
                turns.append(((msg.get("author") or {}).get("role") or "user", text))
        if turns:
            out.append(turns)
    return out


def measure(conversations: list[Conversation], config: AnalyzerConfig) -> dict[str, Any]:
    analyzer = Analyzer(config).load()
    convs = [([t for _, t in c], [DetectionContext(role=r) for r, _ in c]) for c in conversations]
    chars = sum(len(t) for c in conversations for _, t in c)
    by_role: dict[str, int] = {}
    ner_chars = 0
    for c in conversations:
        for role, text in c:
            by_role[role] = by_role.get(role, 0) + len(text)
            ner_chars += sum(e - s for s, e, _ in analyzer.ner_segments(text, DetectionContext(role=role)))
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(0, len(convs), 16):
        analyzer.analyze_conversations(convs[k : k + 16])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "policy": config.ner_policy,
        "characters": chars,
        "characters_by_role": by_role,
        "ner_share": ner_chars / chars if chars and config.ner_policy != "off" else 0.0,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "chars_per_s": chars / seconds,
        "chars_per_cpu_s": chars / cpu,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Analyzer throughput per NER policy on a ChatGPT export.")
    ap.add_argument("export", type=Path)
    ap.add_argument("--policy", action="append", choices=["off", "roles", "gated", "windows", "all"])
    args = ap.parse_args(argv)
    conversations = chatgpt_turns(args.export)
    for policy in args.policy or ["off", "roles", "gated", "windows", "all"]:
        r = measure(conversations, AnalyzerConfig(ner_policy=policy))
        print(
            f"{policy:>7}: {r['chars_per_cpu_s']:>9,.0f} chars per CPU-second ({r['chars_per_s']:,.0f} per wall second)"
            f"  NER on {r['ner_share']:.0%} of {r['characters']:,} chars; by role {r['characters_by_role']}"
        )


if __name__ == "__main__":
    main()
