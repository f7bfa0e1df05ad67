"""Search semantics (same answers on SQLite and PostgreSQL) and designation scoping everywhere."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

QUERIES = {
    "harbor": {1, 3, 4, 5},
    "HARBOR ferry": {1, 5},
    "harbor AND ferry": {1, 5},
    '"ferry service"': {1},
    '"service ferry"': set(),
    "harbor -ferry": {3, 4},
    "harbor NOT ferry": {3, 4},
    "NOT harbor": {2},
    "banana OR merger": {2, 3},
    "(banana OR merger) harbor": {3},
    "harb*": {1, 3, 4, 5},
    "has:reproduction": {1},
    "has:signal": {1},
    "has:redaction": {1},
    "origin:generated": {1},
    "origin:pasted": set(),
    "article:planet-0042": {1},
    "model:gpt-3.5": {2},
    "model:GPT-4 harbor": {1, 3, 4, 5},
    "date:2024": {2},
    "date:2023-05": {1, 3, 4, 5},
    "date:2023-01..2023-12": {1, 3, 4, 5},
    "date:>=2024-01-15": {2},
    "date:<2024": {1, 3, 4, 5},
    "designation:aeo": {3, 5},
    "bates:abc0000002": {2},
    "ferry OR has:reproduction": {1, 5},
    "": {1, 2, 3, 4, 5},
    "%%% ---": {1, 2, 3, 4, 5},
}


def _bates(nums: set[int]) -> set[str]:
    return {f"ABC{n:07d}" for n in nums}


def _search(r: Any, q: str, **params: Any) -> dict[str, Any]:
    resp = r.get("/api/v1/search", params={"q": q, **params})
    assert resp.status_code == 200, (q, resp.text)
    return resp.json()


@pytest.mark.parametrize("q", list(QUERIES))
def test_query_language(as_user: Any, q: str) -> None:
    out = _search(as_user("counsel1"), q)
    assert {h["bates"] for h in out["results"]} == _bates(QUERIES[q])
    assert out["total"] == len(QUERIES[q])


def test_tag_filter_and_bulk_tagging(as_user: Any) -> None:
    r = as_user("counsel1")
    assert r.post("/search/tag", {"q": "harbor", "tag": "responsive"}).status_code == 303
    assert {h["bates"] for h in _search(r, "tag:responsive")["results"]} == _bates({1, 3, 4, 5})
    # An expert's bulk tag touches only what the expert can see.
    e = as_user("expert1")
    e.post("/search/tag", {"q": "", "tag": "hot"})
    assert {h["bates"] for h in _search(r, "tag:hot")["results"]} == _bates({1, 2, 4})


def test_snippets_highlight_and_escape(as_user: Any) -> None:
    out = _search(as_user("counsel1"), "script")
    snippet = out["results"][0]["snippet_html"]
    assert "<mark>script</mark>" in snippet and "&lt;" in snippet and "<script>" not in snippet


def test_paging(seeded: dict[str, Any], as_user: Any) -> None:
    from review_helpers import native

    from sealroom.review.db import open_database
    from sealroom.review.loader import load_documents

    load_documents(open_database(seeded["db_url"]), [native(100 + i) for i in range(45)])
    r = as_user("counsel1")
    pages = [_search(r, "number", page=p) for p in (1, 2, 3)]
    assert pages[0]["total"] == 45
    got = [h["bates"] for p in pages for h in p["results"]]
    assert len(got) == 45 == len(set(got)) and got == sorted(got)


def test_saved_search(as_user: Any) -> None:
    r = as_user("counsel1")
    r.post("/search/save", {"name": "ferries", "q": "ferry"})
    assert "ferries" in r.get("/search").text
    assert "ferries" not in as_user("expert1").get("/search").text  # saved searches are per user


def test_bad_query_is_a_400_not_a_crash(as_user: Any) -> None:
    r = as_user("counsel1")
    assert r.get("/api/v1/search", params={"q": "date:yesterday"}).status_code == 400
    page = r.get("/search", params={"q": "origin:martian"})
    assert page.status_code == 400 and "origin: wants one of" in page.text


# ---- designation scoping --------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,visible", [("expert1", {1, 2, 4}), ("expert_aeo", {1, 2, 3, 4, 5}), ("counsel1", {1, 2, 3, 4, 5})]
)
def test_aeo_invisible_without_grant(as_user: Any, who: str, visible: set[int]) -> None:
    r = as_user(who)
    out = _search(r, "")
    assert {h["bates"] for h in out["results"]} == _bates(visible)
    assert out["total"] == len(visible)
    # Counts and facets are over visible documents only.
    designations = dict(out["facets"]["designation"])
    assert sum(designations.values()) == len(visible)
    if 3 not in visible:
        assert "AEO" not in designations
        assert _search(r, "merger")["total"] == 0
        assert _search(r, "designation:aeo")["total"] == 0
        assert _search(r, "harbor")["facets"]["model"] == [["gpt-4", 2]]
        for url in ("/documents/ABC0000003", "/api/v1/documents/ABC0000005"):
            assert r.get(url).status_code == 404
        assert r.post("/documents/ABC0000003/tags", {"tag": "hot"}).status_code == 404
        assert r.post("/documents/ABC0000003/notes", {"text": "x"}).status_code == 404
        assert "ABC0000003" not in r.get("/search?q=merger").text
    rows = list(csv.reader(io.StringIO(r.post("/export", {"q": ""}).text)))
    assert rows[0][0].startswith(f"sealroom export by {who}")  # the watermark line
    assert {row[0] for row in rows[2:]} == _bates(visible)


def test_export_limit_by_role(seeded: dict[str, Any]) -> None:
    from review_helpers import Reviewer, cheap_settings

    from sealroom.review.app import create_app

    app = create_app(cheap_settings(seeded["db_url"], export_limits={"counsel": 2}))
    assert Reviewer(app, "counsel1").post("/export", {"q": "harbor"}).status_code == 403
    assert Reviewer(app, "counsel1").post("/export", {"q": "banana"}).status_code == 200
    assert Reviewer(app, "expert1").post("/export", {"q": "banana"}).status_code == 403  # role has no allowance


# Phrases take two paths on PostgreSQL: plain words (letters only or digits only) use the pair
# lexemes of document_fts, anything else the positional phrase; both must agree with FTS5.
PHRASE_TEXTS = {
    201: "the harbor ferry service runs at dawn",
    202: "ferry the harbor then service",
    203: "route 66 runs past the e-5 exit and abc123 market",
    204: "abc123 market opens; route 66 closes",
    # Over 200,000 bytes: no pair lexemes on PostgreSQL, the positional phrase decides.
    205: "zeppelin blimp " + "harbor ferry " * 16_000,
}
PHRASES = {
    '"harbor ferry"': {201, 205},
    '"ferry harbor"': {205},
    '"zeppelin blimp"': {205},
    '"blimp harbor"': {205},
    '"blimp zeppelin"': set(),
    '"harbor ferry service"': {201},
    '"harbor service ferry"': set(),
    '"the harbor"': {201, 202},
    '"route 66"': {203, 204},
    '"66 runs"': {203},
    '"e 5 exit"': {203},
    "e-5": {203},
    '"abc123 market"': {203, 204},
    '"market abc123"': set(),
    '"harbor ferry" OR "route 66"': {201, 203, 204, 205},
    '"the harbor" NOT "harbor ferry"': {202},
    'dawn "harbor ferry"': {201},
    '"ferry service" has:reproduction': set(),
    'harb* NOT "route 66"': {201, 202, 205},
}


@pytest.mark.parametrize("q", list(PHRASES))
def test_phrases_agree_on_both_backends(seeded: dict[str, Any], as_user: Any, q: str) -> None:
    from review_helpers import native

    from sealroom.review.db import open_database
    from sealroom.review.loader import load_documents

    docs = [native(n, messages=[("user", body)]) for n, body in PHRASE_TEXTS.items()]
    load_documents(open_database(seeded["db_url"]), docs)
    out = _search(as_user("counsel1"), q)
    got = {h["bates"] for h in out["results"]} - _bates({1, 2, 3, 4, 5})
    assert got == _bates(PHRASES[q]), q
