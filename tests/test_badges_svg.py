from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from integration.badges import badge_url, mint_badge_token
from store.db import make_engine
from tests.review_helpers import make_app, tenant_with_queue

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def app_and_ids(sqlite_url, tmp_path):
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
    return make_app(sqlite_url, tmp_path), ids


def test_badge_renders_current_risk_accessibly_without_personal_data(app_and_ids) -> None:
    app, ids = app_and_ids
    url = badge_url(app.config["HIREWATCH"], "acme", ids["ring"])
    assert "Alex" not in url and "acme-c2" not in url
    response = app.test_client().get(url.removeprefix("http://hirewatch.test"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = ET.fromstring(response.data)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "HireWatch: high risk"
    assert "high risk" in [t.text for t in svg.iter(f"{SVG}text")]  # the level is written, not only coloured
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_tampered_badge_is_404_and_expired_is_410(app_and_ids) -> None:
    app, ids = app_and_ids
    client = app.test_client()
    token = mint_badge_token(app.config["HIREWATCH"], "acme", ids["ring"])
    forged = client.get(f"/badges/{token[:-2]}xx.svg")
    assert forged.status_code == 404 and b"invalid link" in forged.data
    assert client.get("/badges/not-a-token.svg").status_code == 404


def test_expired_badge_is_410(sqlite_url, tmp_path) -> None:
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
    app = make_app(sqlite_url, tmp_path, badge_ttl_seconds=0)
    token = mint_badge_token(app.config["HIREWATCH"], "acme", ids["ring"])
    time.sleep(1.1)
    expired = app.test_client().get(f"/badges/{token}.svg")
    assert expired.status_code == 410 and b"link expired" in expired.data
    assert expired.headers["Cache-Control"] == "no-store"


def test_badge_from_another_key_is_rejected(app_and_ids, tmp_path, sqlite_url) -> None:
    app, ids = app_and_ids
    other = make_app(sqlite_url, tmp_path, secret_key="another-deployment")
    token = mint_badge_token(other.config["HIREWATCH"], "acme", ids["ring"])
    assert app.test_client().get(f"/badges/{token}.svg").status_code == 404
