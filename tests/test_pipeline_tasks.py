"""The pipeline's task bodies, in this process, against the sandbox ATS, real SQLite and Redis.

(The same code under real Celery worker processes is in tests/test_e2e_*.py.)
"""

from __future__ import annotations

import json
import re
import shutil
import uuid

import pytest
import redis
from sqlalchemy import delete, func, select, update

from integration.sandbox.harness import SandboxThread
from integration.sandbox.state import Fault
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body
from screening.lists.store import ListStore
from store.db import engine_for
from store.inbox import DELETE_UNCONFIRMED, MISSING_IN_ATS, accept_delivery, get_delivery
from store.installations import UNHEALTHY, create_installation, installation_health, update_installation
from store.jobs import get_job
from store.review import Decision, list_decisions, record_decision
from store.secretbox import SecretBox
from store.tables import applicants, audit_log, screenings
from store.writebacks import writeback_state, writebacks
from tasks import inbox as inbox_tasks
from tasks import lists as list_tasks
from tasks import runtime
from tests.conftest import FIXTURES, private_redis_url

SECRET_KEY = "test-secret-key-for-pipeline-tests-0123456789"
LISTED = {"first_name": "Jamiel", "last_name": "Hamieh"}  # HAMIEH, Jamiel: SDN fixture entry 6862
CLEAN = {"first_name": "Olivia", "last_name": "Brennan"}


@pytest.fixture
def redis_url() -> str:
    url = private_redis_url(13)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    yield url
    client.flushdb()


@pytest.fixture
def pipeline(tmp_path, monkeypatch, redis_url):
    """Settings for this test, lists imported, a sandbox ATS and a Greenhouse installation on it."""
    monkeypatch.setenv("HIREWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'hw.db'}")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HIREWATCH_SECRET_KEY", SECRET_KEY)
    ListStore(tmp_path / "lists").import_directory(FIXTURES / "lists" / "basic")
    engine = engine_for(f"sqlite:///{tmp_path / 'hw.db'}")
    with SandboxThread() as sandbox:
        monkeypatch.setenv("HIREWATCH_ALLOW_API_URLS", sandbox.url)  # the sandbox ATS on loopback http
        runtime.reset()
        with engine.begin() as conn:
            installation = create_installation(
                conn,
                SecretBox(SECRET_KEY),
                platform="greenhouse",
                name="Sandbox",
                webhook_secret="whsec",
                **sandbox.credentials(),
            )
        yield engine, sandbox, installation


def deliver(engine, installation, candidate: dict, action: str = "new_candidate_application") -> int:
    raw = encode_like_greenhouse(webhook_body(action, candidate))
    accepted = accept_delivery(
        engine,
        installation_id=installation.id,
        platform="greenhouse",
        dedupe_key=str(uuid.uuid4()),
        event_type=action,
        event_kind="",
        raw_body=raw,
        headers={"Content-Type": "application/json"},
    )
    return accepted.inbox_id


def process(engine, inbox_id: int) -> str:
    status = inbox_tasks.process_inbox(inbox_id)
    with engine.connect() as conn:
        assert get_delivery(conn, inbox_id).status == status
    return status


def test_listed_applicant_gets_one_tag_and_one_note_however_often_processed(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    first = deliver(engine, installation, candidate)
    assert process(engine, first) == "done"
    assert process(engine, first) == "done"  # the same message again: nothing more happens
    assert process(engine, deliver(engine, installation, candidate)) == "done"  # a second event, same data
    written = sandbox.state.writebacks(candidate["id"])
    assert written["tags"] == ["HireWatch: medium risk"]
    assert len(written["notes"]) == 1
    assert "HAMIEH, Jamiel" in written["notes"][0]["body"]  # the reason names the listed entry
    with engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert actions.count("screening") == 2 and actions.count("writeback.note") == 1


def test_every_note_ends_with_its_reference_whatever_the_template(pipeline) -> None:
    engine, sandbox, installation = pipeline
    with engine.begin() as conn:
        update_installation(
            conn, SecretBox(SECRET_KEY), installation.id, settings={"note_template": "Flagged."}
        )
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    [note] = sandbox.state.writebacks(candidate["id"])["notes"]
    assert re.fullmatch(r"Flagged\.\n\nHireWatch ref: hw-[0-9a-f]{12}", note["body"])


def died_after_the_note_post(engine) -> None:
    """The ledger as a worker killed after posting the note, before recording it done, leaves it."""
    with engine.begin() as conn:
        conn.execute(update(writebacks).where(writebacks.c.action == "note").values(status="pending"))
        conn.execute(delete(writeback_state))


def test_a_pending_note_already_on_the_ats_is_not_posted_again(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    died_after_the_note_post(engine)
    assert process(engine, deliver(engine, installation, candidate)) == "done"
    assert len(sandbox.state.writebacks(candidate["id"])["notes"]) == 1
    with engine.connect() as conn:
        notes = select(audit_log.c.details).where(audit_log.c.action == "writeback.note")
        audited = list(conn.execute(notes.order_by(audit_log.c.id)).scalars())
        assert conn.execute(select(writebacks.c.status)).scalars().all() == ["done", "done"]
    assert [d.get("found_existing") for d in audited] == [None, True]


def test_a_pending_note_missing_from_the_ats_is_posted(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    died_after_the_note_post(engine)
    sandbox.state.notes.clear()  # the killed attempt's POST never reached the ATS
    assert process(engine, deliver(engine, installation, candidate)) == "done"
    assert len(sandbox.state.writebacks(candidate["id"])["notes"]) == 1


def test_a_key_that_may_not_read_notes_still_writes_the_note(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    died_after_the_note_post(engine)
    sandbox.state.notes.clear()
    sandbox.state.faults.append(Fault(status=403, count=1, method="GET", path_contains="/v3/notes?"))
    assert process(engine, deliver(engine, installation, candidate)) == "done"  # not an aborted installation
    assert len(sandbox.state.writebacks(candidate["id"])["notes"]) == 1


def test_clean_applicant_is_screened_and_left_alone(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(CLEAN)
    assert process(engine, deliver(engine, installation, candidate)) == "done"
    assert sandbox.state.writebacks(candidate["id"]) == {
        "candidate_id": candidate["id"],
        "tags": [],
        "notes": [],
    }
    with engine.connect() as conn:
        assert conn.execute(select(applicants.c.risk)).scalar_one() == "clear"


def test_update_rescreens_only_on_identity_change_and_clears_stale_tag(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    process(engine, deliver(engine, installation, candidate, "update_candidate"))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(screenings)).scalar_one() == 1
    renamed = sandbox.state.update_candidate(candidate["id"], CLEAN)
    process(engine, deliver(engine, installation, renamed, "update_candidate"))
    written = sandbox.state.writebacks(candidate["id"])
    assert written["tags"] == []  # our medium-risk tag removed
    assert [n["body"].split(".")[0] for n in written["notes"]] == [
        "HireWatch screening: medium risk",
        "HireWatch screening: clear risk",
    ]


def test_deleted_candidate_drops_our_copy(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    sandbox.state.delete_candidate(candidate["id"])  # the ATS deletes, then tells us
    assert process(engine, deliver(engine, installation, candidate, "delete_candidate")) == "done"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(applicants)).scalar_one() == 0
        assert "applicant.deleted" in conn.execute(select(audit_log.c.action)).scalars().all()


def test_a_signed_delete_the_ats_contradicts_keeps_everything(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    assert process(engine, deliver(engine, installation, candidate, "delete_candidate")) == DELETE_UNCONFIRMED
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(applicants)).scalar_one() == 1
        assert "applicant.delete_unconfirmed" in conn.execute(select(audit_log.c.action)).scalars().all()


def test_an_anonymised_candidate_is_dropped_though_the_ats_keeps_it(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    assert process(engine, deliver(engine, installation, candidate, "candidate_anonymized")) == "done"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(applicants)).scalar_one() == 0


def test_bad_payload_fails_visibly(pipeline) -> None:
    engine, _sandbox, installation = pipeline
    accepted = accept_delivery(
        engine,
        installation_id=installation.id,
        platform="greenhouse",
        dedupe_key="bad",
        event_type="x",
        event_kind="",
        raw_body=b'{"action": "new_candidate_application", "payload": {}}',
        headers={},
    )
    assert process(engine, accepted.inbox_id) == "failed"
    with engine.connect() as conn:
        assert get_delivery(conn, accepted.inbox_id).last_error.startswith("bad_payload")


def test_reviewer_decision_task_rescreens_and_writes_back_once(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    with engine.connect() as conn:
        row_id = conn.execute(select(applicants.c.id)).scalar_one()
    assert inbox_tasks.write_back_decision(installation.id, row_id, decision_id=1) == "done"
    assert inbox_tasks.write_back_decision("another-installation", row_id, decision_id=1) == "missing"
    with engine.connect() as conn:
        triggers = conn.execute(select(screenings.c.trigger).order_by(screenings.c.id)).scalars().all()
    assert triggers == ["webhook", "decision"]
    assert len(sandbox.state.writebacks(candidate["id"])["notes"]) == 1  # verdict unchanged: no new note


def test_a_404_on_fetch_keeps_everything_and_says_so(pipeline, caplog) -> None:
    engine, sandbox, installation = pipeline
    candidate = sandbox.state.add_candidate(LISTED)
    process(engine, deliver(engine, installation, candidate))
    with engine.begin() as conn:
        row_id = conn.execute(select(applicants.c.id)).scalar_one()
        record_decision(
            conn, installation.id, row_id, decision=Decision.ESCALATE, reason="check", actor="user:r@x.test"
        )
    sandbox.state.delete_candidate(candidate["id"])  # gone from the ATS, but no signed delete
    inbox_id = deliver(engine, installation, candidate, "update_candidate")
    assert process(engine, inbox_id) == MISSING_IN_ATS  # final: not retried
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(applicants)).scalar_one() == 1
        # The webhook's screening and the escalation's (its note line for the ATS): nothing new.
        triggers = conn.execute(select(screenings.c.trigger).order_by(screenings.c.id)).scalars().all()
        assert triggers == ["webhook", "decision"]
        assert list_decisions(conn, installation.id, row_id)
        assert "applicant.missing_in_ats" in conn.execute(select(audit_log.c.action)).scalars().all()
        assert installation_health(conn, installation.id).missing_in_a_row == 1
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "missing_in_ats" in r.getMessage()]
    assert warnings


def test_many_404s_in_a_row_mark_the_installation_unhealthy_until_a_fetch_works(
    pipeline, monkeypatch
) -> None:
    engine, sandbox, installation = pipeline
    monkeypatch.setenv("HIREWATCH_UNHEALTHY_AFTER_404S", "3")
    runtime.reset()
    candidates = [sandbox.state.add_candidate(CLEAN) for _ in range(4)]
    with engine.begin() as conn:  # Greenhouse without its version path: 404 for everyone
        update_installation(conn, SecretBox(SECRET_KEY), installation.id, api_base_url=sandbox.url)
    statuses = [process(engine, deliver(engine, installation, c)) for c in candidates[:3]]
    assert statuses == [MISSING_IN_ATS] * 3
    with engine.connect() as conn:
        health = installation_health(conn, installation.id)
    assert (health.status, health.missing_in_a_row) == (UNHEALTHY, 3)
    assert "404" in health.warning
    with engine.begin() as conn:
        update_installation(conn, SecretBox(SECRET_KEY), installation.id, api_base_url=sandbox.api_base_url)
    assert process(engine, deliver(engine, installation, candidates[3])) == "done"
    with engine.connect() as conn:
        health = installation_health(conn, installation.id)
    assert (health.status, health.missing_in_a_row, health.warning) == ("active", 0, None)


def test_applicants_behind_one_phone_under_different_names_are_linked(pipeline) -> None:
    engine, sandbox, installation = pipeline
    phone = [{"value": "+1 415 555 0199", "type": "mobile"}]
    first = sandbox.state.add_candidate(
        {"first_name": "Jordan", "last_name": "Ellis", "phone_numbers": phone}
    )
    second = sandbox.state.add_candidate(
        {"first_name": "Marcus", "last_name": "Tanaka", "phone_numbers": phone}
    )
    process(engine, deliver(engine, installation, first))
    process(engine, deliver(engine, installation, second))
    with engine.connect() as conn:
        latest = conn.execute(
            select(screenings.c.result).order_by(screenings.c.id.desc()).limit(1)
        ).scalar_one()
    assert "shared_phone" in [flag["code"] for flag in latest["flags"]]
    assert str(first["id"]) in latest["flags"][0]["message"] or any(
        str(first["id"]) in flag["message"] for flag in latest["flags"]
    )


def test_list_refresh_starts_a_delta_job_for_applicants_of_new_entries(pipeline, tmp_path) -> None:
    engine, sandbox, installation = pipeline
    newly_listed = sandbox.state.add_candidate({"first_name": "Dmytro", "last_name": "Kovalchuk"})
    for candidate in (newly_listed, sandbox.state.add_candidate(CLEAN)):
        process(engine, deliver(engine, installation, candidate))
    update = tmp_path / "update"
    shutil.copytree(FIXTURES / "lists" / "basic", update)
    sdn = update / "ofac" / "sdn.csv"
    row = b'99999,"KOVALCHUK, Dmytro","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    sdn.write_bytes(sdn.read_bytes().rstrip(b"\x1a") + row + b"\x1a")  # OFAC files end with ^Z

    summary = list_tasks.refresh_lists(str(update))

    assert summary["changed"] and len(summary["jobs"]) == 1
    with engine.connect() as conn:
        job = get_job(conn, summary["jobs"][0])
        assert (job.kind, job.total, job.paging_done) == ("delta", 1, True)
        assert "lists.updated" in conn.execute(select(audit_log.c.action)).scalars().all()
    assert list_tasks.refresh_lists(str(update))["changed"] is False  # same files: nothing to do


def test_a_ring_flags_its_first_member_when_the_second_applies(pipeline, redis_url) -> None:
    engine, sandbox, installation = pipeline
    phone = [{"value": "+1 415 555 0182", "type": "mobile"}]
    first = sandbox.state.add_candidate(
        {"first_name": "Marcus", "last_name": "Tanaka", "phone_numbers": phone}
    )
    second = sandbox.state.add_candidate(
        {"first_name": "Jordan", "last_name": "Ellis", "phone_numbers": phone}
    )
    process(engine, deliver(engine, installation, first))
    assert sandbox.state.writebacks(first["id"])["tags"] == []  # alone, nothing links it yet
    process(engine, deliver(engine, installation, second))
    assert sandbox.state.writebacks(second["id"])["tags"] == ["HireWatch: medium risk"]
    queued = [json.loads(m) for m in redis.Redis.from_url(redis_url).lrange("live", 0, -1)]
    sent = [m["headers"]["argsrepr"] for m in queued if m["headers"]["task"] == "tasks.rescreen_linked"]
    assert sent == [repr([installation.id, [str(first["id"])]])]
    assert inbox_tasks.rescreen_linked(installation.id, [str(first["id"])]) == "done"
    written = sandbox.state.writebacks(first["id"])
    assert written["tags"] == ["HireWatch: medium risk"]
    assert (
        "shares phone +1 415" in written["notes"][0]["body"]
        and str(second["id"]) in written["notes"][0]["body"]
    )
    with engine.connect() as conn:
        triggers = conn.execute(select(screenings.c.trigger).order_by(screenings.c.id)).scalars().all()
    assert triggers == ["webhook", "webhook", "linked"]


def _decide(engine, installation, row_id: int, key, decision: str, reason: str) -> dict:
    from store import review

    with engine.begin() as conn:
        return review.record_decision(
            conn, installation.id, row_id, decision=review.Decision(decision), reason=reason,
            actor="user:r@acme.test", hit=key,
        )  # fmt: skip


def _applicant(engine, row_id: int):
    with engine.connect() as conn:
        return conn.execute(select(applicants).where(applicants.c.id == row_id)).mappings().one()


def test_a_decision_sticks_through_the_rescreens_it_and_later_events_trigger(pipeline) -> None:
    from store import review

    engine, sandbox, installation = pipeline
    phone = [{"value": "+1 415 555 0177", "type": "mobile"}]
    listed = sandbox.state.add_candidate(LISTED)
    ring = [
        sandbox.state.add_candidate({"first_name": first, "last_name": last, "phone_numbers": phone})
        for first, last in (("Jordan", "Ellis"), ("Marcus", "Tanaka"))
    ]
    for candidate in (listed, *ring):
        process(engine, deliver(engine, installation, candidate))
    with engine.connect() as conn:
        rows = dict(conn.execute(select(applicants.c.external_id, applicants.c.id)).all())
        first_note = sandbox.state.writebacks(listed["id"])["notes"][0]["body"]
        hits = review.latest_screening(conn, installation.id, rows[str(listed["id"])])["result"][
            "sanctions_hits"
        ]
    listed_id, marcus_id = rows[str(listed["id"])], rows[str(ring[1]["id"])]

    # "Not this person" on the listed entry's hits, "explained" on Marcus's shared phone.
    _decide(engine, installation, listed_id, review.entity_key(hits[0]), "false_positive", "DOB 1990 differs")
    with engine.connect() as conn:
        flag = review.latest_screening(conn, installation.id, marcus_id)["result"]["flags"][0]
    _decide(engine, installation, marcus_id, review.flag_key(flag), "false_positive", "his brother's phone")
    for _ in range(2):  # the decision's re-screen, then another one: nothing changes back
        for row_id in (listed_id, marcus_id):
            assert inbox_tasks.write_back_decision(installation.id, row_id, decision_id=1) == "done"
            assert (_applicant(engine, row_id)["review_status"], _applicant(engine, row_id)["risk"]) == (
                "decided",
                "clear",
            )
    assert process(engine, deliver(engine, installation, listed)) == "done"  # a later event
    assert _applicant(engine, listed_id)["review_status"] == "decided"

    notes = [note["body"] for note in sandbox.state.writebacks(listed["id"])["notes"]]
    assert len(notes) == 2  # the first verdict, then one rewritten for the decision: not one per re-screen
    hit_reason = first_note.splitlines()[1]
    assert "HAMIEH" in hit_reason and hit_reason not in notes[1]
    assert "not this person. Reason: DOB 1990 differs" in notes[1]
    marcus_notes = [note["body"] for note in sandbox.state.writebacks(ring[1]["id"])["notes"]]
    assert "explained: same household / agency. Reason: his brother's phone" in marcus_notes[-1]
    assert sandbox.state.writebacks(ring[1]["id"])["tags"] == []
    # Jordan's own flag (the ring's first member, flagged when Marcus applied) was not decided.
    assert inbox_tasks.rescreen_linked(installation.id, [str(ring[0]["id"])]) == "done"
    assert _applicant(engine, rows[str(ring[0]["id"])])["review_status"] == "pending"


def test_failure_text_shown_to_a_tenant_is_one_short_printable_line() -> None:
    body = "-ERR internal\r\n" + "secret " * 200 + "\x00"
    shown = inbox_tasks.short_reason(f"GET /x answered 400: {body}")
    assert len(shown) <= 300 and "\n" not in shown and "\x00" not in shown
    assert shown.startswith("GET /x answered 400: -ERR internal secret")
