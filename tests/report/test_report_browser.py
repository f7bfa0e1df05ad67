"""The HTML report opens in headless Chromium (Debian's, never a downloaded build), makes no
network request, and a screenshot is kept under build/ for a human to look at."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataset_builders import conversation, hit_row, write_conversations, write_hits
from sealroom.report import build_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILD = Path(__file__).resolve().parents[2] / "build"

pytestmark = pytest.mark.browser


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    texts = ["How do I fix this Python error?", "Write a poem about the sea.", "What is the capital of France?"]
    convs = [
        conversation(f"c{i}", texts[i % 3], user_key=f"u{i}", created_at=datetime(2023, 1 + i % 4, 2, tzinfo=UTC))
        for i in range(240)
    ]
    data = write_conversations(tmp_path / "d", convs, per_shard=120)
    hits = write_hits(tmp_path / "h", [hit_row(f"c{i}", f"nyt-{i % 2}", "generated") for i in range(0, 240, 2)])
    return build_report(data, tmp_path / "r", hits=hits, min_group_size=10).html_path


def test_report_opens_in_headless_chromium(report_html: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report_html.as_uri())
            assert page.title() == "sealroom report"
            assert page.locator("h2", has_text="Protections applied").count() == 1
            # every plot decoded (naturalWidth > 0): inline data, nothing fetched
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            assert widths and all(w > 0 for w in widths)
            BUILD.mkdir(exist_ok=True)
            page.screenshot(path=str(BUILD / "report-screenshot.png"), full_page=True)
        finally:
            browser.close()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert (BUILD / "report-screenshot.png").stat().st_size > 10_000
    shutil.copy(report_html, BUILD / "report-example.html")


def test_report_html_references_nothing_outside_itself(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html
