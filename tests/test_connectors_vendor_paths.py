"""Vendor behaviours beyond the shared contract, on the vendors' documented shapes.

Workable's tag write refuses to replace tags it could not read; SmartRecruiters' screening answers
that arrive after the application re-screen the applicant (through the real receiver and inbox
task); Ashby's fraud status follows an installation setting. `responses` mocks the vendors' HTTP
only: our receiver, database and Redis are the real ones.
"""

from __future__ import annotations

import json

import pytest
import redis
import responses
from responses import matchers
from sqlalchemy import func, select

from connectors.base import ConnectorError, Installation
from connectors.registry import PLATFORMS
from integration.app import create_app
from screening.lists.store import ListStore
from screening.models import Risk, ScreeningResult
from store.applicants import find_row_id, get_applicant
from store.db import engine_for
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import audit_log, screenings
from tasks import inbox as inbox_tasks
from tasks import runtime
from tasks.writeback import write_back
from tests.conftest import FIXTURES, private_redis_url
from tests.receiver_support import TEST_SECRET_KEY, receiver_settings

# ----- Workable: read-merge-write refuses when the read shows no tags --------------------------

WORKABLE_BASE = "https://acme.workable.com/spi/v3"  # an account's SPI v3 base, as Workable documents it
WORKABLE_CANDIDATE = json.loads((FIXTURES / "workable" / "candidate_created.json").read_text())["data"]


def workable() -> object:
    installation = Installation(id="i", platform="workable", api_key="tok", api_base_url=WORKABLE_BASE)
    return PLATFORMS["workable"](installation, sleep=lambda _s: None)


@pytest.mark.parametrize("tags", ["missing", None])
@pytest.mark.parametrize("write", ["add_tag", "remove_tag"])
def test_workable_refuses_to_replace_tags_it_could_not_read(tags, write) -> None:
    candidate = {k: v for k, v in WORKABLE_CANDIDATE.items() if k != "tags"}
    if tags != "missing":
        candidate["tags"] = tags
    with responses.RequestsMock() as rsps:  # a PUT would fail here: none is registered
        rsps.get(f"{WORKABLE_BASE}/candidates/ce4da98", json={"candidate": candidate})
        with pytest.raises(ConnectorError) as caught:
            getattr(workable(), write)("ce4da98", "HireWatch: high risk")
        assert [c.request.method for c in rsps.calls] == ["GET"]
    assert caught.value.reason == "tags_unknown"
    assert "will not replace tags" in str(caught.value)


def test_workable_with_an_empty_tag_list_read_adds_ours() -> None:
    """An empty list is a known state (no tags): writing ours loses nothing."""
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{WORKABLE_BASE}/candidates/ce4da98", json={"candidate": {**WORKABLE_CANDIDATE, "tags": []}}
        )
        put = rsps.put(
            f"{WORKABLE_BASE}/candidates/ce4da98/tags",
            status=202,
            match=[matchers.json_params_matcher({"tags": ["hirewatch_high_risk"]})],
        )
        workable().add_tag("ce4da98", "HireWatch: high risk")
    assert put.call_count == 1


# ----- SmartRecruiters: unconfirmed shapes fail safe -------------------------------------------

SR = PLATFORMS["smartrecruiters"]
SR_BASE = "https://api.smartrecruiters.com"
SR_FIXTURES = FIXTURES / "smartrecruiters"
SR_CANDIDATE_ID = "d4b1f9e2-7a3c-4e58-b6d0-2c9f8a1e5b73"
SR_JOB_ID = "3c8a2f4e-1b5d-4e7a-9c0f-6d2b8e4a1f37"
SR_ANSWERS = json.loads((SR_FIXTURES / "screening-answers.json").read_text())


def smartrecruiters(installation_id: str = "i") -> object:
    installation = Installation(id=installation_id, platform="smartrecruiters", api_key="sr-key")
    return SR(installation, sleep=lambda _s: None)


def test_smartrecruiters_tags_read_as_objects_write_nothing() -> None:
    """The tag answer's shape is UNCONFIRMED: anything but strings stops before the PUT."""
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{SR_BASE}/candidates/c1/tags", json={"tags": [{"id": "t1", "text": "HireWatch: high risk"}]}
        )
        with pytest.raises(ConnectorError) as caught:
            smartrecruiters().remove_tag("c1", "HireWatch: high risk")
        assert [c.request.method for c in rsps.calls] == ["GET"]
    assert caught.value.reason == "bad_response"


@pytest.mark.parametrize("wrap", [lambda content: {"totalFound": len(content), "content": content}, list])
def test_smartrecruiters_screening_answers_read_wrapped_or_as_a_bare_array(wrap) -> None:
    """SmartRecruiters' page says an empty array comes back when there are none: both shapes read."""
    with responses.RequestsMock() as rsps:
        rsps.get(f"{SR_BASE}/candidates/c1/jobs/j1/screening-answers", json=wrap(SR_ANSWERS["content"]))
        answers = smartrecruiters()._screening_answers("c1", "j1")
    assert answers[0] == "Do you have a current driver's license?: No"
    assert not any("Gender" in answer for answer in answers)  # the EEO question is never read


@pytest.mark.parametrize(
    "body",
    [
        {"job_id": SR_JOB_ID, "candidate_id": SR_CANDIDATE_ID},
        {"jobId": SR_JOB_ID, "candidateId": SR_CANDIDATE_ID},
    ],
)
def test_smartrecruiters_screening_answers_event_names_the_candidate_and_job(body) -> None:
    raw, headers = SR.signed_delivery("s", body, event_name="application.screening-answers.updated")
    event = SR.parse_event(raw, headers)
    assert (event.kind.value, event.candidate_id, event.application_id) == (
        "candidate_updated",
        SR_CANDIDATE_ID,
        SR_JOB_ID,
    )


# ----- SmartRecruiters: answers after the application re-screen it ---------------------------

SR_SECRET = "sr-webhook-secret"


@pytest.fixture
def sr_pipeline(tmp_path, monkeypatch):
    """The receiver app and the inbox task on one SQLite database, lists imported, and a
    SmartRecruiters installation on the vendor's real API host (mocked by `responses`)."""
    redis_url = private_redis_url(13)
    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    db_url = f"sqlite:///{tmp_path / 'hw.db'}"
    for name, value in {
        "HIREWATCH_DATA_DIR": str(tmp_path),
        "HIREWATCH_DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "HIREWATCH_SECRET_KEY": TEST_SECRET_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    ListStore(tmp_path / "lists").import_directory(FIXTURES / "lists" / "basic")
    client = create_app(receiver_settings(tmp_path, db_url, redis_url=redis_url)).test_client()
    engine = engine_for(db_url)
    with engine.begin() as conn:
        installation = create_installation(
            conn,
            SecretBox(TEST_SECRET_KEY),
            platform="smartrecruiters",
            name="Acme",
            api_key="sr-key",
            webhook_secret=SR_SECRET,
            api_base_url=SR_BASE,
        )
    yield client, engine, installation
    redis.Redis.from_url(redis_url).flushdb()
    runtime.reset()


def sr_event(client, installation_id: str, event_name: str, event_id: str) -> int:
    body = {"job_id": SR_JOB_ID, "candidate_id": SR_CANDIDATE_ID}
    raw, headers = SR.signed_delivery(SR_SECRET, body, event_name=event_name, event_id=event_id)
    response = client.post(
        f"/webhooks/smartrecruiters/{installation_id}", data=raw, headers=headers, buffered=True
    )
    assert response.status_code == 202, response.json
    return response.json["inbox_id"]


def test_screening_answers_after_the_application_rescreen_with_them(sr_pipeline) -> None:
    client, engine, installation = sr_pipeline
    candidate = {
        "id": SR_CANDIDATE_ID,
        "firstName": "Olena",
        "lastName": "Kovalenko",
        "email": "olena.k@example.com",
        "location": {"country": "Ukraine", "city": "Kyiv", "region": None},
        "experience": [{"title": "QA Lead", "company": "Grammarly", "current": True}],
    }
    answers_url = f"{SR_BASE}/candidates/{SR_CANDIDATE_ID}/jobs/{SR_JOB_ID}/screening-answers"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(f"{SR_BASE}/candidates/{SR_CANDIDATE_ID}", json=candidate)
        rsps.get(f"{SR_BASE}/candidates/{SR_CANDIDATE_ID}/attachments", json={"totalFound": 0, "content": []})
        rsps.get(answers_url, json={"totalFound": 0, "content": []})  # not answered yet
        created = sr_event(client, installation.id, "application.created", "evt-1")
        assert inbox_tasks.process_inbox(created) == "done"

        rsps.replace(responses.GET, answers_url, json=SR_ANSWERS)  # the answers arrive
        late = sr_event(client, installation.id, "application.screening-answers.created", "evt-2")
        assert inbox_tasks.process_inbox(late) == "done"
        again = sr_event(client, installation.id, "application.screening-answers.updated", "evt-3")
        assert inbox_tasks.process_inbox(again) == "done"  # the same answers: nothing new to screen
        assert sum(call.request.url == answers_url for call in rsps.calls) == 3
    with engine.connect() as conn:
        row_id = find_row_id(conn, installation.id, SR_CANDIDATE_ID)
        _, stored = get_applicant(conn, row_id)
        screened = conn.execute(select(func.count()).select_from(screenings)).scalar_one()
    assert screened == 2  # the application, then its late answers; the unchanged update is skipped
    assert "Do you have a current driver's license?: No" in stored.answers
    assert "List your previous employers: Grammarly; EPAM Systems" in stored.answers


# ----- Ashby: the verdict in Ashby's fraud status, where the installation opts in --------------

ASHBY_BASE = "https://api.ashbyhq.com"  # credentials go only to the platform's own API host
ASHBY_CANDIDATE = json.loads((FIXTURES / "ashby" / "candidate.info.json").read_text())["results"]
ASHBY_ID = ASHBY_CANDIDATE["id"]


def flagged(risk: Risk = Risk.HIGH) -> ScreeningResult:
    return ScreeningResult(
        id=ASHBY_ID,
        risk=risk,
        score=0.8,
        sanctions_hits=[],
        flags=[],
        lists={},
        reasons=["Phone number shared with another applicant under a different name"],
    )


@pytest.fixture
def ledger(sqlite_url):
    return engine_for(sqlite_url)


def ashby_write_back(engine, settings: dict, result: ScreeningResult, fraud_status: str | None, answer: dict):
    """Write back `result` for the fixture candidate; the vendor calls made, in order."""
    installation = Installation(
        id="ash-1", platform="ashby", api_key="k", api_base_url=ASHBY_BASE, settings=settings
    )
    connector = PLATFORMS["ashby"](installation, sleep=lambda _s: None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(f"{ASHBY_BASE}/candidate.createNote", json={"success": True, "results": {"id": "n1"}})
        info = {"success": True, "results": {**ASHBY_CANDIDATE, "fraudStatus": fraud_status}}
        rsps.post(
            f"{ASHBY_BASE}/candidate.info", json=info, match=[matchers.json_params_matcher({"id": ASHBY_ID})]
        )
        rsps.post(f"{ASHBY_BASE}/candidate.setFraudStatus", json=answer)
        write_back(engine, connector, installation, ASHBY_ID, result, "https://hw.example/review/1")
        calls = [(c.request.url.rsplit("/", 1)[1], json.loads(c.request.body)) for c in rsps.calls]
    with engine.connect() as conn:
        audited = (
            conn.execute(select(audit_log.c.details).where(audit_log.c.action == "writeback.verdict"))
            .scalars()
            .all()
        )
    return calls, audited


OK = {"success": True, "results": ASHBY_CANDIDATE}


def test_ashby_fraud_status_is_set_to_unsure_when_the_setting_is_on(ledger) -> None:
    calls, audited = ashby_write_back(ledger, {"fraud_status_writeback": True}, flagged(), "Unreviewed", OK)
    assert [name for name, _ in calls] == [
        "candidate.createNote",
        "candidate.info",
        "candidate.setFraudStatus",
    ]
    assert calls[-1][1] == {"candidateId": ASHBY_ID, "fraudStatus": "Unsure"}
    assert [details["outcome"] for details in audited] == ["set Unsure"]


@pytest.mark.parametrize(
    ("settings", "result"),
    [
        ({}, flagged()),
        ({"fraud_status_writeback": False}, flagged()),
        ({"fraud_status_writeback": "false"}, flagged()),
        ({"fraud_status_writeback": True}, None),
    ],
    ids=["default", "off", "off-as-text", "on-but-clear-after-flagged"],
)
def test_ashby_fraud_status_is_never_written_when_off_or_clear(ledger, settings, result) -> None:
    if result is None:  # flagged first (fraud status set), then clear: nothing more is written to it
        ashby_write_back(ledger, settings, flagged(), None, OK)
        result = flagged(Risk.CLEAR)
    calls, _ = ashby_write_back(ledger, settings, result, None, OK)
    assert "candidate.setFraudStatus" not in [name for name, _ in calls]
    assert calls[0][0] == "candidate.createNote"


@pytest.mark.parametrize("status", ["Fraudulent", "NotFraudulent", "Unsure"])
def test_ashby_fraud_status_a_person_set_is_kept(ledger, status) -> None:
    calls, audited = ashby_write_back(ledger, {"fraud_status_writeback": True}, flagged(), status, OK)
    assert "candidate.setFraudStatus" not in [name for name, _ in calls]
    assert [details["outcome"] for details in audited] == [f"kept {status}"]


def test_ashby_without_fraud_detection_refuses_and_the_write_back_still_completes(ledger) -> None:
    refused = {"success": False, "errors": ["fraud_detection_not_enabled"]}
    calls, audited = ashby_write_back(ledger, {"fraud_status_writeback": True}, flagged(), None, refused)
    assert [name for name, _ in calls][-1] == "candidate.setFraudStatus"
    assert (
        audited[0]["outcome"].startswith("refused:")
        and "fraud_detection_not_enabled" in audited[0]["outcome"]
    )
