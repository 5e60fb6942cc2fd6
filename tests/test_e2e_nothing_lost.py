"""Nothing lost, with real processes: a real `celery worker` against a real Redis, the real
webhook receiver, the sandbox ATS over HTTP. No eager mode, no mocks of our own code.

(a) Redis down while webhooks arrive: deliveries are kept, the sweeper enqueues them later.
(b) The worker's process killed (SIGKILL) mid-task: redelivered, the ATS ends with one note.
(c) The ATS answering 500 and 429 for a while: retried, then done.
(d) The worker killed after the ATS stored its note but before the answer came back: the
    redelivered task finds the note by its reference and does not post it again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from connectors.registry import get_connector
from integration.app import create_app
from integration.config import Settings
from integration.sandbox.harness import SandboxThread
from integration.sandbox.state import Fault
from integration.sandbox.webhooks import encode_like_greenhouse, webhook_body
from screening.lists.store import ListStore
from store.db import engine_for
from store.installations import create_installation
from store.secretbox import SecretBox
from store.tables import audit_log, inbox
from store.writebacks import writebacks
from tasks.app import worker_command
from tests.conftest import FIXTURES, ROOT, private_redis_url

pytestmark = [pytest.mark.slow, pytest.mark.services]

SECRET_KEY = "test-secret-key-for-e2e-tests-0123456789abcdef"
WEBHOOK_SECRET = "e2e-webhook-secret"
LISTED = {"first_name": "Jamiel", "last_name": "Hamieh"}  # SDN fixture entry 6862
CLEAN = [{"first_name": "Olivia", "last_name": "Brennan"}, {"first_name": "Kenji", "last_name": "Mori"}]
E2E_REDIS_DB = int(os.environ.get("HIREWATCH_TEST_REDIS_DB", "12"))
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = TIMEOUT, logs: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tail = logs.read_text()[-4000:] if logs and logs.exists() else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tail}")


class PrivateRedis:
    """A redis-server of our own, so stopping it cannot disturb anything else on the machine."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _pings(client), "private redis-server to answer", timeout=10)

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


class Stack:
    """Lists, database, sandbox ATS and a Greenhouse installation, plus real worker processes."""

    def __init__(self, tmp_path: Path, redis_url: str, sandbox: SandboxThread):
        self.tmp_path, self.sandbox = tmp_path, sandbox
        self.env = {
            **os.environ,
            "HIREWATCH_DATA_DIR": str(tmp_path),
            "HIREWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'hw.db'}",
            "REDIS_URL": redis_url,
            "HIREWATCH_SECRET_KEY": SECRET_KEY,
            "HIREWATCH_SWEEP_SECONDS": "1",
            "HIREWATCH_ALLOW_API_URLS": sandbox.url,  # the sandbox ATS on loopback http
            "PYTHONPATH": str(ROOT),
        }
        ListStore(tmp_path / "lists").import_directory(FIXTURES / "lists" / "basic")
        self.engine = engine_for(self.env["HIREWATCH_DATABASE_URL"])
        with self.engine.begin() as conn:
            self.installation = create_installation(
                conn,
                SecretBox(SECRET_KEY),
                platform="greenhouse",
                name="Sandbox",
                webhook_secret=WEBHOOK_SECRET,
                **sandbox.credentials(),
            )
        self.workers: list[subprocess.Popen] = []
        self.log = tmp_path / "worker.log"

    def app_client(self, monkeypatch):
        for name in ("HIREWATCH_DATA_DIR", "HIREWATCH_DATABASE_URL", "REDIS_URL", "HIREWATCH_SECRET_KEY"):
            monkeypatch.setenv(name, self.env[name])
        return create_app(Settings.from_env()).test_client()

    def start_worker(self, beat: bool = False) -> subprocess.Popen:
        command = worker_command(concurrency=1)
        if beat:
            command += ["-B", "-s", str(self.tmp_path / "beat-schedule")]
        log = self.log.open("a")
        worker = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def deliver(self, client, candidate: dict) -> None:
        raw = encode_like_greenhouse(webhook_body("new_candidate_application", candidate))
        headers = get_connector("greenhouse").sign(WEBHOOK_SECRET, raw)
        response = client.post(f"/webhooks/greenhouse/{self.installation.id}", data=raw, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        response.close()  # the receiver enqueues once the reply has gone out

    def statuses(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(inbox.c.status).order_by(inbox.c.id)).scalars())

    def attempts(self) -> list[int]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(inbox.c.attempts).order_by(inbox.c.id)).scalars())

    def all_done(self, count: int) -> bool:
        statuses = self.statuses()
        return len(statuses) == count and all(s == "done" for s in statuses)


@pytest.fixture(name="shared_redis_url")
def shared_redis_url_fixture() -> str:
    url = private_redis_url(E2E_REDIS_DB)
    client = redis.Redis.from_url(url)
    if not _pings(client):
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox():
    with SandboxThread() as running:
        yield running


def pool_children(worker: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_redis_down_deliveries_kept_and_swept_later(tmp_path, monkeypatch, private_redis, sandbox) -> None:
    stack = Stack(tmp_path, private_redis.url, sandbox)
    listed = sandbox.state.add_candidate(LISTED)
    clean = [sandbox.state.add_candidate(fields) for fields in CLEAN]
    private_redis.stop()
    client = stack.app_client(monkeypatch)
    for candidate in [listed, *clean]:
        stack.deliver(client, candidate)  # answered 200 with Redis down
    assert stack.statuses() == ["received"] * 3
    private_redis.start()
    try:
        stack.start_worker(beat=True)
        wait_until(
            lambda: stack.all_done(3), "the sweeper to enqueue and the worker to finish", logs=stack.log
        )
    finally:
        stack.stop_workers()
    assert sandbox.state.writebacks(listed["id"])["tags"] == ["HireWatch: medium risk"]
    assert len(sandbox.state.writebacks(listed["id"])["notes"]) == 1
    assert all(
        sandbox.state.writebacks(c["id"]) == {"candidate_id": c["id"], "tags": [], "notes": []} for c in clean
    )
    assert sandbox.state.stats["tokens_issued"] >= 1  # signed webhook -> v3 token -> fetch -> tag + note


def kill_the_task_once(stack, monkeypatch, listed: dict, reached, what: str) -> None:
    """Deliver `listed`, SIGKILL the worker's pool once `reached()`, and see the redelivered task
    leave the ATS with one tag and one note."""
    worker = stack.start_worker()
    try:
        stack.deliver(stack.app_client(monkeypatch), listed)
        wait_until(reached, what, logs=stack.log)
        for child in pool_children(worker):
            os.kill(child, signal.SIGKILL)
        wait_until(lambda: stack.all_done(1), "the redelivered task to finish", logs=stack.log)
    finally:
        stack.stop_workers()
    assert stack.attempts() == [2]
    written = stack.sandbox.state.writebacks(listed["id"])
    assert written["tags"] == ["HireWatch: medium risk"]
    assert len(written["notes"]) == 1


def test_worker_killed_mid_task_is_redelivered_without_duplicate_note(
    tmp_path, monkeypatch, shared_redis_url, sandbox
) -> None:
    stack = Stack(tmp_path, shared_redis_url, sandbox)
    listed = sandbox.state.add_candidate(LISTED)
    slow_fetch = Fault(
        status=200, count=1, delay=8, method="GET", path_contains=f"/v3/candidates?ids={listed['id']}"
    )
    sandbox.state.faults.append(slow_fetch)
    # The process running the task dies mid-request.
    reached = lambda: slow_fetch not in sandbox.state.faults  # noqa: E731
    kill_the_task_once(stack, monkeypatch, listed, reached, "the task to reach the ATS")


def test_worker_killed_after_the_ats_stored_the_note_leaves_one_note(
    tmp_path, monkeypatch, shared_redis_url, sandbox
) -> None:
    stack = Stack(tmp_path, shared_redis_url, sandbox)
    listed = sandbox.state.add_candidate(LISTED)
    notes_path = "/v3/notes"
    sandbox.state.faults.append(Fault(status=200, count=1, hold=20, method="POST", path_contains=notes_path))
    # The note is stored, its answer held: the worker never hears of it.
    stored = lambda: sandbox.state.notes.get(listed["id"])  # noqa: E731
    kill_the_task_once(stack, monkeypatch, listed, stored, "the ATS to store the note")
    with stack.engine.connect() as conn:
        assert set(conn.execute(select(writebacks.c.status)).scalars()) == {"done"}
        noted = select(audit_log.c.details).where(audit_log.c.action == "writeback.note")
        assert [d.get("found_existing") for d in conn.execute(noted).scalars()] == [True]


def test_ats_errors_for_a_while_are_retried_then_done(
    tmp_path, monkeypatch, shared_redis_url, sandbox
) -> None:
    stack = Stack(tmp_path, shared_redis_url, sandbox)
    listed = sandbox.state.add_candidate(LISTED)
    sandbox.state.faults += [
        Fault(status=500, count=5, method="GET", path_contains=f"/v3/candidates?ids={listed['id']}"),
        Fault(status=429, count=2, method="POST", path_contains="/v3/notes", retry_after=1),
    ]
    stack.start_worker()
    try:
        stack.deliver(stack.app_client(monkeypatch), listed)
        wait_until(lambda: stack.all_done(1), "retries to get through", logs=stack.log)
    finally:
        stack.stop_workers()
    assert sandbox.state.faults == [] and sandbox.state.stats["faults"] == 7
    assert stack.attempts()[0] >= 2  # the connector gave up on the 500s once; Celery retried the task
    assert len(sandbox.state.writebacks(listed["id"])["notes"]) == 1
