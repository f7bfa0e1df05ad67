"""scan and search over datasets on object storage: the same output as on local folders.

The conversations and the hits live in a bucket of the test S3 server (``tests/objectstore.py``);
the corpus index, the search index and the search result stay local files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from objectstore import assert_same_dataset, upload
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.dataset.location import is_remote
from sealroom.errors import DatasetError
from sealroom.runner import LocalRunner
from sealroom.scan import CorpusIndex, scan, search
from sealroom.scan.index import INDEX_CACHE_ENV, open_index


def test_scan_from_and_to_object_storage_equals_a_local_scan(
    tmp_path: Path, s3_root: str, dataset: Path, corpus_index: CorpusIndex
) -> None:
    local = scan(dataset, corpus_index.path, tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    assert local.stats["hits"] > 0
    src = upload(dataset, f"{s3_root}/hold/ds")
    remote = scan(src, corpus_index.path, f"{s3_root}/run/hits", runner=LocalRunner(2), show_progress=False)
    assert is_remote(remote.out_dir) and remote.ran == 3
    assert_same_dataset(tmp_path / "hits", f"{s3_root}/run/hits")
    again = scan(src, corpus_index.path, f"{s3_root}/run/hits", runner=LocalRunner(1), show_progress=False)
    assert (again.ran, again.skipped) == (0, 3)


def test_scan_and_search_commands_take_urls(
    tmp_path: Path, s3_root: str, dataset: Path, corpus_index: CorpusIndex, articles: dict[str, str]
) -> None:
    src = upload(dataset, f"{s3_root}/hold/ds")
    runner = CliRunner()
    args = ["scan", src, "--index", str(corpus_index.path), "--out", f"{s3_root}/run/hits", "-q", "-j", "1"]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert "hits in 2 conversations" in r.output
    local = scan(dataset, corpus_index.path, tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    assert Dataset.open(f"{s3_root}/run/hits").fingerprint == local.manifest.fingerprint

    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q1", "text": articles["art-006"]}) + "\n", encoding="utf-8")
    args = ["search", src, "--index", str(tmp_path / "cidx"), "--queries", str(queries), "--out", str(tmp_path / "r")]
    r = runner.invoke(cli, [*args, "-q"])
    assert r.exit_code == 0, r.output
    search(dataset, queries, tmp_path / "local-r", index=tmp_path / "local-cidx", show_progress=False)
    found = (tmp_path / "r").read_bytes()
    assert found and found == (tmp_path / "local-r").read_bytes()


def test_targeted_search_backend_reads_a_dataset_url(
    tmp_path: Path, s3_root: str, dataset: Path, articles: dict[str, str]
) -> None:
    from sealroom.review.scan_backend import ScanBackend
    from sealroom.review.targeted import ArticleText

    query = [ArticleText(id="a6", text=articles["art-006"])]
    remote = ScanBackend(upload(dataset, f"{s3_root}/hold/ds"), index_dir=tmp_path / "remote-index")
    local = ScanBackend(dataset, index_dir=tmp_path / "local-index")
    hits = remote.search(query)
    assert {(h.conversation_id, h.message_index) for h in hits} == {("c3", 0), ("c3", 1)}
    assert hits == local.search(query)


def test_an_index_in_object_storage_is_fetched_once_into_the_cache(
    tmp_path: Path, s3_root: str, dataset: Path, corpus_index: CorpusIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INDEX_CACHE_ENV, str(tmp_path / "cache"))
    url = upload(corpus_index.path, f"{s3_root}/corpus/index")
    opened = open_index(url)
    assert opened.fingerprint == corpus_index.fingerprint and opened.n_articles == corpus_index.n_articles
    assert opened.as_input()["path"] == url and opened.path.parent == tmp_path / "cache"
    stamp = (opened.path / "index.json").stat().st_mtime_ns
    assert open_index(url).path == opened.path and (opened.path / "index.json").stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [opened.path.name]  # no temporaries left

    local = scan(dataset, corpus_index.path, tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    remote = scan(dataset, url, tmp_path / "hits-remote-index", runner=LocalRunner(2), show_progress=False)
    assert remote.manifest.fingerprint == local.manifest.fingerprint
    assert remote.manifest.inputs[1]["path"] == url
    with pytest.raises(DatasetError, match="not a corpus index"):
        open_index(f"{s3_root}/corpus/missing")
