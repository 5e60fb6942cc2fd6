"""The review pages in a real browser: Debian's Chromium driven by Playwright, against the real
app served by werkzeug on a free loopback port."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from store import review
from store.db import init_db, make_engine
from tests.conftest import ROOT, _missing
from tests.review_helpers import make_app, tenant_with_queue

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{data_dir / 'hirewatch.db'}"
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", "reviewer@acme.test", PASSWORD, review.Scope.REVIEWER)
    server = make_server("127.0.0.1", 0, make_app(url, data_dir), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_port}", "ids": ids, "engine": engine}
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        _missing(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=20_000)
        yield chromium
        chromium.close()


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"review-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_reviewer_records_a_false_positive(live_site, browser) -> None:
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_site["base"] + "/review/")
    assert "/review/login" in page.url

    # Keyboard only: the login form is labelled, focused and submits with Enter.
    page.get_by_label("E-mail").fill("reviewer@acme.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Applicants needing review").wait_for()
    rows = page.locator("tbody tr th a")
    assert rows.all_inner_texts() == ["Alex Turner", "Lee Jeong-cheol"]  # highest risk first
    _shot(page, "queue")

    page.get_by_role("link", name="Lee Jeong-cheol").click()
    page.wait_for_url(f"**/review/applicants/{live_site['ids']['match']}")
    hit = page.locator("section.hit").first
    assert "RI" in hit.locator("table.alignment").inner_text()
    _shot(page, "applicant")

    hit.get_by_label("False positive (not this person)").check()
    hit.get_by_label("Reason", exact=False).fill("Date of birth and employer differ from the SDN entry")
    hit.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Recorded: False positive")
    assert page.locator("#review-status").inner_text() == "decided"
    assert page.locator(".facts .risk").first.inner_text() == "Clear risk"
    assert page.get_by_role("img", name="HireWatch clear risk badge").evaluate("img => img.naturalWidth") > 0
    _shot(page, "decided")

    with live_site["engine"].connect() as conn:
        assert review.suppressed_hits(conn, "acme", live_site["ids"]["match"])
    page.close()


def test_csp_blocks_inline_script(live_site, browser) -> None:
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_site["base"] + "/review/login")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                             document.body.appendChild(s); }""")
    assert page.evaluate("() => window.pwned") is None
    page.close()


def test_rescreen_progress_bar_updates_live(live_site, browser) -> None:
    from store import jobs

    with live_site["engine"].begin() as conn:
        review.add_user(conn, "acme", "admin@acme.test", PASSWORD, review.Scope.ADMIN)
        job_id = jobs.create_job(conn, "acme", requested_by="test")
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_site["base"] + "/review/login")
    page.get_by_label("E-mail").fill("admin@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Applicants needing review").wait_for()
    page.get_by_role("link", name="Re-screen").click()
    page.get_by_role("heading", name=f"Job {job_id} is running").wait_for()
    with live_site["engine"].begin() as conn:
        conn.execute(
            jobs.rescreen_jobs.update()
            .where(jobs.rescreen_jobs.c.id == job_id)
            .values(total=50, done=20, failed=1, paging_done=True)
        )
    page.wait_for_function("() => document.getElementById('job-progress').value === 21")  # polled, no reload
    assert page.get_by_role("status").inner_text().startswith("20 screened, 1 failed, 50 found")
    _shot(page, "rescreen-progress")
    with live_site["engine"].begin() as conn:
        jobs.set_status(conn, job_id, jobs.DONE)
    page.get_by_role("button", name="Start a re-screen").wait_for()  # finished: the page reloads itself
    page.close()
