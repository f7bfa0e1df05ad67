"""The ingest step end to end: sources, ids, duplicates, chain of custody, shards, the CLI."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import zipfile
from pathlib import Path

import orjson
from click.testing import CliRunner
from ingest_helpers import chatgpt_conversation, openai_record, write_jsonl

from sealroom.cli.main import cli
from sealroom.dataset import Dataset, validate_dataset
from sealroom.ingest import ingest
from sealroom.runner import LocalRunner


def _ingest(src, out: Path, **kw):
    return ingest(src if isinstance(src, list) else [src], out, runner=LocalRunner(1), show_progress=False, **kw)


def _ids(out: Path) -> list[str]:
    return Dataset.open(out).read(["conversation_id"]).column(0).to_pylist()


def test_ids_do_not_depend_on_path_or_compression(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [openai_record(i) for i in range(3)])
    _ingest(a, tmp_path / "h1")
    moved = tmp_path / "elsewhere" / "renamed.jsonl"
    moved.parent.mkdir()
    shutil.copy(a, moved)
    _ingest(moved, tmp_path / "h2")
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(a.read_bytes()))
    _ingest(gz, tmp_path / "h3")
    assert _ids(tmp_path / "h1") == _ids(tmp_path / "h2") == _ids(tmp_path / "h3")
    assert not list((tmp_path / "h3").rglob(".tmp-*"))  # the inflated spool file is gone
    assert len(set(_ids(tmp_path / "h1"))) == 3


def test_chatgpt_export_zip(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("conversations.json", orjson.dumps([chatgpt_conversation(cid=f"c{i}") for i in range(4)]))
        zf.writestr("chat.html", "<html></html>")
        zf.writestr("user.json", orjson.dumps({"id": "user-1", "email": "x@example.org"}))
        zf.writestr("message_feedback.json", b"[]")
    result = _ingest(export, tmp_path / "hold")
    assert result.conversations == 4 and result.quarantined == 0
    extra = result.step.manifest.extra
    assert [s["member"] for s in extra["sources"]] == ["conversations.json"]
    skipped = {s.get("member") for s in extra["skipped_files"]}
    assert skipped == {"user.json", "message_feedback.json"}
    assert all(len(s["sha256"]) == 64 for s in extra["skipped_files"])


def test_chain_of_custody_in_manifest(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    files = [write_jsonl(src / f"{n}.jsonl", [openai_record(i + n) for i in range(2)]) for n in range(3)]
    (src / "README.txt").write_text("notes")
    result = _ingest(src, tmp_path / "hold")
    manifest = orjson.loads((tmp_path / "hold" / "_manifest.json").read_bytes())
    recorded = {Path(s["path"]).name: (s["sha256"], s["bytes"]) for s in manifest["extra"]["sources"]}
    assert recorded == {f.name: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_size) for f in files}
    assert [i["fingerprint"] for i in manifest["inputs"]] == [recorded[f.name][0] for f in files]
    assert [Path(s["path"]).name for s in manifest["extra"]["skipped_files"]] == ["README.txt"]
    assert result.sources == 3


def test_duplicates_within_and_across_files_first_wins(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    rec = {**openai_record(1), "id": "same"}
    write_jsonl(src / "a.jsonl", [rec, {**openai_record(2), "id": "other"}, rec])
    write_jsonl(src / "b.jsonl", [{**openai_record(3), "id": "other"}, {**openai_record(4), "id": "new"}])
    shutil.copy(src / "b.jsonl", src / "c.jsonl")  # the same file twice: all of it duplicates
    out = tmp_path / "hold"
    result = _ingest(src, out, shard_size=1)
    assert _ids(out) == ["same", "other", "new"]
    assert result.conversations == 3 and result.duplicates == 4
    assert result.quarantine_by_reason == {"duplicate_id": 4}
    assert result.messages == 9 and sum(result.messages_by_format_role.values()) == 9
    q = Dataset.open(out).side("quarantine").read().to_pylist()
    assert [(Path(r["source_file"]).name, r["conversation_id"], r["position"].split(",")[0]) for r in q] == [
        ("a.jsonl", "same", "line 3"),
        ("b.jsonl", "other", "line 1"),
        ("c.jsonl", "other", "line 1"),
        ("c.jsonl", "new", "line 2"),
    ]
    assert all(r["record_sha256"] for r in q)
    manifest = Dataset.open(out).manifest
    assert manifest.extra["duplicates"]["ids"] == ["same", "other", "other", "new"]
    assert all(r.ok for r in validate_dataset(out))
    before = (out / "_manifest.json").read_bytes()
    again = _ingest(src, out, shard_size=1)  # a rerun finds everything done and changes nothing
    assert again.step.ran == 0 and (out / "_manifest.json").read_bytes() == before


def test_shard_size_rolls_shards(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [openai_record(i) for i in range(25)])
    result = _ingest(tmp_path / "a.jsonl", tmp_path / "hold", shard_size=10)
    assert [s.rows for s in result.step.manifest.shards] == [10, 10, 5]
    meta = Dataset.open(tmp_path / "hold").read(["metadata_json"]).column(0).to_pylist()
    positions = [orjson.loads(m)["_ingest"]["position"].split(",")[0] for m in meta]
    assert positions == [f"line {i + 1}" for i in range(25)]  # record order kept across shards


def test_hold_inside_the_source_folder_is_not_ingested(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [openai_record(1)])
    _ingest(tmp_path, tmp_path / "hold")
    again = _ingest(tmp_path, tmp_path / "hold")
    assert again.conversations == 1 and again.step.ran == 0


def test_cli_summary_and_strict_exit_code(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [openai_record(1), {"messages": [{"role": "alien", "content": "x"}]}])
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", str(src), "--out", str(tmp_path / "hold"), "-j", "1", "-q"])
    assert res.exit_code == 0, res.output
    assert "openai-jsonl" in res.output and "unknown_role" in res.output
    res = runner.invoke(cli, ["ingest", str(src), "--out", str(tmp_path / "hold"), "-j", "1", "-q", "--strict"])
    assert res.exit_code == 6
    res = runner.invoke(cli, ["ingest", str(src), "--out", str(tmp_path / "h2"), "--format", "nope"])
    assert res.exit_code == 2
    assert "--format" in runner.invoke(cli, ["ingest", "--help"]).output
