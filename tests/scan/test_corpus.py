"""Building indexes from every source format, incremental additions, errors that quote no text."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sealroom.cli.main import cli
from sealroom.errors import ConfigError, DatasetError, InputError
from sealroom.scan import AlignParams, CorpusIndex, add_to_corpus, build_corpus, find_matches


def sample(articles: dict[str, str], ids: list[str]) -> list[dict[str, str]]:
    return [{"id": i, "text": articles[i], "url": f"https://example.org/{i}"} for i in ids]


def found(idx: CorpusIndex, text: str) -> set[str]:
    return {idx.article_id(m.article) for m in find_matches(idx, [text], AlignParams(min_words=20))}


def test_every_source_format(tmp_path: Path, articles: dict[str, str]) -> None:
    ids = sorted(articles)[:8]
    recs = sample(articles, ids)
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[:2]), encoding="utf-8")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in recs[2:4]))
    pq.write_table(pa.Table.from_pylist(recs[4:6]), tmp_path / "c.parquet")
    txt = tmp_path / "txt" / "sub"
    txt.mkdir(parents=True)
    (txt / "one.txt").write_text(recs[6]["text"], encoding="utf-8")
    with gzip.open(txt / "two.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write(recs[7]["text"])
    (tmp_path / "d.json").write_text(json.dumps(recs[:1]), encoding="utf-8")  # a JSON array (a duplicate id)
    sources = [tmp_path / n for n in ("a.jsonl", "b.jsonl.gz", "c.parquet", "txt", "d.json")]
    idx = build_corpus(sources, tmp_path / "idx", show_progress=False)
    assert idx.n_articles == 8
    got = {idx.article_id(i) for i in range(idx.n_articles)}
    assert got == {*ids[:6], "sub/one", "sub/two"}
    for r in recs:
        words = r["text"].split()
        assert found(idx, " ".join(words[30:90]))
    info = idx.info()
    assert info["resident_bytes_per_token"] <= 1.0 and info["guaranteed_words"] == 12


def test_incremental_add(tmp_path: Path, articles: dict[str, str]) -> None:
    ids = sorted(articles)
    (tmp_path / "one.jsonl").write_text("".join(json.dumps(r) + "\n" for r in sample(articles, ids[:5])))
    (tmp_path / "two.jsonl").write_text("".join(json.dumps(r) + "\n" for r in sample(articles, ids[3:9])))
    idx = build_corpus([tmp_path / "one.jsonl"], tmp_path / "idx", show_progress=False)
    first_fp = idx.fingerprint
    seg0 = {p.name: p.read_bytes() for p in (tmp_path / "idx" / "seg-00000").iterdir()}
    late = " ".join(articles[ids[7]].split()[10:70])
    assert found(idx, late) == set()
    idx, stats = add_to_corpus(tmp_path / "idx", [tmp_path / "two.jsonl"], show_progress=False)
    assert stats["articles"] == 4 and stats["duplicates"] == 2
    assert idx.n_articles == 9 and len(idx.segments) == 2 and idx.fingerprint != first_fp
    assert found(idx, late) == {ids[7]}
    assert found(idx, " ".join(articles[ids[0]].split()[10:70])) == {ids[0]}
    # the old segment is untouched
    assert {p.name: p.read_bytes() for p in (tmp_path / "idx" / "seg-00000").iterdir()} == seg0


def test_errors_name_place_not_text(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "fine"}\n{"text": "SECRET words here"}\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build_corpus([bad], tmp_path / "idx", show_progress=False)
    assert "line 2" in str(exc.value) and "SECRET" not in str(exc.value)
    with pytest.raises(InputError):
        build_corpus([tmp_path / "missing.jsonl"], tmp_path / "idx2", show_progress=False)
    with pytest.raises(DatasetError):
        CorpusIndex.open(tmp_path / "nothing")
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "x", "text": "fine words"}\n', encoding="utf-8")
    first = build_corpus([good], tmp_path / "idx3", show_progress=False)
    # the same unchanged sources again: the existing index, not a rebuild
    assert build_corpus([good], tmp_path / "idx3", show_progress=False).fingerprint == first.fingerprint
    good.write_text('{"id": "y", "text": "other words"}\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        build_corpus([good], tmp_path / "idx3", show_progress=False)
    again = build_corpus([good], tmp_path / "idx3", show_progress=False, overwrite=True)
    assert again.article_id(0) == "y" and again.n_articles == 1
    with pytest.raises(ConfigError):
        build_corpus([good], tmp_path / "idx4", k=1, show_progress=False)


def test_cli_corpus(tmp_path: Path, articles: dict[str, str]) -> None:
    ids = sorted(articles)
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in sample(articles, ids[:3])))
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in sample(articles, ids[3:5])))
    runner = CliRunner()
    r = runner.invoke(cli, ["corpus", "build", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "idx"), "-q"])
    assert r.exit_code == 0, r.output
    assert "articles: 3" in r.output
    r = runner.invoke(cli, ["corpus", "add", str(tmp_path / "b.jsonl"), "--index", str(tmp_path / "idx"), "-q"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["corpus", "info", str(tmp_path / "idx")])
    assert r.exit_code == 0 and "articles: 5" in r.output and "segments: 2" in r.output
    r = runner.invoke(cli, ["corpus", "info", str(tmp_path / "nope")])
    assert r.exit_code == 4


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_index_records_content_not_place_or_time(tmp_path: Path, articles: dict[str, str]) -> None:
    ids = sorted(articles)[:6]
    one = tmp_path / "one" / "news.jsonl"
    one.parent.mkdir()
    one.write_text("".join(json.dumps(r) + "\n" for r in sample(articles, ids)), encoding="utf-8")
    folder = tmp_path / "one" / "txt"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(articles[ids[0]][:500], encoding="utf-8")
    first = build_corpus([one, folder], tmp_path / "idx", show_progress=False)
    meta = json.loads((tmp_path / "idx" / "index.json").read_text(encoding="utf-8"))
    assert meta["built_from"]["sources"] == [
        {"name": "news.jsonl", "size": one.stat().st_size, "sha256": hashlib.sha256(one.read_bytes()).hexdigest()},
        {
            "name": "sub/a.txt",
            "size": (folder / "sub" / "a.txt").stat().st_size,
            "sha256": hashlib.sha256((folder / "sub" / "a.txt").read_bytes()).hexdigest(),
        },
    ]
    assert str(tmp_path) not in (tmp_path / "idx" / "index.json").read_text(encoding="utf-8")
    built = _files(tmp_path / "idx")

    # the same bytes with another modification time: already built, nothing rewritten
    os.utime(one, ns=(1, 1))
    stamp = (tmp_path / "idx" / "index.json").stat().st_mtime_ns
    again = build_corpus([one, folder], tmp_path / "idx", show_progress=False)
    assert again.fingerprint == first.fingerprint
    assert (tmp_path / "idx" / "index.json").stat().st_mtime_ns == stamp

    # built twice from identical bytes at the same path: byte-identical index files
    rebuilt = build_corpus([one, folder], tmp_path / "idx", show_progress=False, overwrite=True)
    assert rebuilt.fingerprint == first.fingerprint and _files(tmp_path / "idx") == built

    # the same bytes copied to another place (new modification times): the same index, manifest included
    shutil.copytree(tmp_path / "one", tmp_path / "elsewhere" / "two")
    copy = tmp_path / "elsewhere" / "two"
    os.utime(copy / "news.jsonl", ns=(7, 7))
    build_corpus([copy / "news.jsonl", copy / "txt"], tmp_path / "idx2", show_progress=False)
    assert _files(tmp_path / "idx2") == built
    # and an index of those bytes is "already built" for the copy too
    assert build_corpus([copy / "news.jsonl", copy / "txt"], tmp_path / "idx", show_progress=False).n_articles == 7

    # other bytes of the same size are another source
    text = one.read_text(encoding="utf-8")
    one.write_text(text.replace(ids[0], ids[0][::-1], 1), encoding="utf-8")
    with pytest.raises(ConfigError):
        build_corpus([one, folder], tmp_path / "idx", show_progress=False)


def test_index_of_the_old_stamp_is_still_already_built(tmp_path: Path, articles: dict[str, str]) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in sample(articles, sorted(articles)[:2])), encoding="utf-8")
    idx = build_corpus([src], tmp_path / "idx", show_progress=False)
    meta = json.loads((tmp_path / "idx" / "index.json").read_text(encoding="utf-8"))
    # an index written before content hashes were recorded: (path, size, mtime) per file
    meta["built_from"]["sources"] = [[str(src), src.stat().st_size, src.stat().st_mtime_ns]]
    (tmp_path / "idx" / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    assert build_corpus([src], tmp_path / "idx", show_progress=False).fingerprint == idx.fingerprint
