"""The admin API refuses API URLs off the platform's hosts and credentials that fail a test call."""

from __future__ import annotations

import pytest
import responses
from sqlalchemy import select

from store import review
from store.db import make_engine
from store.installations import create_installation, find_installation, update_installation
from store.secretbox import SecretBox
from store.tables import audit_log
from tests.review_helpers import add_missing_in_ats, bearer, make_app, tenant_with_queue

SECRET_KEY = "test-secret-key"  # make_app's
HARVEST = "https://harvest.greenhouse.io/v3"  # Harvest's documented base (harvestdocs.greenhouse.io)
TOKEN_URL = "https://auth.greenhouse.io/token"  # https://harvestdocs.greenhouse.io/docs/authentication
V3 = {"client_id": "c", "client_secret": "s", "on_behalf_of": "4080"}


@pytest.fixture
def api(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        tenant_with_queue(conn, "acme")
        _, admin = review.create_token(conn, "acme", review.Scope.ADMIN)
    # Even with the operator allowing loopback URLs, the tenant API may not use them.
    app = make_app(sqlite_url, tmp_path, allow_api_urls=("http://127.0.0.1:6379/",))
    return app.test_client(), bearer(admin), engine


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379",
        "http://[::1]:8080/v1",
        "https://169.254.169.254/v1",
        "https://evil.example/v1",
    ],
)
def test_tenant_api_urls_off_the_platforms_hosts_are_refused(api, url: str) -> None:
    client, auth, engine = api
    with engine.begin() as conn:
        operator = bearer(review.create_operator_token(conn)[1])
    body = {"platform": "greenhouse", "name": "X", "api_base_url": url, **V3}
    created = client.post("/api/v1/installations", headers=operator, json=body)
    assert created.status_code == 422 and "api_base_url" in created.json["fields"]
    assert "HIREWATCH_ALLOW_API_URLS is for the CLI only" in created.json["reason"]  # no dead end
    patched = client.patch("/api/v1/installations/acme", headers=auth, json={"api_base_url": url})
    assert patched.status_code == 422 and "api_base_url" in patched.json["fields"]
    with engine.connect() as conn:
        assert find_installation(conn, SecretBox(SECRET_KEY), "acme").api_base_url is None


@responses.activate
def test_credentials_that_fail_the_test_call_are_not_stored(api) -> None:
    client, auth, engine = api
    responses.post(TOKEN_URL, status=401, json={"error": "invalid_client", "detail": "Invalid client secret"})
    refused = client.patch("/api/v1/installations/acme", headers=auth, json={**V3, "client_secret": "bad"})
    assert refused.status_code == 422 and refused.json["error"] == "bad_credentials"
    assert "Invalid client secret" not in refused.json["reason"]  # no vendor body in what the tenant sees
    with engine.connect() as conn:
        assert find_installation(conn, SecretBox(SECRET_KEY), "acme").client_secret == "client-secret"

    responses.replace(responses.POST, TOKEN_URL, json={"access_token": "t-good", "expires_in": 3600})
    responses.get(f"{HARVEST}/candidates", json=[])
    accepted = client.patch("/api/v1/installations/acme", headers=auth, json={**V3, "client_secret": "good"})
    assert accepted.status_code == 200
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer t-good"


@responses.activate
def test_check_endpoint_says_what_is_wrong_and_health_is_shown(api) -> None:
    client, auth, engine = api
    with engine.begin() as conn:
        update_installation(conn, SecretBox(SECRET_KEY), "acme", client_secret="another-secret")
    add_missing_in_ats(engine, "acme", 1)
    shown = client.get("/api/v1/installations/acme", headers=auth).json
    assert shown["missing_in_ats_in_a_row"] == 1 and "404" in shown["warning"]

    responses.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.get(f"{HARVEST}/candidates", status=403, json={"message": "Forbidden"})
    checked = client.post("/api/v1/installations/acme/check", headers=auth)
    assert checked.status_code == 200
    assert checked.json["ok"] is False and checked.json["problem"] == "missing_permission"
    assert "harvest:candidates:list" in checked.json["message"]
    with engine.connect() as conn:
        assert "installation.check" in conn.execute(select(audit_log.c.action)).scalars().all()


@responses.activate
def test_a_setting_that_moves_the_api_is_checked_like_a_url(sqlite_url, tmp_path) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        workable = create_installation(
            conn, SecretBox(SECRET_KEY), platform="workable", name="W", api_key="t"
        )
        _, admin = review.create_token(conn, workable.id, review.Scope.ADMIN)
    client, auth = make_app(sqlite_url, tmp_path).test_client(), bearer(admin)
    settings_url = f"/api/v1/installations/{workable.id}/settings"
    for subdomain in ("169.254.169.254#", "evil.example/x?"):
        refused = client.patch(settings_url, headers=auth, json={"settings": {"subdomain": subdomain}})
        assert refused.status_code == 422, subdomain
    assert "subdomain" not in client.get(settings_url, headers=auth).json["settings"]  # rolled back
    # Workable's SPI v3 candidates list, one page (workable.readme.io/reference/candidates)
    responses.get("https://acme.workable.com/spi/v3/candidates", json={"candidates": [], "paging": {}})
    moved = client.patch(settings_url, headers=auth, json={"settings": {"subdomain": "acme"}})
    assert moved.status_code == 200 and moved.json["settings"]["subdomain"] == "acme"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer t"
