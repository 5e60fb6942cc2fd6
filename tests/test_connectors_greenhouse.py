"""Greenhouse Harvest v3 beyond the shared contract: the token's life, v1 installations, the
custom-field shapes of Greenhouse's documented examples, Unicode."""

from __future__ import annotations

import base64
import copy
import json
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import redis
import responses

from connectors.base import AccessToken, ConnectorAbort, Installation, MemoryTokenCache, parse_token
from connectors.greenhouse import Greenhouse
from store.secretbox import SecretBox
from tasks.tokens import RedisTokenCache
from tests.conftest import private_redis_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "greenhouse"
API = "https://ats.test/v3"
TOKEN_URL = "https://auth.test/token"
CLIENT = {
    "client_id": "client-1",
    "client_secret": "secret-1",
    "on_behalf_of": "4080",
    "token_url": TOKEN_URL,
}


def connector(tokens: MemoryTokenCache | None = None, **kw) -> Greenhouse:
    installation = Installation(id="gh-1", platform="greenhouse", api_base_url=API, **{**CLIENT, **kw})
    allowed = (API, TOKEN_URL)  # the stand-ins, as an operator would allow them
    return Greenhouse(
        installation, sleep=lambda _s: None, tokens=tokens or MemoryTokenCache(), allowed_urls=allowed
    )


def jwt(exp: float) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"sub": "4080", "exp": int(exp)}).encode()).decode()
    return f"eyJhbGciOiJub25lIn0.{claims.rstrip('=')}.sig"


@responses.activate
def test_the_token_is_bought_with_basic_client_credentials_and_the_user_as_sub():
    responses.post(TOKEN_URL, json={"access_token": "t-1", "token_type": "Bearer", "expires_in": 3600})
    responses.get(f"{API}/notes", json=[])
    list(connector().note_texts("1"))
    token_call, api_call = responses.calls
    expected = "Basic " + base64.b64encode(b"client-1:secret-1").decode()
    assert token_call.request.headers["Authorization"] == expected
    assert parse_qs(token_call.request.body) == {"grant_type": ["client_credentials"], "sub": ["4080"]}
    assert api_call.request.headers["Authorization"] == "Bearer t-1"
    assert "On-Behalf-Of" not in api_call.request.headers  # v3: the acting user is the token's sub


@responses.activate
def test_one_token_serves_every_connector_sharing_the_cache_until_it_is_due():
    tokens = MemoryTokenCache()
    responses.post(TOKEN_URL, json={"access_token": "t-1", "expires_in": 3600})
    responses.get(f"{API}/notes", json=[])
    for _ in range(3):  # three tasks, three connectors, one token
        list(connector(tokens).note_texts("1"))
    assert [c.request.url for c in responses.calls].count(TOKEN_URL) == 1
    key = connector(tokens).token_key()
    tokens.put(key, AccessToken("t-old", time.time() + 30, renew_at=time.time() - 1))  # due now
    responses.post(TOKEN_URL, json={"access_token": "t-2", "expires_in": 3600})
    list(connector(tokens).note_texts("1"))
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer t-2"


@responses.activate
def test_a_401_renews_the_token_once_and_the_call_goes_through():
    tokens = MemoryTokenCache()
    gh = connector(tokens)
    tokens.put(gh.token_key(), AccessToken("revoked", time.time() + 3600))
    responses.get(f"{API}/notes", status=401, json={"message": "token revoked"})
    responses.post(TOKEN_URL, json={"access_token": "t-new", "expires_in": 3600})
    responses.get(f"{API}/notes", json=[{"id": 1, "body": "hello"}])
    assert list(gh.note_texts("1")) == ["hello"]
    assert responses.calls[2].request.headers["Authorization"] == "Bearer t-new"


@responses.activate
def test_refused_client_credentials_abort_the_installation_with_what_to_check():
    responses.post(TOKEN_URL, status=401, json={"error": "invalid_client"})
    with pytest.raises(ConnectorAbort) as caught:
        list(connector().note_texts("1"))
    assert caught.value.reason == "token_refused" and "client id, secret" in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "lifetime"),
    [
        ({"expires_in": 120}, 120),
        ({"expires_at": "2999-01-01T00:00:00Z"}, None),  # far away: only its sign matters here
        ({}, "jwt"),
        ({"access_token": "opaque"}, 300),  # nothing said: assumed short
    ],
)
def test_the_token_lifetime_is_read_from_whatever_the_answer_gives(answer, lifetime):
    now = time.time()
    token = parse_token({"access_token": jwt(now + 900), **answer})
    if lifetime == "jwt":
        assert token.expires_at == pytest.approx(now + 900, abs=2)
    elif lifetime is None:
        assert token.expires_at > now + 10**6
    else:
        assert token.expires_at == pytest.approx(now + lifetime, abs=2)
    assert now < token.renew_at < token.expires_at


@responses.activate
def test_a_v1_installation_is_never_called_with_its_dead_key():
    v1 = Installation(
        id="old", platform="greenhouse", api_key="v1-key", on_behalf_of="4080", api_base_url=API
    )
    with pytest.raises(ConnectorAbort) as caught:
        Greenhouse(v1)
    assert caught.value.reason == "needs_credentials" and "needs Harvest v3 credentials" in str(caught.value)
    assert len(responses.calls) == 0
    assert Greenhouse.credentials_problem(Installation(id="x", platform="greenhouse", **CLIENT)) is None
    assert Greenhouse.credentials_problem(
        Installation(id="x", platform="greenhouse", **{**CLIENT, "on_behalf_of": "hana"})
    )


def test_tokens_shared_through_redis_are_encrypted_and_expire():
    client = redis.Redis.from_url(private_redis_url(12))
    cache = RedisTokenCache(client, SecretBox("k"))
    cache.put("gh:test:token", AccessToken("bearer-value", time.time() + 60, renew_at=time.time() + 45))
    stored = client.get("hirewatch:token:gh:test:token")
    assert stored and b"bearer-value" not in stored and 0 < client.ttl("hirewatch:token:gh:test:token") <= 60
    assert cache.get("gh:test:token").value == "bearer-value"
    assert RedisTokenCache(client, SecretBox("another-key")).get("gh:test:token") is None
    cache.drop("gh:test:token")
    assert cache.get("gh:test:token") is None


def _documented(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_webhook_custom_fields_are_read_from_their_objects():
    """Greenhouse's documented "Application created" with the custom-field values of its documented
    "Candidate hired" example (whose own action we ignore)."""
    payload = _documented("new_candidate_application.json")
    application = payload["payload"]["application"]
    application["candidate"]["custom_fields"] = {
        "desired_level": {"name": "Desired Level", "type": "short_text", "value": "Senior"},
        "seasons": {"name": "Seasons", "type": "multi_select", "value": ["Season 1", "Season 2"]},
    }
    application["custom_fields"]["custom_application_field"] = {
        "name": "Custom Application Field",
        "type": "short_text",
        "value": "Example123",
    }
    event = Greenhouse.parse_event(json.dumps(payload).encode(), {})
    assert event.applicant.answers == [
        "Desired Level: Senior",
        "Seasons: Season 1, Season 2",
        "Custom Application Field: Example123",
    ]


@responses.activate
def test_a_harvest_candidate_with_only_raw_custom_fields_still_loads():
    """The defect of v1: raw values in `custom_fields` failed to load as objects (bad_response)."""
    row = _documented("harvest_candidate.json")
    del row["keyed_custom_fields"]
    tokens = MemoryTokenCache()
    gh = connector(tokens)
    tokens.put(gh.token_key(), AccessToken("t", time.time() + 3600))
    responses.get(f"{API}/candidates", json=[row])
    responses.get(f"{API}/candidate_employments", json=[])
    applicant = gh.fetch_candidate("53883394")
    assert applicant.answers == ["desired_salary: 1000000000", "work_remotely: True", "graduation_year: 2018"]


def test_unicode_names_and_addresses_survive_the_webhook():
    payload = copy.deepcopy(_documented("new_candidate_application.json"))
    candidate = payload["payload"]["application"]["candidate"]
    candidate.update(first_name="김민준", last_name="Ñúñez-Øberg", company="Société Générale")
    candidate["addresses"] = [{"value": "東京都港区 1-2-3", "type": "home"}]
    raw = json.dumps(payload, ensure_ascii=True).replace("<", "\\u003c").encode()  # as Greenhouse sends it
    applicant = Greenhouse.parse_event(raw, {}).applicant
    assert (applicant.first_name, applicant.last_name) == ("김민준", "Ñúñez-Øberg")
    assert applicant.employers == ["Société Générale"] and applicant.addresses == ["東京都港区 1-2-3"]


def test_an_installations_secrets_stay_out_of_its_repr():
    shown = repr(Installation(id="i", platform="greenhouse", api_key="k-1", webhook_secret="w-1", **CLIENT))
    assert "secret-1" not in shown and "k-1" not in shown and "w-1" not in shown and "client-1" in shown


@responses.activate
def test_workers_renewing_at_once_buy_one_token():
    """Several workers find the token missing at the same moment: one buys it, the others use it."""
    import threading

    client = redis.Redis.from_url(private_redis_url(12))
    shared = RedisTokenCache(client, SecretBox("k"))
    shared.drop(connector().token_key())
    responses.post(TOKEN_URL, json={"access_token": "t-shared", "expires_in": 3600})
    responses.get(f"{API}/notes", json=[])
    workers = [threading.Thread(target=lambda: list(connector(shared).note_texts("1"))) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [c.request.url for c in responses.calls].count(TOKEN_URL) == 1
    assert {c.request.headers["Authorization"] for c in responses.calls[1:]} == {"Bearer t-shared"}
    shared.drop(connector().token_key())
