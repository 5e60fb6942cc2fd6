"""The review pages in a real browser: Debian's Chromium driven by Playwright, against the real
app served by werkzeug on a free loopback port."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from screening.lists.store import ListStore
from store import review
from store.db import init_db, make_engine
from tests.conftest import ROOT, _missing
from tests.review_helpers import LIST_FIXTURE, make_app, tenant_with_queue

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
    ListStore(data_dir / "lists").import_directory(LIST_FIXTURE)  # for the list search
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", "reviewer@acme.test", PASSWORD, review.Scope.REVIEWER)
        review.add_user(conn, "acme", "admin@acme.test", PASSWORD, review.Scope.ADMIN)
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


def _login(page, base: str, email: str = "reviewer@acme.test") -> None:
    """Keyboard only: the login form is labelled, focused and submits with Enter."""
    page.goto(base + "/review/")
    assert "/review/login" in page.url
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'email'")
    page.keyboard.type(email)  # the e-mail field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Pending applicants").wait_for()


def _tab_to(page, label: str, limit: int = 120) -> None:
    """Press Tab until the focused control is the one labelled `label` (keyboard-only use)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e && e.labels && e.labels.length"
            " ? e.labels[0].textContent.trim() : ''; }"
        )
        if focused == label:
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_a_decision_made_by_keyboard_is_still_there_after_a_reload(live_site, browser) -> None:
    page = browser.new_page()
    page.set_default_timeout(10_000)
    _login(page, live_site["base"])
    rows = page.locator(".row-title a")
    assert rows.all_inner_texts() == ["Alex Turner", "Lee Jeong-cheol"]  # highest risk first
    assert "Pending" in page.locator("[aria-current=page]").inner_text()
    _shot(page, "queue")

    page.get_by_role("link", name="Lee Jeong-cheol").click()
    page.wait_for_url(f"**/review/applicants/{live_site['ids']['match']}")
    hit = page.locator("section.hit").first
    assert "RI" in hit.locator("table.alignment").inner_text()
    assert "acme-c1@example.com" in page.locator("#record").inner_text()  # the applicant's own record
    _shot(page, "applicant")

    # Keyboard only: Tab to the hit's "Not this person", Space, Tab to the reason, type, Enter.
    _tab_to(page, "Not this person")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Date of birth and employer differ from the SDN entry")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Recorded: not this person. The applicant is now decided.").wait_for()
    page.reload()
    assert page.locator("#review-status").inner_text() == "decided"
    assert page.locator(".facts .risk").first.inner_text() == "Clear risk"
    assert page.get_by_role("img", name="HireWatch clear risk badge").evaluate("img => img.naturalWidth") > 0
    history = page.locator("#history").inner_text()
    assert "Not this person" in history and "RI JONG CHOL (OFAC SDN 36542)" in history
    assert "Reviewed as false positive" in page.content()  # the suppressed hit stays viewable
    _shot(page, "decided")

    page.goto(live_site["base"] + "/review/?view=decided")
    assert page.locator(".row-title a").all_inner_texts() == ["Lee Jeong-cheol"]
    _shot(page, "queue-decided")
    page.goto(live_site["base"] + "/review/")
    assert "Lee Jeong-cheol" not in page.locator(".rows").inner_text()
    with live_site["engine"].connect() as conn:
        assert review.suppressed_hits(conn, "acme", live_site["ids"]["match"])
    page.close()


def test_search_finds_a_listed_person_typed_in_hangul_and_explains_it(live_site, browser) -> None:
    page = browser.new_page()
    page.set_default_timeout(30_000)  # the first search builds the list index
    _login(page, live_site["base"])
    page.get_by_role("link", name="Search the lists").click()
    page.get_by_label("Name, e-mail, website, phone or wallet").fill("김상만")
    page.keyboard.press("Enter")
    result = page.locator("section.hit", has_text="OFAC SDN 43377")
    result.wait_for()
    assert "KIM, Sang Man" in result.inner_text() and "Korean romanisation" in result.inner_text()
    link = result.get_by_role("link", name="OFAC entry 43377")
    assert link.get_attribute("href") == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=43377"
    _shot(page, "search")
    page.close()


NARROW_PAGES = [
    "/review/login",
    "/review/",
    "/review/?view=all",
    "/review/applicants/{match}",
    "/review/applicants/{ring}",
    "/review/search?q=Kim+Sang+Man",
    "/review/lists",
    "/review/audit",
    "/review/installation",
    "/review/rescreen",
    "/review/nope",
    "/review/applicants/99999",
]


def test_no_page_scrolls_sideways_on_a_390_px_phone(live_site, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(30_000)
    _login(page, live_site["base"], email="admin@acme.test")
    wide = {}
    for path in NARROW_PAGES:
        url = path.format(**live_site["ids"])
        page.goto(live_site["base"] + url)
        sizes = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if sizes[0] > sizes[1]:
            wide[path] = sizes
        _shot(page, "390-" + re.sub(r"[^\w]+", "-", url).strip("-"))
    assert wide == {}, "pages wider than the screen (scrollWidth, clientWidth)"
    assert "404: Not Found" in page.content()  # branded, not Werkzeug's
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
        job_id = jobs.create_job(conn, "acme", requested_by="test")
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_site["base"] + "/review/login")
    page.get_by_label("E-mail").fill("admin@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Pending applicants").wait_for()
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
    assert (
        page.locator("#job-summary").inner_text().startswith(f"Job {job_id} done: 20 re-screened, 0 verdicts")
    )
    page.close()
