"""Applicants, the write-back ledger and re-screen jobs, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import replace

from screening.models import Applicant, Risk, ScreeningResult
from store.applicants import (
    Screened,
    delete_applicant,
    get_applicant,
    latest_screening,
    record_screenings,
    screened_by,
    upsert_applicant,
)
from store.db import make_engine
from store.jobs import add_chunk, cancel_job, create_job, finish_chunk, get_job, pending_chunks
from store.tables import installations
from store.writebacks import WriteStep, WrittenState, last_written, mark_done, set_written, step_status


def _engine(db_url: str):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(installations.insert().values(id="i1", platform="greenhouse", name="Acme", settings={}))
    return engine


def test_upsert_notices_identity_changes_only(db_url: str) -> None:
    engine = _engine(db_url)
    applicant = Applicant(id="c1", first_name="Jon", last_name="Smith", emails=["jon@example.com"])
    with engine.begin() as conn:
        first = upsert_applicant(conn, "i1", applicant)
        same = upsert_applicant(conn, "i1", replace(applicant, source={"stage": "interview"}))
        moved = upsert_applicant(conn, "i1", replace(applicant, phones=["+14155550100"]))
        assert (first.created, first.identity_changed) == (True, True)
        assert (same.created, same.identity_changed) == (False, False)
        assert moved.identity_changed and moved.row_id == first.row_id
        assert get_applicant(conn, first.row_id)[1].phones == ["+14155550100"]


def test_screenings_recorded_latest_first_and_deleted_with_applicant(db_url: str) -> None:
    engine = _engine(db_url)
    with engine.begin() as conn:
        row_id = upsert_applicant(conn, "i1", Applicant(id="c1", name="A B")).row_id
        for trigger, risk in (("webhook", Risk.CLEAR), ("rescreen:1", Risk.MEDIUM)):
            result = ScreeningResult(id="c1", risk=risk, score=1.0, sanctions_hits=[], flags=[], lists={})
            record_screenings(conn, "i1", [Screened(row_id, "c1", result)], trigger)
        assert latest_screening(conn, row_id)["risk"] == "medium"
        assert screened_by(conn, [row_id], "rescreen:1") == {row_id}
        assert screened_by(conn, [row_id], "rescreen:2") == set()
        assert delete_applicant(conn, "i1", "c1") is True
        assert latest_screening(conn, row_id) is None


def test_each_write_step_is_done_once(db_url: str) -> None:
    engine = _engine(db_url)
    step = WriteStep("i1", "c1", "v1", "note", "note")
    with engine.begin() as conn:
        assert step_status(conn, step) == "new"
    with engine.begin() as conn:
        assert step_status(conn, step) == "pending"  # an attempt started, maybe reached the ATS
        mark_done(conn, step)
    with engine.begin() as conn:
        assert step_status(conn, step) == "done"
        set_written(conn, "i1", "c1", WrittenState("v1", "high", ["HireWatch: high risk"]))
        set_written(conn, "i1", "c1", WrittenState("v2", "clear", []))
        assert last_written(conn, "i1", "c1") == WrittenState("v2", "clear", [])


def test_a_step_reference_is_short_stable_and_per_step() -> None:
    step = WriteStep("i1", "c1", "v1", "note", "note")
    assert step.reference == WriteStep("i1", "c1", "v1", "note", "note").reference
    assert re.fullmatch(r"hw-[0-9a-f]{12}", step.reference)
    others = [WriteStep("i2", "c1", "v1", "note", "note"), WriteStep("i1", "c2", "v1", "note", "note")]
    others.append(WriteStep("i1", "c1", "v2", "note", "note"))  # another verdict: another note
    assert step.reference not in {other.reference for other in others}


def test_job_progress_resume_and_cancel(db_url: str) -> None:
    engine = _engine(db_url)
    with engine.begin() as conn:
        job_id = create_job(conn, "i1")
        first = add_chunk(conn, job_id, [1, 2], next_cursor="page-2")
        second = add_chunk(conn, job_id, [3], next_cursor=None)
        assert pending_chunks(conn, job_id) == [first, second]
        finish_chunk(conn, first, job_id, done=2, failed=0)
        finish_chunk(conn, first, job_id, done=2, failed=0)  # a redelivered chunk counts once
        progress = get_job(conn, job_id)
        assert (progress.total, progress.done, progress.status) == (3, 2, "running")
        assert progress.eta_seconds is not None
        finish_chunk(conn, second, job_id, done=0, failed=1)
        assert get_job(conn, job_id).status == "done"
        assert get_job(conn, job_id).failed == 1
        other = create_job(conn, "i1")
        assert cancel_job(conn, other) is True
        assert cancel_job(conn, other) is False
        assert get_job(conn, other).status == "cancelled"
