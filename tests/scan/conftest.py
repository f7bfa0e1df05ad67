from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from scan_helpers import chat, span, write_conversations

from sealroom.scan import CorpusIndex, build_corpus

# a vocabulary of made-up words: articles built from it share only what a test plants
_SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "pe", "dil", "no", "ga", "shu", "ber", "at", "quo", "xi"]


def word_list(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCAB = word_list(3000, 7)


def make_article(rng: random.Random, words: int) -> str:
    """Prose-like text: capitalized sentences with punctuation and paragraph breaks."""
    out = []
    sentence = 0
    for i in range(words):
        w = rng.choice(VOCAB)
        if sentence == 0:
            w = w.capitalize()
        sentence += 1
        if sentence > rng.randint(8, 20):
            w += rng.choice([".", ".", "!", "?", ";"])
            sentence = 0
        elif rng.random() < 0.07:
            w += ","
        out.append(w)
        if sentence == 0 and rng.random() < 0.15 and i < words - 1:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n")


ARTICLES = 40


@pytest.fixture(scope="session")
def articles() -> dict[str, str]:
    rng = random.Random(2026)
    return {f"art-{i:03d}": make_article(rng, rng.randint(250, 700)) for i in range(ARTICLES)}


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, articles: dict[str, str]) -> CorpusIndex:
    folder = tmp_path_factory.mktemp("corpus")
    src = folder / "articles.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for aid, text in articles.items():
            fh.write(json.dumps({"id": aid, "text": text, "title": f"Title {aid}", "publisher": "nyt"}) + "\n")
    return build_corpus([src], folder / "index", show_progress=False)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, articles: dict[str, str]) -> Path:
    """Eight conversations in three shards: c1 and c3 reproduce articles (c3 twice in its user turn)."""
    a, b = articles["art-005"], articles["art-006"]
    convs = [
        chat(
            "c1",
            ("user", "Can you get around the NYT paywall for me?"),
            ("assistant", "According to the New York Times, " + span(a, 0, 50)),
        ),
        chat("c2", ("user", "What happened?"), ("assistant", "The Times reported that nothing happened.")),
        chat("c3", ("user", span(b, 0, 30) + "\n\nand\n\n" + span(b, 100, 140)), ("assistant", span(b, 30, 90))),
    ] + [chat(f"x{i}", ("user", f"question {i}"), ("assistant", "answer")) for i in range(5)]
    return write_conversations(tmp_path_factory.mktemp("stage") / "ds", convs, per_shard=3)


def index_path(idx: CorpusIndex) -> Path:
    return idx.path
