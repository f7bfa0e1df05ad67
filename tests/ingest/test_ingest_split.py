"""One large line-framed file split into byte ranges, one task each: the hold must not depend on it.

Every test compares a split ingest with the one-task ingest of the same file: the main rows (in
order), the quarantine rows (as a set: a duplicate found across two ranges is settled at the end
and stored after the range's other rows), the counters, the sources in the manifest and the
duplicates.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import kill_once_tasks_are_done, openai_record

from objectstore import upload
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.dataset.location import location
from sealroom.ingest import ingest
from sealroom.ingest.sources import BOM, ByteRange, SourceUnit, discover, parse_size
from sealroom.ingest.step import IngestStep
from sealroom.pipeline.config import IngestConfig
from sealroom.runner import LocalRunner

WHOLE = 1 << 40  # a split size no test file reaches


def _hold(src: Path | str | list, out: Path, split: int, **kw: Any) -> tuple:
    sources = src if isinstance(src, list) else [src]
    runner = kw.pop("runner", LocalRunner(1))
    result = ingest(sources, out, split_size=split, runner=runner, show_progress=False, **kw)
    ds = Dataset.open(out)
    q = ds.side("quarantine").read().to_pylist()
    extra = ds.manifest.extra
    return (
        ds.read().to_pylist(),
        sorted(q, key=lambda r: json.dumps(r, sort_keys=True)),
        ds.manifest.stats,
        extra["sources"],
        ds.manifest.inputs,
        extra["duplicates"]["count"],
        sorted(extra["duplicates"]["ids"]),
        result.conversations,
    )


def _lines(n: int, ids: dict[int, str] | None = None) -> list[bytes]:
    ids = ids or {}
    return [orjson.dumps({**openai_record(i, words=4), **({"id": ids[i]} if i in ids else {})}) for i in range(n)]


def _variants() -> dict[str, bytes]:
    lines = _lines(80, {5: "dup", 41: "dup", 60: "dup", 7: "x"})  # most without an id: derived ids
    lines[12] = b'{"messages": [ broken'  # a line cut short: the rest of the file is framed by line
    lines[13] = b'{"messages": 3}'  # parses, refused by the adapter: a record all the same
    lines[30] = b""
    pretty = json.dumps(openai_record(99), indent=1).encode()
    clean = [x for i, x in enumerate(lines) if i != 12]
    return {
        "clean": b"\n".join(clean) + b"\n",
        "cut_short": b"\n".join(lines) + b"\n",
        "pretty_in_middle": b"\n".join(clean[:20]) + b"\n" + pretty + b"\n" + b"\n".join(clean[20:]),
        "bom_crlf_no_final_break": BOM + b"\r\n".join(clean),
        "junk_lines": b"\n".join(clean[:25]) + b"\n42\n[1,2]\n" + b"\n".join(clean[25:]) + b"\n",
        "bad_run": b"\n".join(clean[:25]) + b"\nxx\nyy\n{\n" + b"\n".join(clean[25:]) + b"\n",
        "indented": b"\n".join(b"  " + x for x in clean) + b"\n",
        "stray_bracket": b"\n".join(clean[:50]) + b"\n}\n" + b"\n".join(clean[50:]) + b"\n",
    }


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_a_split_file_gives_the_same_hold(tmp_path: Path, variant: str) -> None:
    src = tmp_path / "big.jsonl"
    src.write_bytes(_variants()[variant])
    reference = _hold(src, tmp_path / "whole", WHOLE)
    assert reference[0]
    for split in (1, 600, 2500):
        assert _hold(src, tmp_path / f"split-{split}", split) == reference, split


def test_splitting_runs_one_task_per_range_and_each_range_reads_only_its_own(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    src.write_bytes(b"\n".join(_lines(300)) + b"\n")
    (unit,), _ = discover([src], split_bytes=4096)
    assert unit.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert len(unit.ranges) > 5
    data = src.read_bytes()
    assert unit.ranges[0].start == 0 and unit.ranges[-1].end == len(data)
    for a, b in zip(unit.ranges, unit.ranges[1:], strict=False):
        assert a.end == b.start and data[b.start - 1 : b.start] == b"\n"
        assert b.lines_before == data[: b.start].count(b"\n") == b.records_before
    out = tmp_path / "hold"
    result = ingest([src], out, split_size=4096, runner=LocalRunner(2), show_progress=False)
    assert result.step.ran == len(unit.ranges) and result.sources == 1
    markers = [json.loads(p.read_bytes()) for p in sorted((out / "_done").glob("*.json"))]
    assert all(m["outputs"]["main"] for m in markers)  # regular JSONL: no range read past its end
    assert not any(k.startswith("_split") for m in markers for k in m["stats"])
    assert Dataset.open(out).manifest.config["split_size"] == 4096
    assert _hold(src, tmp_path / "whole", WHOLE)[0] == Dataset.open(out).read().to_pylist()


def test_gzip_json_arrays_and_parquet_stay_one_task(tmp_path: Path) -> None:
    import gzip

    body = b"\n".join(_lines(50)) + b"\n"
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body))
    (tmp_path / "b.json").write_bytes(b"[" + b",\n".join(_lines(50)) + b"]")
    (tmp_path / "c.json").write_bytes(json.dumps([openai_record(1)] * 3, indent=2).encode())
    units, _ = discover([tmp_path], split_bytes=64)
    assert [u.ranges for u in units] == [(), (), ()]


def test_task_keys_stay_fixed_width_unique_and_in_file_order() -> None:
    def unit(name: str, parts: int) -> SourceUnit:
        ranges = tuple(ByteRange(i, i + 1, i, i, 1) for i in range(parts))
        return SourceUnit(name, None, "0" * 64, max(parts, 1), "none", "json", ranges)

    step = IngestStep([(unit("a", 3), "openai-jsonl.v1"), (unit("b", 0), "openai-jsonl.v1"), (unit("c", 2), None)])
    tasks = step.plan()
    assert [t.key for t in tasks] == ["00000", "00001", "00002", "00003", "00004"]
    parts = [(t.payload[0].path, t.payload[2]) for t in tasks]
    assert parts == [("a", 0), ("a", 1), ("a", 2), ("b", None), ("c", None)]
    many = IngestStep([(unit("a", 60_000), "openai-jsonl.v1"), (unit("b", 50_000), "openai-jsonl.v1")]).plan()
    keys = [t.key for t in many]
    assert len(set(keys)) == len(keys) == 110_000
    assert {len(k) for k in keys} == {6} and keys == sorted(keys)


def test_an_interrupted_split_run_resumes_to_the_same_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "big.jsonl"
    src.write_bytes(_variants()["bad_run"])
    reference = _hold(src, tmp_path / "whole", WHOLE)
    out = tmp_path / "hold"

    def killed(self: IngestStep, out_dir: Any, stats: Any) -> dict:
        raise KeyboardInterrupt  # every task done, finalize never ran

    with monkeypatch.context() as m:
        m.setattr(IngestStep, "finalize", killed)
        with pytest.raises(KeyboardInterrupt):
            _hold(src, out, 600)
    markers = sorted((out / "_done").glob("*.json"))
    tails = [p for p in markers if "_split.read_to_end" in json.loads(p.read_bytes())["stats"]]
    assert tails and tails[0] != markers[-1]  # later ranges hold output that finalize must drop
    # the task that read on to the end is lost, as if killed: it is redone on resume
    tails[0].unlink()
    later = markers[markers.index(tails[0]) + 1]
    later.unlink()
    assert _hold(src, out, 600) == reference
    # and a finished hold settles nothing twice
    assert _hold(src, out, 600) == reference


def _cli(src: Path, out: Path) -> list[str]:
    command = [sys.executable, "-m", "sealroom.cli.main", "ingest", str(src), "--out", str(out)]
    return [*command, "-j", "1", "-q", "--split-size", "32KiB"]


@pytest.mark.slow
def test_sigkill_mid_split_run_then_resume_is_identical(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    lines = [orjson.dumps(openai_record(i, words=30)) for i in range(6000)]
    lines[4000] = b'{"messages": [{"role": "alien", "content": "x"}]}'
    src.write_bytes(b"\n".join(lines) + b"\n")
    reference = _hold(src, tmp_path / "whole", WHOLE)
    out = tmp_path / "hold"
    kill_once_tasks_are_done(_cli(src, out), out)
    rerun = subprocess.run(_cli(src, out), capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    assert _hold(src, out, parse_size("32KiB")) == reference


_LINE = st.one_of(
    st.integers(0, 9).map(lambda i: ("record", i)),  # without an id
    st.sampled_from(["a", "b", "c"]).map(lambda i: ("with_id", i)),  # repeated ids
    st.sampled_from(
        [
            ("raw", b""),
            ("raw", b"   "),
            ("raw", b'{"messages": [ cut'),
            ("raw", b'{"messages": "x"}'),
            ("raw", b"not json"),
            ("raw", b"42"),
            ("raw", b"[1, 2]"),
            ("raw", b'{"a": 1}{"b": 2}'),
            ("raw", b"}"),
            ("raw", b"{"),
            ("raw", b'{"s": "\\"}'),
            ("raw", b'{"messages": [{"role": "user", "content": "caf\xc3"}]}'),
            ("pretty", b""),
        ]
    ),
)


def _render(kind: str, value: Any, i: int) -> bytes:
    if kind == "record":
        return orjson.dumps(openai_record(i * 10 + value, words=2))
    if kind == "with_id":
        return orjson.dumps({**openai_record(i, words=2), "id": value})
    if kind == "pretty":
        return json.dumps(openai_record(i, words=1), indent=2).encode()
    return value


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    lines=st.lists(_LINE, min_size=2, max_size=30),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    final=st.booleans(),
    bom=st.booleans(),
    split=st.integers(1, 4000),
)
def test_any_split_size_gives_the_same_hold(
    tmp_path_factory: pytest.TempPathFactory, lines: list, newline: bytes, final: bool, bom: bool, split: int
) -> None:
    # the first line is a record, so the file counts as line-framed and is split
    body = newline.join(_render(k, v, i) for i, (k, v) in enumerate([("record", 0), *lines]))
    data = (BOM if bom else b"") + body + (newline if final else b"")
    tmp = tmp_path_factory.mktemp("split")
    src = tmp / "f.jsonl"
    src.write_bytes(data)
    assert _hold(src, tmp / "split", split) == _hold(src, tmp / "whole", WHOLE)
    # named twice: every id repeats across files too (settled against the first copy)
    assert _hold([src, src], tmp / "split2", split) == _hold([src, src], tmp / "whole2", WHOLE)


def test_a_remote_file_is_split_by_ranged_reads(tmp_path: Path, s3_root: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.jsonl").write_bytes(_variants()["cut_short"])
    url = upload(src, f"{s3_root}/exports")
    (unit,), _ = discover([location(f"{url}/big.jsonl")], split_bytes=1000)
    assert len(unit.ranges) > 3
    whole = _hold(f"{url}/big.jsonl", tmp_path / "whole", WHOLE)
    assert _hold(f"{url}/big.jsonl", tmp_path / "split", 1000, runner=LocalRunner(2)) == whole
    local = _hold(src / "big.jsonl", tmp_path / "local", 1000)
    assert local[0] == whole[0] and local[2] == whole[2]  # the same rows and counters as from a local disk
    assert [s["sha256"] for s in local[3]] == [s["sha256"] for s in whole[3]]
    assert not list((tmp_path / "split").rglob(".tmp-*"))
    # a hold on object storage as well: the ranges are read into memory (no local spool folder)
    remote_hold = location(f"{s3_root}/hold")
    ingest([f"{url}/big.jsonl"], remote_hold, split_size=1000, runner=LocalRunner(2), show_progress=False)
    ds = Dataset.open(remote_hold)
    assert ds.read().to_pylist() == whole[0] and ds.manifest.stats == whole[2]
    q = ds.side("quarantine").read().to_pylist()
    assert sorted(q, key=lambda r: json.dumps(r, sort_keys=True)) == whole[1]


def test_split_size_on_the_cli_and_in_the_pipeline(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    src.write_bytes(b"\n".join(_lines(200)) + b"\n")
    out = tmp_path / "hold"
    result = CliRunner().invoke(cli, ["ingest", str(src), "--out", str(out), "-j", "1", "-q", "--split-size", "8KiB"])
    assert result.exit_code == 0, result.output
    assert Dataset.open(out).manifest.config["split_size"] == 8192
    assert len(list((out / "_done").glob("*.json"))) > 1
    bad = CliRunner().invoke(cli, ["ingest", str(src), "--out", str(out), "--split-size", "lots"])
    assert bad.exit_code != 0 and "not a size" in bad.output
    assert [parse_size(v) for v in ("1000", "64k", "256MiB", "1GB", 5)] == [1000, 65536, 256 << 20, 10**9, 5]
    config = IngestConfig(sources=["a.jsonl"], split_size="1MiB")
    assert config.split_size == 1 << 20
    # the split does not change the hold, so it does not change the stage's signature either
    assert "split_size" not in config.model_dump()


def test_the_same_split_file_named_twice_is_two_files(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    src.write_bytes(_variants()["bad_run"])
    reference = ingest([src, src], tmp_path / "ref", split_size=WHOLE, runner=LocalRunner(1), show_progress=False)
    split = ingest([src, src], tmp_path / "split", split_size=700, runner=LocalRunner(1), show_progress=False)
    assert split.step.ran > 2
    for name in ("ref", "split"):
        assert Dataset.open(tmp_path / name).manifest.extra["duplicates"]["count"] == reference.duplicates
    assert Dataset.open(tmp_path / "split").read().to_pylist() == Dataset.open(tmp_path / "ref").read().to_pylist()
    assert split.stats == reference.stats

    def quarantine(name: str) -> list[dict]:
        rows = Dataset.open(tmp_path / name).side("quarantine").read().to_pylist()
        return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))

    # a repeat in the second file names the first file by its index in the sources, not by a task
    assert quarantine("split") == quarantine("ref")
    assert any("from source 0" in r["reason"] for r in quarantine("split"))
