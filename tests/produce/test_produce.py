from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from produce_fixtures import SIGNALS_SCHEMA, FixtureStep, conversations

from sealroom.errors import ConfigError
from sealroom.produce.errors import BatesReuseError
from sealroom.produce.loadfiles import read_dat_file
from sealroom.produce.verify import verify_production
from sealroom.produce.volume import iter_documents
from sealroom.runner import LocalRunner, run_step
from sealroom.step import Stats, Task


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_document_is_numbered_and_verified(small_dataset: Path, make_production) -> None:
    r = make_production(small_dataset)
    assert (r.first, r.last, r.documents, r.volumes) == (1, 3, 3, ["VOL001"])
    rep = verify_production(r.out)
    assert rep.ok, rep.problems
    docs = list(iter_documents(r.out))
    assert [d["bates"]["begin"] for d in docs] == ["ABC0000001", "ABC0000002", "ABC0000003"]
    assert docs[0]["hits"][0]["article_id"] == "news-1916-0001"
    assert [x["label"] for x in docs[0]["replacements"]] == ["PERSON", "EMAIL"]
    assert not (r.out / ".staging").exists()


def test_volumes_split_by_size_and_numbering_continues(larger_dataset: Path, make_production) -> None:
    r = make_production(larger_dataset, volume_size=6000, start=501)
    assert len(r.volumes) > 3 and r.first == 501 and r.last == 540
    numbers = []
    for vol in r.volumes:
        rows = read_dat_file(r.out / vol / "DATA" / f"ABC_{vol}.dat")
        numbers += [int(row["BEGBATES"][3:]) for row in rows]
        assert all(row["VOLUME"] == vol for row in rows)
    assert numbers == list(range(501, 541))
    manifest = orjson.loads((r.out / "manifest.json").read_bytes())
    for info in manifest["volumes"][:-1]:
        # a volume holds at least one document and never passes the limit once it has one
        assert info["documents"] == 1 or info["bytes"] <= 6000
    assert verify_production(r.out).ok


def test_two_productions_continue_and_reuse_is_refused(tmp_path: Path, small_dataset, larger_dataset, make_production):
    state = tmp_path / "bates-state.json"
    first = make_production(small_dataset, state_file=state)
    second = make_production(larger_dataset, state_file=state)
    assert (first.first, first.last) == (1, 3)
    assert (second.first, second.last) == (4, 43)
    with pytest.raises(BatesReuseError, match="ABC0000001-ABC0000003"):
        make_production(small_dataset, state_file=state, start=2)
    with pytest.raises(BatesReuseError):
        make_production(small_dataset, state_file=state, start=43)
    # another prefix has its own numbers
    assert make_production(small_dataset, state_file=state, prefix="XYZ").first == 1


def test_same_input_and_key_give_identical_files(larger_dataset: Path, make_production) -> None:
    a = make_production(larger_dataset, volume_size=20_000)
    b = make_production(larger_dataset, volume_size=20_000, workers=2)
    ta, tb = tree(a.out), tree(b.out)
    ma, mb = orjson.loads(ta.pop("manifest.json")), orjson.loads(tb.pop("manifest.json"))
    assert ta == tb
    assert ma.pop("produced_at") and mb.pop("produced_at")
    assert ma == mb


def test_docid_depends_on_the_key(small_dataset: Path, make_production, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_text("another-key-abcdefghijklmnopqrstuvwxyz")
    a = [d["docid"] for d in iter_documents(make_production(small_dataset).out)]
    b = [d["docid"] for d in iter_documents(make_production(small_dataset, key_file=other).out)]
    assert len(set(a)) == 3 and not set(a) & set(b)
    assert all("conv-" not in x for x in a)


def test_select_hits_and_id_list(small_dataset: Path, make_production, tmp_path: Path) -> None:
    r = make_production(small_dataset, select="hits")
    assert r.documents == 1
    assert next(iter_documents(r.out))["hits"]
    ids = tmp_path / "ids.txt"
    ids.write_text("# wanted\nconv-003\n\nconv-002\nconv-missing\n")
    r = make_production(small_dataset, select=str(ids))
    assert r.documents == 2 and r.counts["ids_not_found"] == 1
    # Bates order is dataset order, not the order of the id list
    assert [d["conversation"]["title"] for d in iter_documents(r.out)] == ["Thorns", None]
    ids.write_text("conv-nothing\n")
    with pytest.raises(ConfigError, match="nothing selected"):
        make_production(small_dataset, select=str(ids))


def test_refuses_to_overwrite_a_production(small_dataset: Path, make_production) -> None:
    r = make_production(small_dataset)
    with pytest.raises(ConfigError, match="already holds a production"):
        make_production(small_dataset, out=r.out)


def test_aeo_and_timestamp_policy_reach_every_file(small_dataset: Path, make_production) -> None:
    r = make_production(small_dataset, designation="AEO", timestamps="none")
    for d in iter_documents(r.out):
        assert d["designation"] == "AEO"
        assert d["conversation"]["created_at"] is None
        assert all(m["created_at"] is None for m in d["conversation"]["messages"])
    rows = read_dat_file(r.out / "VOL001/DATA/ABC_VOL001.dat")
    assert {row["DESIGNATION"] for row in rows} == {"AEO"} and {row["DATE"] for row in rows} == {""}
    assert b"2023" not in (r.out / "VOL001/TEXT/ABC0000001.txt").read_bytes()


class ScanLikeStep(FixtureStep):
    """A scan output: hits with offsets into the text *before* de-identification, and signals."""

    stage = "scan"
    outputs = {"main": FixtureStep.outputs["hits"], "signals": SIGNALS_SCHEMA}

    def process(self, task: Task, out) -> Stats:  # type: ignore[no-untyped-def]
        out.write("main", pa.Table.from_pylist(self.hits, self.outputs["main"]))
        out.write("signals", pa.Table.from_pylist(self.reps, SIGNALS_SCHEMA))
        return Stats(rows=len(self.hits))

    def plan(self) -> list[Task]:
        return [Task("00000", 0)]


def test_scan_offsets_are_remapped_through_the_replacement_log(tmp_path: Path, make_production) -> None:
    convs, reps, hits = conversations()
    # deidentify without hits of its own; replacements say where the originals were
    u0 = convs[0].messages[0].content
    original = u0.replace("[PERSON_1a2b]", "Jane Roe").replace("[EMAIL_REDACTED]", "jane.roe@example.org")
    for r in reps:
        value = r["replacement"]
        orig = "Jane Roe" if r["label"] == "PERSON" else "jane.roe@example.org"
        r["start"] = original.index(orig)
        r["end"] = r["start"] + len(orig)
        r["out_start"] = u0.index(value)
        r["out_end"] = r["out_start"] + len(value)
    d = tmp_path / "D"
    run_step(FixtureStep(convs, reps, [], 2), d, LocalRunner(1), show_progress=False)
    # a signal over "finish this" in the original text, and the scan hit in the assistant turn
    at = original.index("finish this")
    signals = [
        {
            "conversation_id": "conv-001",
            "message_index": 0,
            "start": at,
            "end": at + 11,
            "signal": "continuation_request",
            "publisher": None,
        }
    ]
    scan = tmp_path / "HITS"
    run_step(ScanLikeStep(convs, signals, hits, 10), scan, LocalRunner(1), show_progress=False)
    r = make_production(d, hits=scan, select="hits")
    [doc] = list(iter_documents(r.out))
    [sig] = doc["signals"]
    content = doc["conversation"]["messages"][0]["content"]
    assert content[sig["start"] : sig["end"]] == "finish this"
    [hit] = doc["hits"]
    assert doc["conversation"]["messages"][1]["content"][hit["start"] : hit["end"]].startswith("The city council")
    text = (r.out / "VOL001/TEXT/ABC0000001.txt").read_text()
    assert "⟨SIGNAL continuation_request⟩finish this⟨/SIGNAL⟩" in text


def test_no_original_value_or_hold_id_in_any_file(small_dataset: Path, make_production) -> None:
    r = make_production(small_dataset)
    blob = b"".join(tree(r.out).values())
    for secret in (b"Jane Roe", b"jane.roe@example.org", b"conv-001", b"conv-002", b"conv-003"):
        assert secret not in blob
    # the production records only key fingerprints
    key_bytes = b"produce-test-key-0123456789abcdef"
    assert key_bytes not in blob and hashlib.sha256(key_bytes).hexdigest().encode() not in blob


def test_interrupted_production_resumes_to_the_same_files(small_dataset: Path, make_production, tmp_path, monkeypatch):
    import sealroom.produce.api as api

    reference = make_production(small_dataset, out=tmp_path / "REF")
    real = api.assemble

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise KeyboardInterrupt  # killed after writing the volumes, before the manifest

    monkeypatch.setattr(api, "assemble", crash)
    with pytest.raises(KeyboardInterrupt):
        make_production(small_dataset, out=tmp_path / "P")
    assert (tmp_path / "P/.staging/_manifest.json").exists() and not (tmp_path / "P/manifest.json").exists()
    monkeypatch.setattr(api, "assemble", real)
    resumed = make_production(small_dataset, out=tmp_path / "P")
    a, b = tree(reference.out), tree(resumed.out)
    a.pop("manifest.json"), b.pop("manifest.json")
    assert a == b and verify_production(resumed.out).ok
