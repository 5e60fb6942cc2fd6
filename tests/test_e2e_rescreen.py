"""Re-screen every candidate with real worker processes: complete, resumable after a crash
(nothing fetched or screened twice), cancellable."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from integration.sandbox.harness import SandboxThread
from integration.sandbox.state import Fault
from store.tables import screenings
from tasks import runtime
from tasks.rescreen import cancel_rescreen, resume_job, start_rescreen, wait_for
from tests.test_e2e_nothing_lost import (  # noqa: F401 (shared_redis_url is a fixture)
    CLEAN,
    LISTED,
    TIMEOUT,
    Stack,
    pool_children,
    shared_redis_url_fixture,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.services]
SYNTHETIC = 250


@pytest.fixture
def stack(tmp_path, monkeypatch, shared_redis_url):
    with SandboxThread(candidates=SYNTHETIC, seed=7) as sandbox:
        stack = Stack(tmp_path, shared_redis_url, sandbox)
        for name in ("HIREWATCH_DATA_DIR", "HIREWATCH_DATABASE_URL", "REDIS_URL", "HIREWATCH_SECRET_KEY"):
            monkeypatch.setenv(name, stack.env[name])
        runtime.reset()
        yield stack
        stack.stop_workers()


def screenings_per_applicant(stack: Stack, job_id: int) -> set[int]:
    with stack.engine.connect() as conn:
        counts = conn.execute(
            select(func.count())
            .where(screenings.c.trigger == f"rescreen:{job_id}")
            .group_by(screenings.c.applicant_id)
        ).scalars()
        return set(counts)


def test_rescreen_pages_through_v3_cursors_screens_everyone_once_and_tags_the_listed(stack) -> None:
    """Tokens live 2 s here and the first pages come slowly: the run outlives several tokens."""
    state = stack.sandbox.state
    state.token_ttl = 2.0
    listed, clean = state.add_candidate(LISTED), state.add_candidate(CLEAN[0])
    state.faults.append(Fault(status=200, count=2, delay=1.0, method="GET", path_contains="/v3/candidates?"))
    stack.start_worker()
    job_id = start_rescreen(stack.installation.id, requested_by="test")
    job = wait_for(job_id, lambda _job: None, poll_seconds=0.2, timeout=TIMEOUT)
    assert (job.status, job.total, job.done, job.failed) == ("done", SYNTHETIC + 2, SYNTHETIC + 2, 0)
    assert screenings_per_applicant(stack, job_id) == {1}
    assert state.stats["tokens_issued"] >= 2  # renewed mid-run, no 401 let through
    assert state.writebacks(listed["id"])["tags"] == ["HireWatch: medium risk"]
    assert state.writebacks(clean["id"])["tags"] == state.writebacks(clean["id"])["notes"] == []


def test_rescreen_resumes_after_the_worker_dies_without_doing_work_twice(stack) -> None:
    slow_pages = Fault(status=200, count=2, delay=1.5, method="GET", path_contains="/v3/candidates")
    stack.sandbox.state.faults.append(slow_pages)
    worker = stack.start_worker()
    job_id = start_rescreen(stack.installation.id, requested_by="test")
    wait_until(lambda: slow_pages.count == 1, "the second page request", logs=stack.log)
    for pid in [*pool_children(worker), worker.pid]:
        os.kill(pid, signal.SIGKILL)  # the whole worker dies while a page is in flight
    worker.wait()
    stack.start_worker()
    resume_job(job_id)
    job = wait_for(job_id, lambda _job: None, poll_seconds=0.2, timeout=TIMEOUT)
    assert (job.status, job.total, job.done) == ("done", SYNTHETIC, SYNTHETIC)  # no page counted twice
    assert screenings_per_applicant(stack, job_id) == {1}  # and nobody screened twice


def test_rescreen_can_be_cancelled(stack) -> None:
    stack.sandbox.state.faults.append(
        Fault(status=200, count=5, delay=1.0, method="GET", path_contains="/v3/")
    )
    stack.start_worker()
    job_id = start_rescreen(stack.installation.id, requested_by="test")
    assert cancel_rescreen(job_id, requested_by="test") is True
    job = wait_for(job_id, lambda _job: None, poll_seconds=0.2, timeout=TIMEOUT)
    assert job.status == "cancelled"
    assert cancel_rescreen(job_id) is False


def test_rescreen_command_shows_progress_and_the_outcome(stack) -> None:
    from click.testing import CliRunner

    from integration.cli import main

    stack.start_worker()
    result = CliRunner().invoke(main, ["rescreen", stack.installation.id])
    assert result.exit_code == 0, result.output
    assert f"screened, 0 failed of {SYNTHETIC}" in result.output
    missing = CliRunner().invoke(main, ["rescreen", "--cancel", "999"])
    assert missing.exit_code != 0 and "is not running" in missing.output
