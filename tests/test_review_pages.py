from __future__ import annotations

import csv
import io
import re

import pytest
import responses
from sqlalchemy import select

from store import jobs, review
from store.db import make_engine
from store.tables import audit_log, installations
from tests.review_helpers import make_app, sanctions_hit, tenant_with_queue, two_list_versions

PASSWORD = "correct horse battery staple"


@pytest.fixture
def site(sqlite_url, tmp_path):
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        other = tenant_with_queue(conn, "globex")
        review.add_user(conn, "acme", "reviewer@acme.test", PASSWORD, review.Scope.REVIEWER)
        review.add_user(conn, "acme", "admin@acme.test", PASSWORD, review.Scope.ADMIN)
        other_job = jobs.create_job(conn, "globex", requested_by="test")
    client = make_app(sqlite_url, tmp_path).test_client()
    return {
        "client": client,
        "ids": ids,
        "other": other,
        "other_job": other_job,
        "tmp": tmp_path,
        "engine": make_engine(sqlite_url),
    }


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def _login(client, password: str = PASSWORD, next_url: str = "", email: str = "reviewer@acme.test"):
    token = _csrf(client.get("/review/login").data)
    return client.post(
        f"/review/login{next_url}", data={"email": email, "password": password, "csrf_token": token}
    )


def test_pages_need_login_and_login_sets_a_safe_cookie(site) -> None:
    client = site["client"]
    assert client.get("/review/").headers["Location"].startswith("/review/login")
    assert _login(client, "wrong password at all").status_code == 401
    response = _login(client)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_guessing_is_slowed_per_account_and_audited(site) -> None:
    client = site["client"]
    for _ in range(review.MAX_FAILURES_PER_EMAIL):
        assert _login(client, "guess").status_code == 401
    locked = _login(client)  # even the right password waits out the window
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in locked.data
    assert _login(client, email="admin@acme.test").status_code == 302  # another account is not locked
    with site["engine"].connect() as conn:
        failed = conn.execute(select(audit_log).where(audit_log.c.action == "user.login_failed")).all()
    assert len(failed) == review.MAX_FAILURES_PER_EMAIL


def test_a_successful_login_forgets_earlier_failures(site) -> None:
    client = site["client"]
    for _ in range(review.MAX_FAILURES_PER_EMAIL - 1):
        _login(client, "guess")
    assert _login(client).status_code == 302
    assert _login(client, "guess").status_code == 401  # counting starts again


def test_login_never_redirects_off_site(site) -> None:
    response = _login(site["client"], next_url="?next=//evil.example/")
    assert response.headers["Location"] == "/review/"


def test_forms_without_csrf_token_are_refused(site) -> None:
    client = site["client"]
    client.get("/review/login")
    refused = client.post("/review/login", data={"email": "reviewer@acme.test", "password": PASSWORD})
    assert refused.status_code == 400
    _login(client)
    refused = client.post(
        f"/review/applicants/{site['ids']['match']}/decisions",
        data={"decision": "escalate", "reason": "x", "csrf_token": "forged"},
    )
    assert refused.status_code == 400


def test_secure_headers(site) -> None:
    headers = site["client"].get("/review/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_queue_is_highest_risk_first(site) -> None:
    client = site["client"]
    _login(client)
    page = client.get("/review/").data.decode()
    assert page.index("Alex Turner") < page.index("Lee Jeong-cheol")
    assert "Maria Lopez" not in page  # clear: nothing to review
    assert "High risk" in page  # the level is written out, not only coloured
    # A risk filter looks at everyone, as a search does: the clear applicant is found both ways.
    assert "Maria Lopez" in client.get("/review/?risk=clear").data.decode()
    assert "Maria Lopez" in client.get("/review/?q=maria").data.decode()
    empty = client.get("/review/?view=decided").data.decode()
    assert "No decided applicants" in empty and "Look in all applicants" in empty


def test_detail_aligns_names_and_links_flags(site) -> None:
    client, ids = site["client"], site["ids"]
    _login(client)
    match = client.get(f"/review/applicants/{ids['match']}").data.decode()
    assert re.search(r"<td>RI</td><td>Lee</td>", match)
    assert "DPRK3" in match and "Details.aspx?id=36542" in match
    ring = client.get(f"/review/applicants/{ids['ring']}").data.decode()
    assert f'href="/review/applicants/{ids["linked"]}"' in ring and "+14155550100" in ring
    assert client.get(f"/review/applicants/{site['other']['match']}").status_code == 404  # other tenant


def test_false_positive_from_the_page(site) -> None:
    client, ids = site["client"], site["ids"]
    _login(client)
    page = client.get(f"/review/applicants/{ids['match']}").data
    response = client.post(
        f"/review/applicants/{ids['match']}/decisions",
        data={
            "decision": "false_positive",
            "reason": "different date of birth",
            "hit_key": review.hit_key(sanctions_hit()),
            "kind": "name",
            "csrf_token": _csrf(page),
        },
        follow_redirects=True,
    )
    text = response.data.decode()
    assert "Recorded: not this person. The applicant is now decided." in text
    assert '<dd id="review-status">decided</dd>' in text and "different date of birth" in text


def test_rescreen_page_is_for_admins_and_tracks_a_job(site) -> None:
    client = site["client"]
    _login(client)
    assert client.get("/review/rescreen").status_code == 403
    _login(client, email="admin@acme.test")
    page = client.get("/review/rescreen")
    assert b"Start a re-screen" in page.data
    started = client.post("/review/rescreen", data={"csrf_token": _csrf(page.data)}, follow_redirects=True)
    text = started.data.decode()
    assert "Re-screen job" in text
    job_id = int(re.search(r"Re-screen job (\d+) started", text).group(1))
    assert '<progress id="job-progress"' in text and 'http-equiv="refresh"' in text  # works without JS
    with site["engine"].begin() as conn:
        conn.execute(jobs.rescreen_jobs.update().values(total=40, done=10, failed=2, paging_done=True))
    progress = client.get(f"/review/rescreen/{job_id}.json").json
    assert (progress["done"], progress["failed"], progress["total"]) == (10, 2, 40)
    assert client.get(f"/review/rescreen/{site['other_job']}.json").status_code == 404  # other tenant
    cancelled = client.post(
        f"/review/rescreen/{job_id}/cancel", data={"csrf_token": _csrf(started.data)}, follow_redirects=True
    )
    assert f"Re-screen job {job_id} is cancelled" in cancelled.data.decode()
    # The finished job's summary counts the verdicts it changed: one of the two it screened.
    from store.tables import screenings

    with site["engine"].begin() as conn:
        for applicant_id, risk in ((site["ids"]["match"], "clear"), (site["ids"]["ring"], "high")):
            conn.execute(
                screenings.insert().values(
                    installation_id="acme", applicant_id=applicant_id, trigger=f"rescreen:{job_id}",
                    risk=risk, score=0, result={}, list_versions={},
                )
            )  # fmt: skip
    summary = client.get("/review/rescreen").data.decode()
    assert f"Job {job_id} cancelled: 10 re-screened, 1 verdict changed, 2 failed." in summary


def test_lists_page_shows_versions_and_last_diff(site) -> None:
    client = site["client"]
    _login(client)
    assert "No lists imported yet" in client.get("/review/lists").data.decode()
    first, second = two_list_versions(site["tmp"] / "lists", site["tmp"])
    page = client.get("/review/lists").data.decode()
    assert first in page and second in page
    assert "ofac_sdn: 0 added, 1 removed, 0 changed" in page


def test_detail_shows_the_list_entrys_identifiers_and_dates(site) -> None:
    from screening.models import Risk
    from tests.review_helpers import add_screened_applicant

    two_list_versions(site["tmp"] / "lists", site["tmp"])
    with site["engine"].begin() as conn:
        kim = add_screened_applicant(
            conn,
            "acme",
            "acme-c9",
            "Kim Sang-man",
            Risk.MEDIUM,
            hits=[sanctions_hit("43377", "KIM, Sang Man")],
        )
    client = site["client"]
    _login(client)
    page = client.get(f"/review/applicants/{kim}").data.decode()
    assert "Passport: 109420132" in page and "1965-04-25" in page
    assert "(applicant: not given)" in page


def test_rescreen_page_says_a_v1_greenhouse_installation_needs_v3_credentials(site) -> None:
    with site["engine"].begin() as conn:  # acme as an older HireWatch stored it: a Harvest API key only
        retired = {"api_key_enc": b"retired", "client_id": None, "client_secret_enc": None}
        conn.execute(installations.update().where(installations.c.id == "acme").values(**retired))
    client = site["client"]
    _login(client, email="admin@acme.test")
    page = client.get("/review/rescreen")
    assert (
        "needs Harvest v3 credentials: run hirewatch installations set-credentials acme" in page.data.decode()
    )
    refused = client.post("/review/rescreen", data={"csrf_token": _csrf(page.data)}, follow_redirects=True)
    assert "Not started: this installation needs Harvest v3 credentials" in refused.data.decode()


def test_audit_trail_page_filters_and_exports_only_this_tenant(site) -> None:
    client = site["client"]
    with site["engine"].begin() as conn:
        review.add_user(conn, "globex", "spy@globex.test", PASSWORD, review.Scope.REVIEWER)
    _login(client)
    page = client.get("/review/audit?action=user.add").data.decode()
    assert "reviewer@acme.test" in page and "admin@acme.test" in page and "spy@globex.test" not in page
    assert "No audit entries match." in client.get("/review/audit?actor=nobody").data.decode()
    exported = client.get("/review/audit.csv?action=user.add")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.data.decode())))
    assert {row["subject"] for row in rows} == {"reviewer@acme.test", "admin@acme.test"}


@responses.activate
def test_installation_page_is_for_admins_and_gives_the_webhook_url(site) -> None:
    # The check: a token, then one page of candidates (harvestdocs.greenhouse.io /docs/authentication)
    responses.post("https://auth.greenhouse.io/token", json={"access_token": "t-1", "expires_in": 3600})
    responses.get("https://harvest.greenhouse.io/v3/candidates", json=[])
    client = site["client"]
    _login(client)
    assert client.get("/review/installation").status_code == 403
    _login(client, email="admin@acme.test")
    page = client.get("/review/installation").data.decode()
    assert 'value="http://hirewatch.test/webhooks/greenhouse/acme"' in page and "Last delivery" in page
    checked = client.post(
        "/review/installation/check", data={"csrf_token": _csrf(page.encode())}, follow_redirects=True
    ).data.decode()
    assert "Connection works: authenticated and read one page of candidates." in checked
    with site["engine"].connect() as conn:
        actions = conn.execute(select(audit_log.c.action).where(audit_log.c.installation_id == "acme"))
        assert "installation.check" in actions.scalars().all()


def test_every_unknown_path_gets_the_branded_page_and_root_goes_to_the_queue(site) -> None:
    client = site["client"]
    assert client.get("/").headers["Location"].endswith("/review/")
    for path in ("/nope", "/review/nope", "/review/applicants/abc"):
        answer = client.get(path)
        assert answer.status_code == 404 and b"HireWatch" in answer.data and b"404: Not Found" in answer.data
    assert client.get("/api/v1/nope").is_json  # the API keeps its JSON errors
