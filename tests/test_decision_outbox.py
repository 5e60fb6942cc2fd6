"""A decision recorded while Redis is down keeps its ATS write-back in the outbox: the reviewer
is told it is pending, and the beat sweeper sends it once the queue is back (real app, SQLite,
and this test process's own Redis)."""
# ruff: noqa: F811 (the pipeline tests' fixtures are imported and used as test arguments)

from __future__ import annotations

import base64
import json
import re

import redis
from sqlalchemy import func, select

from store import outbox, review
from store.db import make_engine
from store.tables import applicants
from tasks import inbox as inbox_tasks
from tasks import outbox as outbox_tasks
from tasks import runtime
from tests.conftest import private_redis_url
from tests.receiver_support import CLOSED_PORT_REDIS_URL
from tests.review_helpers import bearer, make_app, tenant_with_queue
from tests.test_pipeline_tasks import LISTED, deliver, pipeline, process, redis_url  # noqa: F401

PASSWORD = "correct horse battery staple"


def _queued_write_backs(url: str) -> list[list]:
    """The args of the write-back tasks waiting in the `live` queue (read, not popped)."""
    found = []
    for raw in redis.Redis.from_url(url).lrange("live", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == "tasks.write_back_decision":
            found.append(json.loads(base64.b64decode(message["body"]))[0])
    return found


def test_a_decision_made_while_redis_is_down_is_pending_then_sent_by_the_sweeper(
    sqlite_url, tmp_path, monkeypatch
) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        _, token = review.create_token(conn, "acme", review.Scope.REVIEWER)
    client = make_app(sqlite_url, tmp_path, redis_url=CLOSED_PORT_REDIS_URL).test_client()
    url = f"/api/v1/applicants/{ids['match']}/decisions"
    response = client.post(url, headers=bearer(token), json={"decision": "escalate", "reason": "legal"})
    assert response.status_code == 201 and response.json["writeback_status"] == "pending"
    assert client.get(url, headers=bearer(token)).json[0]["writeback_status"] == "pending"

    queue = private_redis_url(13)  # Redis is back: beat runs the sweeper
    redis.Redis.from_url(queue).delete("live")
    for name, value in {
        "HIREWATCH_DATABASE_URL": sqlite_url,
        "REDIS_URL": queue,
        "HIREWATCH_SWEEP_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    assert outbox_tasks.sweep_outbox() == 1
    assert _queued_write_backs(queue) == [["acme", ids["match"], response.json["id"]]]
    assert client.get(url, headers=bearer(token)).json[0]["writeback_status"] == "queued"
    assert outbox_tasks.sweep_outbox() == 0  # sent once; again only if its task goes missing
    runtime.reset()


def test_the_review_page_says_the_ats_update_is_pending(sqlite_url, tmp_path) -> None:
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", "reviewer@acme.test", PASSWORD, review.Scope.REVIEWER)
    client = make_app(sqlite_url, tmp_path, redis_url=CLOSED_PORT_REDIS_URL).test_client()

    def csrf(path: str) -> str:
        return re.search(rb'name="csrf_token" value="([^"]+)"', client.get(path).data).group(1).decode()

    form = {"email": "reviewer@acme.test", "password": PASSWORD, "csrf_token": csrf("/review/login")}
    client.post("/review/login", data=form)
    page = f"/review/applicants/{ids['match']}"
    decided = client.post(
        f"{page}/decisions",
        data={"decision": "escalate", "reason": "legal", "csrf_token": csrf(page)},
        follow_redirects=True,
    )
    text = decided.data.decode()
    assert "Recorded: " in text and "ATS update pending: the task queue is unreachable" in text
    assert text.count("retried automatically") == 2  # the message and the decision's history row
    with make_engine(sqlite_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox.decision_outbox)).scalar_one() == 1


def test_the_write_back_task_marks_its_outbox_row_done(pipeline) -> None:
    engine, sandbox, installation = pipeline
    process(engine, deliver(engine, installation, sandbox.state.add_candidate(LISTED)))
    with engine.begin() as conn:
        applicant_id = conn.execute(select(applicants.c.id)).scalar_one()
        decision = review.record_decision(
            conn, installation.id, applicant_id, decision=review.Decision.ESCALATE, reason="legal", actor="t"
        )
        outbox.add(conn, outbox.WriteBack(installation.id, applicant_id, decision["id"]))
    assert inbox_tasks.write_back_decision(installation.id, applicant_id, decision["id"]) == "done"
    with engine.connect() as conn:
        assert outbox.statuses(conn, [decision["id"]]) == {decision["id"]: "done"}
