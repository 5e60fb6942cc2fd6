"""The registry, the shared HTTP behaviour, and platform details the contract does not cover."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
import responses

from connectors.base import (
    AccessToken,
    ConnectorAbort,
    ConnectorError,
    EventKind,
    Installation,
    MemoryTokenCache,
    PayloadError,
)
from connectors.greenhouse import Greenhouse
from connectors.lever import Lever
from connectors.registry import PLATFORMS, UnknownPlatform, get_connector, get_metadata
from connectors.smartrecruiters import SmartRecruiters
from connectors.workable import Workable

FIXTURES = Path(__file__).resolve().parent / "fixtures"
API = "https://ats.test/v1"
ALLOWED = ("https://ats.test/",)  # the stand-in API, as an operator would allow it


def fixture(platform: str, name: str) -> bytes:
    return (FIXTURES / platform / name).read_bytes()


def greenhouse(sleeps: list[float] | None = None, **kw) -> Greenhouse:
    """A Harvest v3 installation whose bearer token is already cached (no token request)."""
    credentials = {"client_id": "cid", "client_secret": "cs", "on_behalf_of": "7", **kw}
    installation = Installation(id="i", platform="greenhouse", api_base_url=API, **credentials)
    tokens = MemoryTokenCache()
    sink = (sleeps if sleeps is not None else []).append
    connector = Greenhouse(installation, sleep=sink, tokens=tokens, allowed_urls=ALLOWED)
    tokens.put(connector.token_key(), AccessToken("cached-token", time.time() + 3600))
    return connector


# ----- registry -------------------------------------------------------------------------------


def test_registry_knows_the_six_platforms_by_lower_case_key():
    assert sorted(PLATFORMS) == ["ashby", "greenhouse", "kombo", "lever", "smartrecruiters", "workable"]
    assert get_connector("smartrecruiters") is SmartRecruiters


def test_unknown_platform_names_the_known_ones():
    with pytest.raises(UnknownPlatform, match="known: ashby, greenhouse"):
        get_connector("taleo")
    with pytest.raises(UnknownPlatform):
        get_metadata("taleo")


def test_metadata_drives_routes_and_manifest():
    sr = get_metadata("smartrecruiters")
    assert (sr.success_status, sr.handshake, sr.handshake_status) == (202, "x-hook-secret-echo", 200)
    assert sr.auth_type == "token_header" and sr.auth_header == "X-SmartToken"
    assert (get_metadata("greenhouse").acting_user.location, get_metadata("greenhouse").acting_user.name) == (
        "token",
        "sub",
    )
    assert get_metadata("lever").signature_location == "body"
    for name in PLATFORMS:
        block = get_metadata(name).as_manifest()
        json.dumps(block)  # plain JSON all the way down
        # New applicants arrive named (application created) or listed as changed (Kombo's data-changed).
        assert {EventKind.APPLICATION_CREATED, EventKind.DATA_CHANGED} & set(block["handled_events"].values())
        assert EventKind.IGNORED not in block["handled_events"].values()
        assert set(block["writeback_kinds"]) == {"tag", "note"}
        assert all({"id", "type", "label", "description"} <= set(f) for f in block["settings_fields"])
    assert [f["id"] for f in get_metadata("workable").as_manifest()["settings_fields"]] == [
        "subdomain",
        "note_policy",
    ]


# ----- shared HTTP behaviour --------------------------------------------------------------------


@responses.activate
def test_requests_carry_connect_and_read_timeouts():
    responses.get(f"{API}/notes", json=[])
    list(greenhouse().note_texts("1"))
    assert responses.calls[0].request.req_kwargs["timeout"] == (
        Greenhouse.connect_timeout,
        Greenhouse.read_timeout,
    )


@responses.activate
def test_a_wait_longer_than_the_budget_is_handed_to_the_caller():
    responses.get(f"{API}/candidates", status=429, headers={"Retry-After": "600"})
    sleeps: list[float] = []
    with pytest.raises(ConnectorError) as caught:
        greenhouse(sleeps).fetch_candidate("1")
    assert (caught.value.reason, caught.value.retry_after) == ("rate_limited", 600.0)
    assert sleeps == []  # never sleeps past max_total_wait; Celery backs off instead


@responses.activate
def test_429_without_retry_after_waits_for_the_rate_limit_reset():
    reset = str(int(time.time()) + 5)
    responses.get(f"{API}/notes", status=429, headers={"X-RateLimit-Reset": reset})
    responses.get(f"{API}/notes", json=[], headers={"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "49"})
    sleeps: list[float] = []
    connector = greenhouse(sleeps)
    list(connector.note_texts("1"))
    assert 3.0 <= sleeps[0] <= 5.0
    assert (connector.rate_limit.limit, connector.rate_limit.remaining) == (50, 49)


@responses.activate
def test_a_failed_note_post_is_not_retried_so_no_note_is_written_twice():
    responses.post(f"{API}/notes", status=502)
    with pytest.raises(ConnectorError) as caught:
        greenhouse().add_note("1", "text")
    assert caught.value.reason == "server_error"
    assert len(responses.calls) == 1


@responses.activate
def test_network_errors_are_retried_for_reads():
    import requests

    responses.get(f"{API}/notes", body=requests.ConnectionError("reset"))
    responses.get(f"{API}/notes", json=[])
    sleeps: list[float] = []
    list(greenhouse(sleeps).note_texts("1"))
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        (403, "forbidden", ConnectorAbort),
        (404, "not_found", ConnectorError),
        (422, "client_error", ConnectorError),
    ],
)
@responses.activate
def test_client_errors_are_not_retried(status, reason, kind):
    responses.get(f"{API}/candidates", status=status, json={"message": "no"})
    with pytest.raises(kind) as caught:
        greenhouse().fetch_candidate("1")
    assert caught.value.reason == reason
    assert len(responses.calls) == 1


def test_a_write_without_the_required_acting_user_aborts():
    with pytest.raises(ConnectorAbort) as caught:
        greenhouse(on_behalf_of=None).add_note("1", "text")
    assert caught.value.reason == "needs_credentials"


@responses.activate
def test_an_expired_attachment_link_leaves_the_rest_of_the_candidate():
    candidate = json.loads(fixture("greenhouse", "harvest_candidate.json"))
    candidate["attachments"] = [
        {
            "filename": "resume.pdf",
            "url": "https://prod-heroku.s3.amazonaws.com/resume.pdf",
            "type": "resume",
        },
        {
            "filename": "cover.pdf",
            "url": "https://prod-heroku.s3.amazonaws.com/cover.pdf",
            "type": "cover_letter",
        },
    ]
    responses.get(f"{API}/candidates", json=[candidate])
    responses.get(f"{API}/candidate_employments", json=[])
    responses.get("https://prod-heroku.s3.amazonaws.com/resume.pdf", status=403)
    responses.get("https://prod-heroku.s3.amazonaws.com/cover.pdf", body=b"x" * 2048)
    applicant = greenhouse().fetch_candidate("53883394")
    assert applicant.emails[0] == "test@work.com"
    assert applicant.resume_text == "" and applicant.cover_letter == ""
    assert [a.text for a in applicant.attachments] == [None, None]


# ----- platform details -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "candidate_id", "merged_from"),
    [
        ("merge_candidate.json", EventKind.CANDIDATE_MERGED, "457456", "37031511"),
        ("delete_candidate.json", EventKind.CANDIDATE_DELETED, "37031511", None),
        ("candidate_anonymized.json", EventKind.CANDIDATE_DELETED, "37031511", None),
        ("update_candidate.json", EventKind.CANDIDATE_UPDATED, "15696179", None),
    ],
)
def test_greenhouse_lifecycle_events(name, kind, candidate_id, merged_from):
    event = Greenhouse.parse_event(fixture("greenhouse", name), {})
    assert (event.kind, event.candidate_id, event.merged_from) == (kind, candidate_id, merged_from)


def test_greenhouse_unknown_actions_and_pings_are_answered_not_screened():
    assert Greenhouse.parse_event(b'{"action": "brand_new_thing"}', {}).kind is EventKind.IGNORED
    assert (
        Greenhouse.parse_event(b'{"action": "ping", "payload": {"web_hook_id": 1}}', {}).kind
        is EventKind.PING
    )


def test_greenhouse_rejects_another_algorithm_name():
    body = b'{"action": "ping"}'
    signature = Greenhouse.sign("s", body)["Signature"].replace("sha256", "sha1")
    assert not Greenhouse.verify("s", body, {"Signature": signature})


def test_signature_headers_are_found_whatever_their_case():
    body = b'{"action": "ping"}'
    headers = {k.lower(): v for k, v in Greenhouse.sign("s", body).items()}
    assert Greenhouse.verify("s", body, headers)


SR_DOC_DIGEST = "2e9291f10d44ca10204a4cd81b05d73b6a316b2b605d4e2e0e0b37b40198ce1f"


def test_smartrecruiters_documented_example_reproduces():
    """The example on developers.smartrecruiters.com 'receiving webhook notifications'."""
    body = b'{"job_id":"jid","candidate_id":"cid"}'
    headers = {
        "event-id": "123",
        "event-name": "application.created",
        "event-version": "v201910",
        "link": "<http://smartrecruiters.com/endpoint>; rel=self",
        "smartrecruiters-timestamp": "1574080897",
        "smartrecruiters-signature": f"v1=0000;v1={SR_DOC_DIGEST}",
    }
    assert SmartRecruiters.verify("HeBVky2bccvvkcXPimH8c", body, headers, now=1574080897 + 10)
    assert not SmartRecruiters.verify("HeBVky2bccvvkcXPimH8c", body, headers, now=1574080897 + 3600)


def test_smartrecruiters_activation_handshake_echoes_the_secret():
    assert SmartRecruiters.handshake({"X-Hook-Secret": "abc"}) == {"X-Hook-Secret": "abc"}
    assert SmartRecruiters.handshake({"event-name": "application.created"}) is None


def test_smartrecruiters_event_without_its_name_is_422():
    with pytest.raises(PayloadError) as caught:
        SmartRecruiters.parse_event(b'{"candidate_id": "c"}', {})
    assert (caught.value.status, caught.value.reason) == (422, "event-name (header): missing")


def test_lever_accepts_any_of_several_webhook_tokens_and_rejects_the_future():
    body, headers = Lever.signed_delivery("token-b", json.loads(fixture("lever", "candidateDeleted.json")))
    assert Lever.verify("token-a, token-b", body, headers)
    assert Lever.parse_event(body, headers).kind is EventKind.CANDIDATE_DELETED
    future, _ = Lever.signed_delivery(
        "t", {"event": "x"}, triggered_at_ms=int((time.time() + 7 * 86400) * 1000)
    )
    assert not Lever.verify("t", future, {})


def test_workable_accepts_a_base64_signature_too():
    body = fixture("workable", "candidate_created.json")
    hex_digest = Workable.sign("tok", body)["X-Workable-Signature"]
    as_base64 = base64.b64encode(bytes.fromhex(hex_digest)).decode()
    assert Workable.verify("tok", body, {"X-Workable-Signature": as_base64})
    assert not Workable.verify("tok", body, {"X-Workable-Signature": as_base64[:-4] + "AAA="})


@pytest.mark.parametrize(
    "wrap",
    [lambda c: c, lambda c: {"candidate": c}, lambda c: {"event_type": "candidate_created", "data": c}],
)
def test_workable_candidate_is_read_bare_or_wrapped(wrap):
    candidate = json.loads(fixture("workable", "candidate_created.json"))["data"]
    event = Workable.parse_event(json.dumps(wrap(candidate)).encode(), {})
    assert (event.kind, event.candidate_id) == (EventKind.APPLICATION_CREATED, "ce4da98")


def test_workable_needs_a_subdomain_or_an_api_url():
    with_subdomain = Workable(Installation(id="i", platform="workable", settings={"subdomain": "acme"}))
    assert with_subdomain.base_url == "https://acme.workable.com/spi/v3"
    with pytest.raises(ConnectorAbort) as caught:
        _ = Workable(Installation(id="i", platform="workable")).base_url
    assert caught.value.reason == "config"


def test_installation_settings_override_the_declared_defaults():
    assert greenhouse().setting("note_visibility") == "public"
    assert greenhouse(settings={"note_visibility": "admin_only"}).setting("note_visibility") == "admin_only"
    with pytest.raises(KeyError, match="no setting 'colour'"):
        greenhouse().setting("colour")


def test_workable_tags_are_written_in_the_form_workable_keeps():
    assert Workable.normalise_tag("HireWatch: high risk") == "hirewatch_high_risk"
    assert len(Workable.normalise_tag("HireWatch potential sanctions match review")) <= 24


def test_ashby_ping_and_merge():
    ashby = get_connector("ashby")
    assert ashby.parse_event(fixture("ashby", "ping.json"), {}).kind is EventKind.PING
    merge = ashby.parse_event(fixture("ashby", "candidateMerge.json"), {})
    assert (merge.kind, merge.merged_from) == (
        EventKind.CANDIDATE_MERGED,
        "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    )


@responses.activate
def test_ashby_success_false_is_a_connector_error_with_its_reasons():
    responses.post(
        "https://ats.test/candidate.info", json={"success": False, "errors": ["candidate_not_found"]}
    )
    ashby = get_connector("ashby")(
        Installation(id="i", platform="ashby", api_key="k", api_base_url="https://ats.test"),
        allowed_urls=ALLOWED,
    )
    with pytest.raises(ConnectorError, match="candidate_not_found") as caught:
        ashby.fetch_candidate("c1")
    assert caught.value.reason == "vendor_error"


@responses.activate
def test_a_non_json_api_answer_is_a_bad_response():
    responses.get(f"{API}/candidates", body=b"<html>maintenance</html>")
    with pytest.raises(ConnectorError) as caught:
        greenhouse().fetch_candidate("1")
    assert caught.value.reason == "bad_response"


@responses.activate
def test_an_oversized_attachment_is_not_read():
    connector = greenhouse()
    responses.get("https://files.test/huge.pdf", body=b"%PDF-" + b"0" * 300_000)
    with pytest.raises(ConnectorError) as caught:
        connector.download("https://files.test/huge.pdf", max_bytes=100_000)
    assert caught.value.reason == "attachment_too_large"


def test_greenhouse_merge_without_the_surviving_candidate_is_422():
    body = json.dumps({"action": "merge_candidate", "payload": {"person": {"id": 1}}}).encode()
    with pytest.raises(PayloadError, match=r"payload\.person\.new_candidate_id"):
        Greenhouse.parse_event(body, {})


@responses.activate
def test_lever_answer_without_data_is_a_bad_response():
    responses.get("https://ats.test/v1/opportunities/o1", json={"error": "weird"})
    lever = Lever(
        Installation(id="i", platform="lever", api_key="k", api_base_url="https://ats.test/v1"),
        allowed_urls=ALLOWED,
    )
    with pytest.raises(ConnectorError) as caught:
        lever.fetch_candidate("o1")
    assert caught.value.reason == "bad_response"
