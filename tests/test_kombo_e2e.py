"""Kombo end to end: a signed data-changed webhook through the real receiver, then the task bodies
(inbox -> changes job -> page -> chunk) against the Kombo stand-in, real SQLite and real Redis."""

from __future__ import annotations

import json

import pytest
import redis
from sqlalchemy import select

from connectors.registry import get_connector
from integration.app import create_app
from integration.sandbox.kombo import KomboSandboxThread
from screening.lists.store import ListStore
from store.db import engine_for
from store.installations import create_installation
from store.jobs import get_job, list_jobs, pending_chunks
from store.secretbox import SecretBox
from store.tables import inbox
from tasks import inbox as inbox_tasks
from tasks import rescreen as rescreen_tasks
from tasks import runtime
from tests.conftest import FIXTURES, private_redis_url
from tests.receiver_support import TEST_SECRET_KEY, receiver_settings

KOMBO = get_connector("kombo")
WEBHOOK_SECRET = "kombo-whsec-0123456789"


@pytest.fixture
def kombo_pipeline(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'hw.db'}"
    redis_url = private_redis_url(12)
    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("HIREWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HIREWATCH_SECRET_KEY", TEST_SECRET_KEY)
    runtime.reset()
    ListStore(tmp_path / "lists").import_directory(FIXTURES / "lists" / "basic")
    app = create_app(receiver_settings(tmp_path, database_url, redis_url=redis_url))
    engine = engine_for(database_url)
    with KomboSandboxThread() as kombo:
        monkeypatch.setenv("HIREWATCH_ALLOW_API_URLS", kombo.url)  # the stand-in on loopback http
        runtime.reset()
        with engine.begin() as conn:
            installation = create_installation(
                conn,
                SecretBox(TEST_SECRET_KEY),
                platform="kombo",
                name="Acme via Kombo",
                api_key=kombo.state.api_key,
                webhook_secret=WEBHOOK_SECRET,
                api_base_url=kombo.api_base_url,
                settings={"integration_id": kombo.state.integration_id},
            )
        yield app.test_client(), engine, kombo, installation
    redis.Redis.from_url(redis_url).flushdb()


def send_data_changed(client, kombo, installation, models=("ats_candidates", "ats_applications")):
    raw_body, headers = KOMBO.signed_delivery(WEBHOOK_SECRET, kombo.state.data_changed(models))
    return client.post(f"/webhooks/kombo/{installation.id}", data=raw_body, headers=headers, buffered=True)


def run_changes(engine, client, kombo, installation) -> int:
    """Deliver a data-changed webhook and run what it sets off, in this process; the job id."""
    assert send_data_changed(client, kombo, installation).status_code == 200
    with engine.connect() as conn:
        inbox_id = conn.execute(select(inbox.c.id).order_by(inbox.c.id.desc())).scalars().first()
    assert inbox_tasks.process_inbox(inbox_id) == "done"
    with engine.connect() as conn:
        job_id = max(job.id for job in list_jobs(conn, installation.id))
    rescreen_tasks.rescreen_page(job_id)
    with engine.connect() as conn:
        chunks = pending_chunks(conn, job_id)
    for chunk_id in chunks:
        rescreen_tasks.rescreen_chunk(chunk_id)
    return job_id


def test_a_listed_applicant_is_tagged_and_noted_and_a_clean_one_left_alone(kombo_pipeline) -> None:
    client, engine, kombo, installation = kombo_pipeline
    listed = kombo.state.add_candidate(
        "Jamiel", "Hamieh", emails=["j.hamieh@example.com"]
    )  # SDN fixture 6862
    clean = kombo.state.add_candidate("Olivia", "Brennan", emails=["olivia.brennan@example.com"])
    kombo.state.add_resume(clean["id"], kombo.url, "Olivia Brennan\nBackend engineer at Brightline Software")

    job_id = run_changes(engine, client, kombo, installation)

    with engine.connect() as conn:
        job = get_job(conn, job_id)
    assert (job.kind, job.status, job.total, job.done) == ("changes", "done", 2, 2)
    written = kombo.state.writebacks(listed["id"])
    assert written["tags"] == ["HireWatch: medium risk"]
    assert len(written["notes"]) == 1 and "HAMIEH, Jamiel" in written["notes"][0]
    assert kombo.state.writebacks(clean["id"]) == {"tags": [], "notes": []}


def test_a_second_webhook_writes_nothing_twice(kombo_pipeline) -> None:
    client, engine, kombo, installation = kombo_pipeline
    listed = kombo.state.add_candidate("Jamiel", "Hamieh")
    run_changes(engine, client, kombo, installation)
    run_changes(engine, client, kombo, installation)  # the overlap lists it again
    written = kombo.state.writebacks(listed["id"])
    assert written["tags"] == ["HireWatch: medium risk"] and len(written["notes"]) == 1


def test_data_changed_for_other_models_is_answered_and_ignored(kombo_pipeline) -> None:
    client, engine, kombo, installation = kombo_pipeline
    response = send_data_changed(client, kombo, installation, models=("ats_jobs",))
    assert response.status_code == 200
    with engine.connect() as conn:
        assert conn.execute(select(inbox.c.status)).scalars().all() in ([], ["ignored"])
        assert list_jobs(conn, installation.id) == []


def test_a_forged_data_changed_is_refused(kombo_pipeline) -> None:
    client, engine, kombo, installation = kombo_pipeline
    raw_body = json.dumps(kombo.state.data_changed()).encode()
    headers = {"Content-Type": "application/json", "X-Kombo-Signature": "not-the-signature"}
    response = client.post(f"/webhooks/kombo/{installation.id}", data=raw_body, headers=headers)
    assert response.status_code == 401
    with engine.connect() as conn:
        assert conn.execute(select(inbox.c.id)).first() is None
