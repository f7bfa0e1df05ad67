"""The deidentify stage end to end: outputs, determinism across runners, canaries, originals,
quarantine, long messages, the published-text exemption and the CLI."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from engine_standin import chat, hit, write_conversations, write_hits

from conftest import STANDIN
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.deid import deidentify
from sealroom.deid.engine import Deidentifier, DeidentifyError
from sealroom.deid.originals import decrypt_original
from sealroom.errors import QuarantineError
from sealroom.keys import load_key
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations

CANARIES = ("Alice Moreau", "canary.alice@example.org", "+33 612 345 6789")


def planted() -> list[list]:  # type: ignore[type-arg]
    a = chat(
        "conv-1",
        f"I'm {CANARIES[0]}, mail {CANARIES[1]} or call {CANARIES[2]}.",
        "Thanks ALICE, noted.",
        title=f"Help for {CANARIES[0]}",
        user_key="user-4711",
        metadata_json=f'{{"ip": "203.0.113.9", "note": "{CANARIES[1]}"}}',
    )
    b = chat("conv-2", "Nothing personal here.", "Indeed.")
    c = chat("conv-3", f"Bob wrote to {CANARIES[1]}.", "Got it, Bob.")
    return [[a, b], [c]]


def run(tmp_path: Path, key_file: Path, name: str = "out", **kw) -> Path:  # type: ignore[no-untyped-def]
    src = tmp_path / "hold"
    if not src.exists():
        write_conversations(src, planted())
    out = tmp_path / name
    deidentify(src, out, key_file=key_file, analyzer=STANDIN, show_progress=False, **kw)
    return out


def every_value(path: Path) -> str:
    """Every byte of non-Parquet files and every decoded value of every Parquet file under path."""
    parts = []
    for p in sorted(path.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".parquet":
            parts.append(str(pq.read_table(p).to_pylist()))
        else:
            parts.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_outputs_and_no_canary_anywhere(tmp_path: Path, key_file: Path, originals_key_file: Path) -> None:
    out = run(tmp_path, key_file, log_originals_key=originals_key_file)
    ds = Dataset.open(out)
    assert set(ds.manifest.side_outputs) == {"replacements", "hits", "signals", "quarantine"}
    convs = table_to_conversations(ds.read())
    assert [c.conversation_id for c in convs] == ["conv-1", "conv-2", "conv-3"]
    assert convs[0].messages[0].content == "I'm [PERSON_1], mail [EMAIL_1] or call [PHONE_1]."
    assert convs[0].messages[1].content == "Thanks [PERSON_1], noted."
    assert convs[0].user_key is not None and convs[0].user_key.startswith("uk_")
    text = every_value(out)
    for canary in (*CANARIES, "ALICE", "Moreau", "user-4711", "203.0.113.9"):
        assert canary.casefold() not in text.casefold(), canary
    key_bytes = load_key(key_file).material.decode()
    assert key_bytes not in text and load_key(originals_key_file).material.decode() not in text
    # the producing party can recover originals with the second key, and only with it
    log = ds.side("replacements").read().to_pylist()
    row = next(r for r in log if r["conversation_id"] == "conv-1" and r["label"] == "EMAIL" and r["field"] == "content")
    assert decrypt_original(load_key(originals_key_file), row) == CANARIES[1]
    assert all(r["original_encrypted"] is not None for r in log if r["detector"] != "metadata.v1")


def test_byte_identical_whatever_the_runner(tmp_path: Path, key_file: Path) -> None:
    one = run(tmp_path, key_file, "one", runner=LocalRunner(1))
    two = run(tmp_path, key_file, "two", runner=LocalRunner(2))
    files = sorted(p.relative_to(one) for p in one.rglob("*.parquet"))
    assert files and files == sorted(p.relative_to(two) for p in two.rglob("*.parquet"))
    for f in files:
        assert (one / f).read_bytes() == (two / f).read_bytes(), f


def test_failure_quarantines_and_fails_loudly(tmp_path: Path, key_file: Path) -> None:
    src = tmp_path / "hold"
    bad = chat("conv-bad", "Secret Alice Moreau \u2620FAIL here.")
    write_conversations(src, [[chat("conv-ok", "Hello Bob."), bad]])
    with pytest.raises(QuarantineError) as info:
        deidentify(src, tmp_path / "o", key_file=key_file, analyzer="engine_standin:FailingAnalyzer")
    assert "conv-bad" in str(info.value) and "Alice" not in str(info.value)
    q = pq.read_table(next((tmp_path / "o" / "quarantine").glob("*.parquet"))).to_pylist()
    assert q == [{"conversation_id": "conv-bad", "message_index": None, "code": "internal",
                  "reason": "RuntimeError while de-identifying"}]  # fmt: skip
    result = deidentify(
        src, tmp_path / "o2", key_file=key_file, analyzer="engine_standin:FailingAnalyzer", allow_quarantine=True
    )
    assert result.stats["quarantined"] == 1
    assert [c.conversation_id for c in table_to_conversations(Dataset.open(tmp_path / "o2").read())] == ["conv-ok"]
    assert "Alice" not in every_value(tmp_path / "o2") and "Alice" not in every_value(tmp_path / "o")


def test_exemption_keeps_published_text_and_remaps_hits(tmp_path: Path, key_file: Path) -> None:
    article = "President Barack Obama said on Tuesday that the plan would work."
    assistant = f"Barack Obama's aide Jane Smith replied. Quote: {article} End."
    start = assistant.index(article)
    src = write_conversations(tmp_path / "hold", [[chat("conv-x", "What did Barack Obama say?", assistant)]])
    hits = write_hits(tmp_path / "hits", [hit("conv-x", 1, start, start + len(article))])
    out = tmp_path / "out"
    deidentify(src, out, key_file=key_file, hits=hits, analyzer=STANDIN, show_progress=False)
    ds = Dataset.open(out)
    conv = table_to_conversations(ds.read())[0]
    text = conv.messages[1].content
    assert conv.messages[0].content == "What did [PERSON_1] say?"
    assert text.startswith("[PERSON_1]'s aide [PERSON_2] replied.")
    assert article in text
    (mapped,) = ds.side("hits").read().to_pylist()
    assert text[mapped["start"] : mapped["end"]] == article
    log = ds.side("replacements").read().to_pylist()
    assert any(r["operator"] == "exempt" and r["label"] == "PERSON" and r["replacement"] == "" for r in log)


def test_long_message_with_pii_at_chunk_borders(tmp_path: Path, key_file: Path) -> None:
    from sealroom.deid.policy import default_policy
    from sealroom.deid.spans import chunk_bounds

    pol = default_policy()
    filler = "lorem ipsum dolor sit amet " * 120_000  # ~3.2 MB
    bounds = chunk_bounds(len(filler), pol.chunking.chars, pol.chunking.overlap, filler)
    assert len(bounds) > 10
    pieces, pos = [], 0
    for i, (_, end) in enumerate(bounds[:-1]):
        # an e-mail across the border and a name just before it: each cut by some chunk edge
        cut = end - 8 if i % 2 else end - 3
        pieces += [filler[pos:cut], f" x{i}.person@example.com Priya Raman "]
        pos = cut
    pieces.append(filler[pos:])
    text = "".join(pieces)
    src = write_conversations(tmp_path / "hold", [[chat("conv-long", text)]])
    deidentify(src, tmp_path / "out", key_file=key_file, analyzer=STANDIN, show_progress=False)
    out = table_to_conversations(Dataset.open(tmp_path / "out").read())[0].messages[0].content
    assert "@example.com" not in out and "Priya" not in out and "Raman" not in out
    assert out.count("[PERSON_1]") == len(bounds) - 1
    assert len({f"[EMAIL_{i + 1}]" for i in range(len(bounds) - 1)} - set(out.split())) == 0


def test_cli(tmp_path: Path, key_file: Path) -> None:
    src = write_conversations(tmp_path / "hold", planted())
    args = ["deidentify", str(src), "--out", str(tmp_path / "out"), "--key-file", str(key_file)]
    result = CliRunner().invoke(cli, [*args, "--analyzer", STANDIN, "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "3 conversations" in result.output
    bad = CliRunner().invoke(cli, [*args, "--analyzer", STANDIN, "--log-originals"])
    assert bad.exit_code != 0


def test_cli_log_originals(tmp_path: Path, key_file: Path, originals_key_file: Path) -> None:
    src = write_conversations(tmp_path / "hold", planted())
    args = ["deidentify", str(src), "--out", str(tmp_path / "out"), "--key-file", str(key_file), "-q", "-j", "1"]
    extra = ["--analyzer", STANDIN, "--log-originals", "--originals-key", str(originals_key_file)]
    assert CliRunner().invoke(cli, [*args, *extra]).exit_code == 0
    log = Dataset.open(tmp_path / "out").side("replacements").read().to_pylist()
    originals = {decrypt_original(load_key(originals_key_file), r) for r in log if r["original_encrypted"]}
    assert set(CANARIES) <= originals
    # the same key for both is refused: one leaked key must not open both pseudonyms and originals
    same = CliRunner().invoke(cli, [*args, "--restart", "--analyzer", STANDIN, "--log-originals",
                                    "--originals-key", str(key_file)])  # fmt: skip
    assert same.exit_code != 0 and "key_reuse" in same.output


def test_cli_default_analyzer_matches_step() -> None:
    from sealroom.deid import cli as deid_cli
    from sealroom.deid import step

    assert deid_cli.DEFAULT_ANALYZER == step.DEFAULT_ANALYZER


@pytest.mark.slow
def test_byte_identical_on_dask(tmp_path: Path, key_file: Path) -> None:
    from sealroom.runner.dask import DaskRunner

    one = run(tmp_path, key_file, "one", runner=LocalRunner(1))
    runner = DaskRunner("local:2")
    try:
        dask = run(tmp_path, key_file, "dask", runner=runner)
    finally:
        runner.close()
    files = sorted(p.relative_to(one) for p in one.rglob("*.parquet"))
    assert files == sorted(p.relative_to(dask) for p in dask.rglob("*.parquet"))
    assert all((one / f).read_bytes() == (dask / f).read_bytes() for f in files)


@pytest.mark.parametrize(("index", "start", "end", "code"), [(0, 5, 50, "hits_offsets"), (7, 0, 3, "hits_mismatch")])
def test_hits_that_do_not_fit_the_record_quarantine_it(
    engine: Deidentifier, index: int, start: int, end: int, code: str
) -> None:
    conv = chat("c-h", "short text by Bob")
    with pytest.raises(DeidentifyError) as info:
        engine.deidentify(conv, {"c-h": {index: [hit("c-h", index, start, end)]}})
    assert info.value.code == code and "Bob" not in str(info.value)


def test_signals_remapped_and_publisher_name_kept(tmp_path: Path, key_file: Path) -> None:
    text = "Jane Smith wrote: I read it in the New York Times, and Acme Corp agreed."
    start = text.index("New York Times")
    end = start + len("New York Times")
    signal = {"conversation_id": "conv-s", "message_index": 0, "role": "user", "start": start, "end": end,
              "signal": "publisher_named", "publisher": "nyt", "detail": None}  # fmt: skip
    src = write_conversations(tmp_path / "hold", [[chat("conv-s", text)]])
    hits = write_hits(tmp_path / "hits", [], signals=[signal])
    deidentify(src, tmp_path / "out", key_file=key_file, hits=hits, analyzer=STANDIN, show_progress=False)
    ds = Dataset.open(tmp_path / "out")
    out = table_to_conversations(ds.read())[0].messages[0].content
    assert out == "[PERSON_1] wrote: I read it in the New York Times, and [ORGANIZATION_1] agreed."
    (mapped,) = ds.side("signals").read().to_pylist()
    assert out[mapped["start"] : mapped["end"]] == "New York Times"
