"""The sandbox ATS speaks the Greenhouse Harvest v3 subset HireWatch uses, token endpoint included."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from integration.sandbox.seed import synthetic_candidates
from integration.sandbox.server import create_sandbox_app
from integration.sandbox.state import CLIENT_ID, CLIENT_SECRET, SandboxState
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body

CLIENT_AUTH = {"Authorization": "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()}
TOKEN_FORM = {"grant_type": "client_credentials", "sub": "4080"}


@pytest.fixture
def state() -> SandboxState:
    state = SandboxState(rate_limit=1000)
    for fields in synthetic_candidates(7, seed=1):
        state.add_candidate(fields)
    return state


@pytest.fixture
def client(state):
    return create_sandbox_app(state).test_client()


@pytest.fixture
def auth(client) -> dict[str, str]:
    token = client.post("/token", data=TOKEN_FORM, headers=CLIENT_AUTH).json["access_token"]
    return {"Authorization": f"Bearer {token}"}


def links(response) -> dict[str, str]:
    return {
        part.split('rel="')[1].rstrip('"'): part.split(">")[0].lstrip("<").replace("http://localhost", "")
        for part in response.headers.get("Link", "").split(", ")
        if part
    }


def test_seeding_is_reproducible() -> None:
    assert synthetic_candidates(5, seed=3) == synthetic_candidates(5, seed=3)
    assert synthetic_candidates(5, seed=3) != synthetic_candidates(5, seed=4)


def test_token_needs_the_client_credentials_a_grant_and_a_numeric_user(client) -> None:
    wrong = {"Authorization": "Basic " + base64.b64encode(b"sandbox-client:nope").decode()}
    assert client.post("/token", data=TOKEN_FORM, headers=wrong).status_code == 401
    assert (
        client.post("/token", data={**TOKEN_FORM, "grant_type": "password"}, headers=CLIENT_AUTH).status_code
        == 400
    )
    assert client.post("/token", data={**TOKEN_FORM, "sub": "hana"}, headers=CLIENT_AUTH).status_code == 400
    answer = client.post("/token", data=TOKEN_FORM, headers=CLIENT_AUTH).json
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 3600


def test_api_wants_a_live_bearer_token(client, state, auth) -> None:
    assert client.get("/v3/candidates").status_code == 401
    assert client.get("/v3/candidates", headers={"Authorization": "Bearer made-up"}).status_code == 401
    assert client.get("/v3/candidates", headers=auth).status_code == 200
    state.token_ttl = 0.05
    short = client.post("/token", data=TOKEN_FORM, headers=CLIENT_AUTH).json["access_token"]
    time.sleep(0.1)
    assert client.get("/v3/candidates", headers={"Authorization": f"Bearer {short}"}).status_code == 401
    client.post("/_sandbox/tokens/revoke")
    assert client.get("/v3/candidates", headers=auth).status_code == 401


def test_candidates_are_paged_by_cursor_with_only_a_next_link(client, auth) -> None:
    seen, url = [], "/v3/candidates?per_page=3"
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        seen += [c["id"] for c in response.json]
        assert set(links(response)) <= {"next"}  # v3 sends neither prev nor last
        url = links(response).get("next")
        assert url is None or ("?cursor=" in url and "&" not in url)  # the cursor alone
    assert seen == sorted(seen) and len(seen) == 7


def test_what_v3_refuses_is_422(client, auth) -> None:
    second_page = links(client.get("/v3/candidates?per_page=3", headers=auth))["next"]
    assert client.get(f"{second_page}&per_page=3", headers=auth).status_code == 422  # cursor not alone
    assert client.get("/v3/candidates?page=2", headers=auth).status_code == 422  # v1's page parameter
    assert client.get("/v3/candidates?skip_count=true", headers=auth).status_code == 422
    assert client.get("/v3/candidates?per_page=501", headers=auth).status_code == 422
    assert client.get("/v3/candidates?ids=abc", headers=auth).status_code == 422
    unknown_field = client.post(
        "/v3/notes", json={"candidate_id": 1, "body": "x", "user_id": 4080}, headers=auth
    )
    assert unknown_field.status_code == 422
    assert {e["field"] for e in unknown_field.json["errors"]} == {"user_id"}


def test_a_candidate_is_read_by_ids_with_raw_and_keyed_custom_fields(client, state, auth) -> None:
    custom = {"desired_salary": {"name": "Desired Salary", "type": "short_text", "value": "1000000000"}}
    created = state.add_candidate({"first_name": "Zoë", "last_name": "Ōta", "custom_fields": custom})
    rows = client.get(f"/v3/candidates?ids={created['id']}", headers=auth).json
    assert [r["first_name"] for r in rows] == ["Zoë"]
    assert rows[0]["custom_fields"] == {"desired_salary": "1000000000"}
    assert rows[0]["keyed_custom_fields"] == custom
    assert state.render_candidate(created["id"])["custom_fields"] == custom  # webhooks carry the objects


def test_tags_are_org_tags_applied_by_rows(client, state, auth) -> None:
    candidate_id = min(state.candidates)
    created = client.post("/v3/candidate_tags", json={"name": "HireWatch: high risk"}, headers=auth)
    assert created.status_code == 201
    assert (
        client.post("/v3/candidate_tags", json={"name": "hirewatch: HIGH risk"}, headers=auth).status_code
        == 422
    )
    apply = {"candidate_id": candidate_id, "candidate_tag_id": created.json["id"]}
    row = client.post("/v3/applied_candidate_tags", json=apply, headers=auth)
    assert row.status_code == 201
    assert client.post("/v3/applied_candidate_tags", json=apply, headers=auth).status_code == 422  # twice
    assert state.writebacks(candidate_id)["tags"] == ["HireWatch: high risk"]
    applied = client.get(f"/v3/applied_candidate_tags?candidate_ids={candidate_id}", headers=auth).json
    assert applied == [row.json]
    assert client.delete(f"/v3/applied_candidate_tags/{row.json['id']}", headers=auth).status_code == 204
    assert state.writebacks(candidate_id)["tags"] == []


def test_notes_are_written_as_the_token_user_and_read_back(client, state, auth) -> None:
    candidate_id = min(state.candidates)
    note = {"candidate_id": candidate_id, "body": "Potential sanctions match", "visibility": "private"}
    invalid = client.post("/v3/notes", json={**note, "visibility": "everyone"}, headers=auth)
    assert invalid.status_code == 422
    assert client.post("/v3/notes", json=note, headers=auth).status_code == 201
    rows = client.get(f"/v3/notes?candidate_ids={candidate_id}", headers=auth).json
    assert [(n["body"], n["user_id"]) for n in rows] == [("Potential sanctions match", 4080)]


def test_hold_fault_stores_the_note_then_holds_the_answer(client, state, auth) -> None:
    candidate_id = min(state.candidates)
    client.post(
        "/_sandbox/faults", json={"status": 200, "hold": 0.5, "method": "POST", "path_contains": "/v3/notes"}
    )
    note = {"candidate_id": candidate_id, "body": "Potential sanctions match"}
    answers: list[int] = []
    poster = threading.Thread(
        target=lambda: answers.append(client.post("/v3/notes", json=note, headers=auth).status_code)
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
    token = client.post("/token", data=TOKEN_FORM, headers=CLIENT_AUTH).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    remaining = [
        client.get("/v3/candidates", headers=auth).headers["X-RateLimit-Remaining"] for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited = client.get("/v3/candidates", headers=auth)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert limited.headers["X-RateLimit-Reset"].isdigit()


def test_injected_faults_answer_then_clear(client, state, auth) -> None:
    client.post("/_sandbox/faults", json={"status": 500, "count": 2, "method": "GET"})
    statuses = [
        client.get(f"/v3/candidates?ids={min(state.candidates)}", headers=auth).status_code for _ in range(3)
    ]
    assert statuses == [500, 500, 200]
    client.post("/_sandbox/faults", json={"status": 429, "retry_after": 2})
    limited = client.get("/v3/candidates", headers=auth)
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


def test_delay_fault_slows_then_serves(client, state, auth) -> None:
    client.post("/_sandbox/faults", json={"status": 200, "delay": 0.3, "path_contains": "/v3/candidates"})
    started = time.monotonic()
    response = client.get(f"/v3/candidates?ids={min(state.candidates)}", headers=auth)
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
