"""The review pages show what a 404 from the ATS means: nothing deleted, the URL to check."""

from __future__ import annotations

import re

from store import audit, review
from store.db import make_engine
from tests.review_helpers import add_missing_in_ats, make_app, tenant_with_queue

PASSWORD = "correct horse battery staple"


def test_queue_and_applicant_pages_show_404s_from_the_ats(sqlite_url, tmp_path) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", "reviewer@acme.test", PASSWORD, review.Scope.REVIEWER)
    client = make_app(sqlite_url, tmp_path).test_client()
    token = re.search(rb'name="csrf_token" value="([^"]+)"', client.get("/review/login").data).group(1)
    login = {"email": "reviewer@acme.test", "password": PASSWORD, "csrf_token": token.decode()}
    assert client.post("/review/login", data=login).status_code == 302
    assert b"installation-health" not in client.get("/review/").data
    assert b"missing-in-ats" not in client.get(f"/review/applicants/{ids['match']}").data

    add_missing_in_ats(engine, "acme", 1)
    with engine.begin() as conn:
        audit.record(
            conn, action="applicant.missing_in_ats", actor="worker", installation_id="acme", subject="acme-c1"
        )
    queue = client.get("/review/").data.decode()
    assert "the ATS answered 404 for the last 1 candidate(s); nothing was deleted" in queue
    detail = client.get(f"/review/applicants/{ids['match']}").data.decode()
    assert 'id="missing-in-ats"' in detail and "Nothing was deleted" in detail
