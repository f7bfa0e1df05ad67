"""Accuracy and macro-F1 of a classifier against hand labels (``tests/data/classify_labels.csv``).

The labels file holds only labels keyed by conversation id; the texts are read at evaluation time
from the development data. The readers below take just what classification needs from the three
source formats (ingest owns the full adapters; these exist so evaluation does not depend on it).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sealroom.classify.base import Classifier
from sealroom.errors import InputError
from sealroom.schema import Conversation, Message

FIELDS = ("topic", "intent", "work_related", "language")


@dataclass(frozen=True, slots=True)
class Label:
    source_file: str
    conversation_id: str
    topic: str
    intent: str
    work_related: str
    language: str
    split: str


def load_labels(path: Path) -> list[Label]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    try:
        return [Label(**{k: r[k] for k in Label.__slots__}) for r in rows]
    except KeyError as exc:
        raise InputError(f"{path}: missing column {exc}") from None


def _chatgpt(path: Path) -> dict[str, Conversation]:
    out = {}
    for conv in json.loads(path.read_text(encoding="utf-8")):
        mapping, node, path_nodes = conv["mapping"], conv.get("current_node"), []
        while node:
            path_nodes.append(mapping[node])
            node = mapping[node].get("parent")
        messages = []
        for n in reversed(path_nodes):
            msg = n.get("message")
            if not msg:
                continue
            parts = [p for p in (msg.get("content") or {}).get("parts") or [] if isinstance(p, str)]
            text = "\n".join(parts)
            if text.strip():
                messages.append(Message(len(messages), n["id"], n.get("parent"), msg["author"]["role"], text))
        out[conv["id"]] = Conversation(conv["id"], "chatgpt_export", title=None, messages=messages)
    return out


def _sharegpt(path: Path) -> dict[str, Conversation]:
    roles = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
    out = {}
    for rec in json.loads(path.read_text(encoding="utf-8")):
        msgs = [
            Message(i, str(i), None, roles.get(t.get("from", ""), "user"), str(t.get("value", "")))
            for i, t in enumerate(rec.get("conversations", []))
        ]
        out[str(rec["id"])] = Conversation(str(rec["id"]), "sharegpt", messages=msgs)
    return out


def _jsonl(path: Path) -> dict[str, Conversation]:
    out = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        rec: dict[str, Any] = json.loads(line)
        msgs = [
            Message(j, str(j), None, m["role"], m["content"] if isinstance(m["content"], str) else "")
            for j, m in enumerate(rec.get("messages", []))
        ]
        out[f"#{i}"] = Conversation(f"#{i}", "openai_jsonl", messages=msgs)
    return out


def labelled_conversations(chat_dir: Path, labels: Sequence[Label]) -> list[tuple[Label, Conversation]]:
    """Each label with its conversation, read from the development data folder ``chat_dir``."""
    cache: dict[str, dict[str, Conversation]] = {}
    pairs = []
    for label in labels:
        if label.source_file not in cache:
            path = chat_dir / label.source_file
            reader = (
                _chatgpt if "chatgpt" in label.source_file else _sharegpt if "sharegpt" in label.source_file else _jsonl
            )
            cache[label.source_file] = reader(path)
        conv = cache[label.source_file].get(label.conversation_id)
        if conv is None:
            raise InputError(f"labelled conversation {label.conversation_id} not found in {label.source_file}")
        pairs.append((label, conv))
    return pairs


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    classes = sorted(set(gold))
    f1s = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else 0.0


def score(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0,
        "macro_f1": _macro_f1(gold, pred),
        "support": dict(sorted(Counter(gold).items())),
    }


def evaluate(classifier: Classifier, pairs: Iterable[tuple[Label, Conversation]]) -> dict[str, Any]:
    """Per field (topic, intent, work_related, language): n, accuracy, macro-F1 and class support."""
    gold: dict[str, list[str]] = {f: [] for f in FIELDS}
    pred: dict[str, list[str]] = {f: [] for f in FIELDS}
    for label, conv in pairs:
        result = classifier.classify(conv)
        for f in FIELDS:
            gold[f].append(str(getattr(label, f)))
        pred["topic"].append(result.topic)
        pred["intent"].append(result.intent)
        pred["work_related"].append("1" if result.work_related else "0")
        pred["language"].append(result.language)
    return {f: score(gold[f], pred[f]) for f in FIELDS}


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m sealroom.classify.evaluate LABELS.csv CHAT_DIR [CLASSIFIER]``: figures as JSON,
    for the whole set, each split and each source file."""
    import argparse

    from sealroom.classify.base import CLASSIFIERS, DEFAULT_CLASSIFIER
    from sealroom.classify.taxonomy import load_taxonomy

    ap = argparse.ArgumentParser(prog="python -m sealroom.classify.evaluate")
    ap.add_argument("labels", type=Path)
    ap.add_argument("chat_dir", type=Path)
    ap.add_argument("classifier", nargs="?", default=DEFAULT_CLASSIFIER)
    args = ap.parse_args(argv)
    import sealroom.classify.keywords  # noqa: F401  (registers the default)

    clf = CLASSIFIERS.get(args.classifier)(load_taxonomy())
    pairs = labelled_conversations(args.chat_dir, load_labels(args.labels))
    groups: dict[str, list[tuple[Label, Conversation]]] = {"all": pairs}
    for label, conv in pairs:
        groups.setdefault(f"split:{label.split}", []).append((label, conv))
        groups.setdefault(f"source:{label.source_file}", []).append((label, conv))
    print(json.dumps({name: evaluate(clf, group) for name, group in groups.items()}, indent=2))


if __name__ == "__main__":
    main()
