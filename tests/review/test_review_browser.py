"""Browser tests: Playwright driving Debian's Chromium against a live server on loopback.

Screenshots go to ``build/screenshots/`` (kept as CI artifacts). Skipped when Chromium or
Playwright is absent.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from review_helpers import PASSWORD, USERS, cheap_settings, sample_documents

from sealroom.review.app import create_app
from sealroom.review.db import close_database, open_database
from sealroom.review.loader import load_documents
from sealroom.review.users import add_user

CHROMIUM = Path(os.environ.get("SEALROOM_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.is_file():
        pytest.skip("Chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    import uvicorn

    db_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'review.db'}"
    settings = cheap_settings(db_url)
    for name, (role, aeo) in USERS.items():
        add_user(db_url, name, PASSWORD, role, aeo=aeo, settings=settings)
    load_documents(open_database(db_url), sample_documents())
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    close_database(db_url)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _login(browser: Any, server: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_load_state()
    return page


def test_counsel_search_view_tag_export_logout(browser: Any, server: str) -> None:
    page = _login(browser, server, "counsel1")
    assert page.url.endswith("/search")
    page.screenshot(path=str(SHOTS / "01-search-empty.png"))
    page.fill("#q", "harbor")
    page.click("#search")
    page.wait_for_selector(".result")
    assert page.inner_text("#count").startswith("4 documents")
    assert page.locator("mark").first.inner_text().lower() == "harbor"
    page.screenshot(path=str(SHOTS / "02-search-results.png"), full_page=True)

    page.click("text=ABC0000001")
    page.wait_for_selector("#bates")
    hit = page.locator(".content span.hit").first
    assert "planet-0042" in (hit.get_attribute("title") or "")
    assert "origin-generated" in (hit.get_attribute("class") or "")
    assert page.locator(".content span.pseudonym").count() == 2
    assert page.locator(".content span.signal").count() == 1
    assert "counsel1" in page.inner_text("#watermark")
    page.screenshot(path=str(SHOTS / "03-conversation.png"), full_page=True)

    page.select_option("#tag-select", "reproduction")
    page.click("#add-tag")
    page.wait_for_selector("#doc-tags .tag")
    assert "reproduction" in page.inner_text("#doc-tags")
    page.fill("#note", "Assistant output reproduces planet-0042 verbatim.")
    page.click("#add-note")
    page.wait_for_selector("#notes li")
    page.screenshot(path=str(SHOTS / "04-coded.png"), full_page=True)

    page.goto(server + "/search?q=tag%3Areproduction")
    page.wait_for_selector(".result")
    with page.expect_download() as dl:
        page.click("#export")
    body = Path(dl.value.path()).read_text()
    assert body.startswith("sealroom export by counsel1") and "ABC0000001,CONFIDENTIAL,reproduction" in body

    page.click("#logout")
    page.wait_for_selector("#username")
    page.goto(server + "/documents/ABC0000001")
    assert "/login" in page.url
    page.context.close()


def test_aeo_stays_invisible_to_an_expert(browser: Any, server: str) -> None:
    page = _login(browser, server, "expert1")
    page.fill("#q", "harbor")
    page.click("#search")
    page.wait_for_selector(".result")
    listed = page.locator("a.bates").all_inner_texts()
    assert listed == ["ABC0000001", "ABC0000004"]
    assert page.inner_text("#count").startswith("2 documents")
    assert "AEO" not in page.inner_text(".facets")
    page.screenshot(path=str(SHOTS / "05-expert-search.png"), full_page=True)
    response = page.goto(server + "/documents/ABC0000003")
    assert response is not None and response.status == 404
    assert "merger" not in page.content()
    page.screenshot(path=str(SHOTS / "06-expert-aeo-404.png"))
    page.context.close()


def test_monitor_audit_and_admin_pages(browser: Any, server: str) -> None:
    page = _login(browser, server, "monitor1")
    assert page.url.endswith("/audit")
    page.click("#verify")
    page.wait_for_selector("#verify-result")
    assert "intact" in page.inner_text("#verify-result")
    page.screenshot(path=str(SHOTS / "07-audit.png"), full_page=True)
    page.context.close()
    admin = _login(browser, server, "admin1")
    assert admin.url.endswith("/admin") and "expert_aeo" in admin.content()
    admin.screenshot(path=str(SHOTS / "08-admin.png"), full_page=True)
    admin.context.close()
