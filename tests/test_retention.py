"""Retention: raw webhook bodies go with the candidate, and expire once processed (real SQLite,
the sandbox ATS, the task bodies in this process)."""
# ruff: noqa: F811 (the pipeline tests' fixtures are imported and used as test arguments)

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from connectors.registry import get_connector
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body
from store.inbox import accept_delivery
from store.tables import inbox
from tasks import retention
from tests.test_pipeline_tasks import CLEAN, LISTED, pipeline, process, redis_url  # noqa: F401


def deliver(engine, installation, candidate: dict, action: str = "new_candidate_application") -> int:
    """As the receiver stores it: with the candidate id its event names."""
    raw = encode_like_greenhouse(webhook_body(action, candidate))
    event = get_connector("greenhouse").parse_event(raw, {})
    return accept_delivery(
        engine,
        installation_id=installation.id,
        platform="greenhouse",
        dedupe_key=str(uuid.uuid4()),
        event_type=action,
        event_kind=event.kind.value,
        raw_body=raw,
        headers={"Content-Type": "application/json", "User-Agent": "Greenhouse"},
        candidate_id=event.candidate_id,
    ).inbox_id


def _rows(engine) -> dict[int, object]:
    with engine.connect() as conn:
        return {row.id: row for row in conn.execute(select(inbox))}


def test_a_deleted_candidate_takes_its_raw_webhook_bodies_along(pipeline) -> None:
    engine, sandbox, installation = pipeline
    candidate, other = sandbox.state.add_candidate(LISTED), sandbox.state.add_candidate(CLEAN)
    screened = deliver(engine, installation, candidate)
    assert process(engine, screened) == "done"
    waiting = deliver(engine, installation, candidate)  # not processed yet
    kept = deliver(engine, installation, other)
    sandbox.state.delete_candidate(candidate["id"])  # gone from the ATS too
    deleted = deliver(engine, installation, candidate, "delete_candidate")
    assert process(engine, deleted) == "done"
    rows = _rows(engine)
    for inbox_id in (screened, waiting, deleted):
        assert rows[inbox_id].body == "" and rows[inbox_id].headers == {}
        assert rows[inbox_id].body_erased_at is not None
    assert rows[waiting].status == "ignored" and "deleted" in rows[waiting].last_error
    assert LISTED["last_name"] not in " ".join(row.body for row in rows.values())
    assert CLEAN["last_name"] in rows[kept].body  # another applicant's delivery is untouched


def test_processed_bodies_expire_after_the_retention_period(pipeline, monkeypatch) -> None:
    engine, sandbox, installation = pipeline
    monkeypatch.setenv("HIREWATCH_INBOX_RETENTION_DAYS", "30")
    old, recent = (deliver(engine, installation, sandbox.state.add_candidate(CLEAN)) for _ in range(2))
    unprocessed = deliver(engine, installation, sandbox.state.add_candidate(LISTED))
    process(engine, old)
    process(engine, recent)
    long_ago = datetime.now(UTC) - timedelta(days=31)
    with engine.begin() as conn:
        conn.execute(update(inbox).where(inbox.c.id == old).values(processed_at=long_ago))
        conn.execute(update(inbox).where(inbox.c.id == unprocessed).values(received_at=long_ago))
    assert retention.expire_inbox_bodies() == 1
    rows = _rows(engine)
    assert rows[old].body == "" and rows[old].status == "done"  # the row stays for the audit trail
    assert rows[recent].body and rows[unprocessed].body  # within the period / not processed yet
    assert retention.expire_inbox_bodies() == 0
