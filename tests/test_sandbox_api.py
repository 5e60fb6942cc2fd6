"""The sandbox ATS speaks the Greenhouse Harvest v1 subset HireWatch uses."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from integration.sandbox.seed import synthetic_candidates
from integration.sandbox.server import create_sandbox_app
from integration.sandbox.state import SandboxState
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body

AUTH = {"Authorization": "Basic " + base64.b64encode(b"sandbox-key:").decode()}
WRITE = {**AUTH, "On-Behalf-Of": "4080"}


@pytest.fixture
def state() -> SandboxState:
    state = SandboxState(rate_limit=1000)
    for fields in synthetic_candidates(7, seed=1):
        state.add_candidate(fields)
    return state


@pytest.fixture
def client(state):
    return create_sandbox_app(state).test_client()


def test_seeding_is_reproducible() -> None:
    assert synthetic_candidates(5, seed=3) == synthetic_candidates(5, seed=3)
    assert synthetic_candidates(5, seed=3) != synthetic_candidates(5, seed=4)


def test_wrong_or_missing_key_is_401(client) -> None:
    assert client.get("/v1/candidates").status_code == 401
    bad = {"Authorization": "Basic " + base64.b64encode(b"other:").decode()}
    assert client.get("/v1/candidates", headers=bad).status_code == 401


def test_candidates_are_paged_with_link_headers(client) -> None:
    seen, url = [], "/v1/candidates?per_page=3"
    while url:
        response = client.get(url, headers=AUTH)
        assert response.status_code == 200
        seen += [c["id"] for c in response.json]
        links = dict(
            (part.split('rel="')[1].rstrip('"'), part.split(">")[0].lstrip("<"))
            for part in response.headers.get("Link", "").split(", ")
            if part
        )
        assert "last" in links
        url = links.get("next", "").replace("http://localhost", "")
    assert seen == sorted(seen) and len(seen) == 7


def test_skip_count_drops_last_link_and_per_page_is_bounded(client) -> None:
    response = client.get("/v1/candidates?per_page=3&skip_count=true", headers=AUTH)
    assert 'rel="next"' in response.headers["Link"] and 'rel="last"' not in response.headers["Link"]
    assert client.get("/v1/candidates?per_page=501", headers=AUTH).status_code == 422


def test_tag_get_or_create_apply_and_remove(client, state) -> None:
    candidate_id = min(state.candidates)
    created = client.post("/v1/tags/candidate", json={"name": "HireWatch: high risk"}, headers=WRITE)
    again = client.post("/v1/tags/candidate", json={"name": "hirewatch: HIGH risk"}, headers=WRITE)
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json["id"] == again.json["id"]
    tag_id = created.json["id"]
    assert client.put(f"/v1/candidates/{candidate_id}/tags/{tag_id}", headers=AUTH).status_code == 403
    assert client.put(f"/v1/candidates/{candidate_id}/tags/{tag_id}", headers=WRITE).status_code == 200
    assert client.get(f"/v1/candidates/{candidate_id}", headers=AUTH).json["tags"] == ["HireWatch: high risk"]
    assert client.delete(f"/v1/candidates/{candidate_id}/tags/{tag_id}", headers=WRITE).status_code == 200
    assert client.get(f"/v1/candidates/{candidate_id}/tags", headers=AUTH).json == []


def test_note_needs_on_behalf_of_and_every_field(client, state) -> None:
    candidate_id = min(state.candidates)
    url = f"/v1/candidates/{candidate_id}/activity_feed/notes"
    note = {"user_id": 4080, "body": "Potential sanctions match", "visibility": "private"}
    assert client.post(url, json=note, headers=AUTH).status_code == 403
    invalid = client.post(url, json={"body": "x", "visibility": "everyone"}, headers=WRITE)
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json["errors"]} == {"user_id", "visibility"}
    assert client.post(url, json=note, headers=WRITE).status_code == 201
    notes = client.get(f"/_sandbox/candidates/{candidate_id}/writebacks").json["notes"]
    assert [n["body"] for n in notes] == ["Potential sanctions match"]


def test_activity_feed_lists_the_candidates_notes(client, state) -> None:
    candidate_id = min(state.candidates)
    note = {"user_id": 4080, "body": "Potential sanctions match", "visibility": "public"}
    client.post(f"/v1/candidates/{candidate_id}/activity_feed/notes", json=note, headers=WRITE)
    feed = client.get(f"/v1/candidates/{candidate_id}/activity_feed", headers=AUTH).json
    assert [(n["body"], n["visibility"]) for n in feed["notes"]] == [("Potential sanctions match", "public")]
    assert feed["emails"] == feed["activities"] == []
    assert client.get("/v1/candidates/1/activity_feed", headers=AUTH).status_code == 404


def test_hold_fault_stores_the_note_then_holds_the_answer(client, state) -> None:
    candidate_id = min(state.candidates)
    fault = {"status": 200, "hold": 0.5, "method": "POST", "path_contains": "/activity_feed/notes"}
    client.post("/_sandbox/faults", json=fault)
    note = {"user_id": 4080, "body": "Potential sanctions match", "visibility": "public"}
    url = f"/v1/candidates/{candidate_id}/activity_feed/notes"
    answers: list[int] = []
    poster = threading.Thread(
        target=lambda: answers.append(client.post(url, json=note, headers=WRITE).status_code)
    )
    started = time.monotonic()
    poster.start()
    while not state.notes.get(candidate_id) and time.monotonic() - started < 2:
        time.sleep(0.01)
    assert state.notes[candidate_id] and answers == []  # stored, the caller not told yet
    poster.join()
    assert answers == [201] and time.monotonic() - started >= 0.5


def test_over_budget_gets_429_with_retry_after(state) -> None:
    state.rate_limit = 3
    client = create_sandbox_app(state).test_client()
    remaining = [
        client.get("/v1/candidates", headers=AUTH).headers["X-RateLimit-Remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited = client.get("/v1/candidates", headers=AUTH)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert limited.headers["X-RateLimit-Reset"].isdigit()


def test_injected_faults_answer_then_clear(client, state) -> None:
    client.post("/_sandbox/faults", json={"status": 500, "count": 2, "method": "GET"})
    statuses = [
        client.get(f"/v1/candidates/{min(state.candidates)}", headers=AUTH).status_code for _ in range(3)
    ]
    assert statuses == [500, 500, 200]
    client.post("/_sandbox/faults", json={"status": 429, "retry_after": 2})
    limited = client.get("/v1/candidates", headers=AUTH)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "2")


def test_webhook_body_is_escaped_like_greenhouse(state) -> None:
    candidate = state.render_candidate(min(state.candidates))
    candidate["first_name"] = "<Zoë & co>"
    raw = encode_like_greenhouse(webhook_body("new_candidate_application", candidate))
    assert b"<" not in raw and b"&" not in raw and raw.isascii()
    parsed = json.loads(raw)
    assert parsed["action"] == "new_candidate_application"
    assert parsed["payload"]["application"]["candidate"]["first_name"] == "<Zoë & co>"
    with pytest.raises(ValueError, match="cannot send"):
        webhook_body("merge_candidate", candidate)


def test_delay_fault_slows_then_serves(client, state) -> None:
    client.post("/_sandbox/faults", json={"status": 200, "delay": 0.3, "path_contains": "/candidates/"})
    started = time.monotonic()
    response = client.get(f"/v1/candidates/{min(state.candidates)}", headers=AUTH)
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_writebacks_are_a_page_for_a_browser_and_json_for_a_script(client, state) -> None:
    candidate = state.add_candidate({"first_name": "Alex", "last_name": "Morgan"})
    tag, _ = state.get_or_create_tag("HireWatch: critical risk")
    state.apply_tag(candidate["id"], tag["id"])
    state.add_note(candidate["id"], 4080, "HireWatch screening: critical risk.\n- <listed e-mail>", "private")

    page = client.get("/_sandbox/writebacks", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    html = page.data.decode()
    assert f'id="candidate-{candidate["id"]}"' in html and "Alex Morgan" in html
    assert "HireWatch: critical risk" in html and "&lt;listed e-mail&gt;" in html  # escaped
    as_json = client.get("/_sandbox/writebacks").json  # a script (Accept: */*) gets the JSON
    assert as_json == [state.writebacks(candidate["id"])]
    assert client.get("/_sandbox/writebacks?format=json", headers={"Accept": "text/html"}).is_json
