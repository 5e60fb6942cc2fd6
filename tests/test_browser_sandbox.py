"""End to end in a real browser: a listed applicant arrives from the sandbox ATS and is tagged; a
reviewer records a false positive on the review page; the pipeline's decision write-back (its
task body, run here in-process as a worker would run it) removes the tag in the sandbox ATS."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from integration.app import create_app
from integration.config import Settings
from integration.sandbox.harness import SandboxThread
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body
from screening.lists.store import ListStore
from store import review
from store.db import engine_for
from store.inbox import accept_delivery
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import applicants
from tasks import inbox as inbox_tasks
from tasks import runtime
from tests.conftest import private_redis_url
from tests.review_helpers import LIST_FIXTURE
from tests.test_browser_review import PASSWORD, _shot, browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.browser

SECRET_KEY = "test-secret-key-for-review-browser-0123456789"
LISTED = {"first_name": "Jamiel", "last_name": "Hamieh"}  # HAMIEH, Jamiel: SDN fixture entry 6862


@pytest.fixture
def service(tmp_path, monkeypatch):
    """Lists, a sandbox ATS with a Greenhouse installation on it, a flagged applicant, the app."""
    database_url = f"sqlite:///{tmp_path / 'hw.db'}"
    for name, value in {
        "HIREWATCH_DATA_DIR": str(tmp_path),
        "HIREWATCH_DATABASE_URL": database_url,
        "REDIS_URL": private_redis_url(13),
        "HIREWATCH_SECRET_KEY": SECRET_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    ListStore(tmp_path / "lists").import_directory(LIST_FIXTURE)
    engine = engine_for(database_url)
    with SandboxThread() as sandbox:
        monkeypatch.setenv("HIREWATCH_ALLOW_API_URLS", sandbox.url)  # the sandbox ATS on loopback http
        runtime.reset()
        with engine.begin() as conn:
            installation = create_installation(
                conn, SecretBox(SECRET_KEY), platform="greenhouse", name="Sandbox",
                webhook_secret="whsec", **sandbox.credentials(),
            )  # fmt: skip
            review.add_user(conn, installation.id, "reviewer@sandbox.test", PASSWORD, review.Scope.REVIEWER)
        candidate = sandbox.state.add_candidate(LISTED)
        accepted = accept_delivery(
            engine, installation_id=installation.id, platform="greenhouse", dedupe_key=str(uuid.uuid4()),
            event_type="new_candidate_application", event_kind="",
            raw_body=encode_like_greenhouse(webhook_body("new_candidate_application", candidate)),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        assert inbox_tasks.process_inbox(accepted.inbox_id) == "done"
        server = make_server("127.0.0.1", 0, create_app(Settings.from_env()), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield {
            "base": f"http://127.0.0.1:{server.server_port}",
            "engine": engine,
            "sandbox": sandbox,
            "candidate": candidate,
            "installation": installation,
        }
        server.shutdown()
        thread.join(timeout=5)
    runtime.reset()


def test_false_positive_changes_the_tag_in_the_sandbox_ats(service, browser) -> None:  # noqa: F811
    sandbox, candidate = service["sandbox"], service["candidate"]
    assert sandbox.state.writebacks(candidate["id"])["tags"] == ["HireWatch: medium risk"]

    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(service["base"] + "/review/login")
    page.get_by_label("E-mail").fill("reviewer@sandbox.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Jamiel Hamieh").click()
    hit = page.locator("section.hit").first
    assert "HAMIEH" in hit.inner_text()
    hit.get_by_label("Not this person").check()
    hit.get_by_label("Reason", exact=False).fill("Different person: date of birth 1990, listed 1938")
    hit.get_by_role("button", name="Record decision").click()
    assert page.get_by_role("status").inner_text().startswith("Recorded: not this person")

    with service["engine"].connect() as conn:
        row_id = conn.execute(select(applicants.c.id)).scalar_one()
        decision_id = conn.execute(select(review.decisions.c.id)).scalar_one()
    # The task the page enqueued, as the worker runs it.
    assert inbox_tasks.write_back_decision(service["installation"].id, row_id, decision_id) == "done"

    written = sandbox.state.writebacks(candidate["id"])
    assert written["tags"] == []  # the medium-risk tag is gone
    assert len(written["notes"]) == 2
    assert "not this person. Reason: Different person: date of birth 1990" in written["notes"][-1]["body"]
    page.goto(f"{sandbox.url}/_sandbox/candidates/{candidate['id']}/writebacks")
    _shot(page, "sandbox-writebacks")
    page.close()
