"""The targeted-search service: submit, background scan, admin approval, release of approved hits only."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from review_helpers import Reviewer, cheap_settings, conversation, write_conversations

from sealroom.review import audit, targeted
from sealroom.review.app import create_app
from sealroom.review.db import open_database
from sealroom.review.scan_backend import ScanBackend
from sealroom.review.targeted import ArticleText, TargetedHit

STORY = (
    "Late on Thursday the harbor commission approved a plan to rebuild the north pier, a project that engineers "
    "say will take four years and cost more than the city spent on all its bridges during the previous decade, "
    "according to documents reviewed by the newspaper."
)


class FixedBackend:
    """A test double: reports two hits per submitted article."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def search(self, articles: list[ArticleText]) -> list[TargetedHit]:
        self.calls.append([a.id for a in articles])
        return [
            TargetedHit(f"conv-{i}", 1, 0, 50, a.id, 0, 50, 9, "verbatim", 1.0, role="assistant", origin="generated")
            for a in articles
            for i in (1, 2)
        ]


def _wait(r: Reviewer, job_id: int) -> dict[str, Any]:
    for _ in range(400):
        job = r.get(f"/api/v1/targeted-search/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError("targeted search did not finish")


def _app(seeded: dict[str, Any], backend: Any) -> Any:
    app = create_app(seeded["settings"])
    targeted.install(app, backend)
    return app


def test_hits_wait_for_approval_and_only_approved_are_released(seeded: dict[str, Any]) -> None:
    backend = FixedBackend()
    app = _app(seeded, backend)
    counsel, admin, other = Reviewer(app, "counsel1"), Reviewer(app, "admin1"), Reviewer(app, "expert1")
    resp = counsel.post_json("/api/v1/targeted-search", {"articles": [{"id": "story-1", "text": STORY}]})
    assert resp.status_code == 202
    job_id = resp.json()["id"]
    job = _wait(counsel, job_id)
    assert job["status"] == "awaiting_approval" and job["hits"] == [] and job["hits_found"] is None
    assert backend.calls == [["story-1"]]
    assert other.get(f"/api/v1/targeted-search/{job_id}").status_code == 404
    full = admin.get(f"/api/v1/targeted-search/{job_id}").json()
    assert full["hits_found"] == 2 and len(full["hits"]) == 2
    decided = admin.post_json(f"/api/v1/targeted-search/{job_id}/decision", {"approve": True, "release": [1]})
    assert decided.status_code == 200
    released = counsel.get(f"/api/v1/targeted-search/{job_id}").json()
    assert released["status"] == "released" and len(released["hits"]) == 1
    hit = released["hits"][0]
    assert hit["article_id"] == "story-1" and "conversation_id" not in hit and len(hit["ref"]) == 20
    assert "conv-2" not in str(released)
    # A second decision is refused; every step is on the record.
    assert admin.post_json(f"/api/v1/targeted-search/{job_id}/decision", {"approve": False}).status_code == 409
    actions = [r["action"] for r in audit.export_rows(open_database(seeded["db_url"]))]
    for a in ("targeted_search_submit", "targeted_search_done", "targeted_search_decision", "targeted_search_get"):
        assert a in actions
    submit = next(
        r for r in audit.export_rows(open_database(seeded["db_url"])) if r["action"] == "targeted_search_submit"
    )
    assert STORY not in str(submit) and submit["detail"]["articles"] == ["story-1"]


def test_rejected_job_releases_nothing(seeded: dict[str, Any]) -> None:
    app = _app(seeded, FixedBackend())
    counsel, admin = Reviewer(app, "counsel1"), Reviewer(app, "admin1")
    job_id = counsel.post_json("/api/v1/targeted-search", {"articles": [{"id": "a", "text": STORY}]}).json()["id"]
    _wait(counsel, job_id)
    assert admin.post(f"/admin/targeted-search/{job_id}", {"decision": "reject"}).status_code == 303
    job = counsel.get(f"/api/v1/targeted-search/{job_id}").json()
    assert job["status"] == "rejected" and job["hits"] == []
    assert "rejected" in admin.get("/admin").text


def test_backend_failure_is_recorded_without_text(seeded: dict[str, Any]) -> None:
    class Broken:
        def search(self, articles: list[ArticleText]) -> list[TargetedHit]:
            raise ValueError(articles[0].text)

    app = _app(seeded, Broken())
    counsel = Reviewer(app, "counsel1")
    job_id = counsel.post_json("/api/v1/targeted-search", {"articles": [{"id": "a", "text": STORY}]}).json()["id"]
    assert _wait(counsel, job_id)["status"] == "failed"
    done = [r for r in audit.export_rows(open_database(seeded["db_url"])) if r["action"] == "targeted_search_done"]
    assert done[-1]["detail"]["error"] == "ValueError" and STORY not in str(done)


def test_openapi_documents_the_service(as_user: Any) -> None:
    spec = as_user("counsel1").get("/api/openapi.json").json()
    assert "/api/v1/targeted-search" in spec["paths"]
    assert "post" in spec["paths"]["/api/v1/targeted-search"]
    assert "/api/v1/targeted-search/{job_id}/decision" in spec["paths"]


@pytest.mark.slow
def test_scan_backend_finds_the_reproduced_story(tmp_path: Path, db_url: str) -> None:
    dataset = write_conversations(
        tmp_path / "deidentified",
        [
            conversation("c-1", [("user", "what happened at the harbor?"), ("assistant", f"Reportedly: {STORY}")]),
            conversation("c-2", [("user", "tell me a joke"), ("assistant", "Why did the pier blush?")]),
        ],
    )
    backend = ScanBackend(dataset, index_dir=tmp_path / "index")
    hits = backend.search([ArticleText("story-1", STORY), ArticleText("other", "nothing like this text at all " * 5)])
    assert [(h.conversation_id, h.message_index, h.article_id) for h in hits] == [("c-1", 1, "story-1")]
    assert hits[0].words >= 20
    # And through the app, with the dataset from settings.
    from review_helpers import PASSWORD

    from sealroom.review.users import add_user

    settings = cheap_settings(db_url, targeted_dataset=dataset)
    add_user(db_url, "req", PASSWORD, "counsel", settings=settings)
    add_user(db_url, "adm", PASSWORD, "admin", settings=settings)
    app = create_app(settings)
    req, adm = Reviewer(app, "req"), Reviewer(app, "adm")
    job_id = req.post_json("/api/v1/targeted-search", {"articles": [{"id": "s", "text": STORY}]}).json()["id"]
    assert _wait(req, job_id)["status"] == "awaiting_approval"
    adm.post_json(f"/api/v1/targeted-search/{job_id}/decision", {"approve": True})
    assert len(req.get(f"/api/v1/targeted-search/{job_id}").json()["hits"]) == 1
