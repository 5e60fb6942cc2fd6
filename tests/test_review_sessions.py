"""Sign-in on the real app and database: the throttle holds under parallel guessing, and a
session cookie dies with logout (and with its user's removal or disabling)."""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug import security

from store import review
from store.db import make_engine
from tests.review_helpers import make_app, tenant_with_queue

PASSWORD = "correct horse battery staple"
EMAIL = "reviewer@acme.test"


@pytest.fixture
def app(db_url, tmp_path):
    with make_engine(db_url).begin() as conn:
        tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", EMAIL, PASSWORD, review.Scope.REVIEWER)
    return make_app(db_url, tmp_path)


def _csrf(client) -> str:
    page = client.get("/review/login").data
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def _login(client, password: str = PASSWORD):
    return client.post(
        "/review/login", data={"email": EMAIL, "password": password, "csrf_token": _csrf(client)}
    )


def test_forty_parallel_guesses_get_at_most_five_password_checks(app, monkeypatch) -> None:
    checks, lock = [], threading.Lock()
    real_check = security.check_password_hash

    def counted(stored: str, password: str) -> bool:
        with lock:
            checks.append(password)
        return real_check(stored, password)

    monkeypatch.setattr(review, "check_password_hash", counted)
    clients = [app.test_client() for _ in range(40)]
    tokens = [_csrf(client) for client in clients]
    start, statuses = threading.Barrier(len(clients)), []

    def guess(client, token: str) -> None:
        start.wait()
        response = client.post(
            "/review/login", data={"email": EMAIL, "password": "guess", "csrf_token": token}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(checks) <= review.MAX_FAILURES_PER_EMAIL, len(checks)
    assert statuses.count(401) == len(checks) and statuses.count(429) == 40 - len(checks)


def _stolen_cookie_works(app, cookie: str) -> bool:
    thief = app.test_client()
    thief.set_cookie("hirewatch_session", cookie)
    return thief.get("/review/").status_code == 200


def test_a_session_cookie_is_dead_after_logout(app) -> None:
    client = app.test_client()
    assert _login(client).status_code == 302
    cookie = client.get_cookie("hirewatch_session").value
    assert _stolen_cookie_works(app, cookie)
    assert client.post("/review/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    assert not _stolen_cookie_works(app, cookie)
    assert _login(client).status_code == 302 and client.get("/review/").status_code == 200  # a new one works
