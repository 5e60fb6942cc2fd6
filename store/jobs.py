"""Re-screen jobs: progress (done/total/failed/ETA), a resumable cursor, chunk state, cancel.

A job pages through the ATS. Each page is stored as a chunk, together with the cursor of the
next page, in one transaction; chunk tasks then screen the chunk's applicants. After a crash the
job resumes from the stored cursor and re-enqueues the chunks still pending: nothing is fetched
or screened twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)

from store.db import metadata
from store.tables import installations

RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"

rescreen_jobs = Table(
    "rescreen_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False, default="full"),  # full | delta | changes
    Column("status", String(16), nullable=False, default=RUNNING),
    Column("total", Integer, nullable=False, default=0),  # candidates found so far
    Column("done", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("cursor", Text),  # the connector's cursor for the next page; NULL: from the start
    Column("paging_done", Boolean, nullable=False, default=False),
    Column("requested_by", String(200), nullable=False, default="system"),
    Column("error", Text),
    Column("details", JSON, nullable=False, default=dict),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
)

rescreen_chunks = Table(
    "rescreen_chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", Integer, ForeignKey("rescreen_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("applicant_ids", JSON, nullable=False),  # our applicant row ids
    Column("status", String(16), nullable=False, default="pending"),  # pending | running | done
    UniqueConstraint("job_id", "seq", name="uq_chunk_seq"),
)


@dataclass(frozen=True, slots=True)
class JobProgress:
    id: int
    installation_id: str
    kind: str
    status: str
    total: int
    done: int
    failed: int
    paging_done: bool
    started_at: datetime
    updated_at: datetime
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status != RUNNING

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the rate so far; None until something is done or while paging."""
        processed = self.done + self.failed
        if not processed or not self.paging_done:
            return None
        elapsed = (_aware(self.updated_at) - _aware(self.started_at)).total_seconds()
        return max(0.0, (self.total - processed) * elapsed / processed)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "installation_id": self.installation_id,
            "kind": self.kind,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "paging_done": self.paging_done,
            "eta_seconds": self.eta_seconds,
            "error": self.error,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_job(
    conn: Connection,
    installation_id: str,
    kind: str = "full",
    requested_by: str = "system",
    cursor: str | None = None,
) -> int:
    """A running job; `cursor` starts the paging elsewhere than at the beginning (a changes listing)."""
    values = {
        "installation_id": installation_id,
        "kind": kind,
        "requested_by": requested_by,
        "cursor": cursor,
    }
    return conn.execute(rescreen_jobs.insert().values(**values)).inserted_primary_key[0]


def changes_since(conn: Connection, installation_id: str) -> datetime | None:
    """Where the next screening of changes starts: when the last one started, else when the
    installation was made (applicants from before then are the admin's full re-screen)."""
    last = conn.execute(
        select(func.max(rescreen_jobs.c.started_at)).where(
            rescreen_jobs.c.installation_id == installation_id, rescreen_jobs.c.kind == "changes"
        )
    ).scalar()
    if last is None:
        last = conn.execute(
            select(installations.c.created_at).where(installations.c.id == installation_id)
        ).scalar()
    return _aware(last) if last else None


def get_job(conn: Connection, job_id: int) -> JobProgress | None:
    row = conn.execute(select(rescreen_jobs).where(rescreen_jobs.c.id == job_id)).first()
    if row is None:
        return None
    return JobProgress(
        id=row.id,
        installation_id=row.installation_id,
        kind=row.kind,
        status=row.status,
        total=row.total,
        done=row.done,
        failed=row.failed,
        paging_done=row.paging_done,
        started_at=row.started_at,
        updated_at=row.updated_at,
        error=row.error,
    )


def job_cursor(conn: Connection, job_id: int) -> str | None:
    return conn.execute(select(rescreen_jobs.c.cursor).where(rescreen_jobs.c.id == job_id)).scalar()


def add_chunk(
    conn: Connection, job_id: int, applicant_ids: list[int], next_cursor: str | None, last: bool | None = None
) -> int:
    """Store one fetched page as a chunk and advance the cursor, in the caller's transaction.

    `last` defaults to "no next cursor" (the ATS has no more pages)."""
    seq = conn.execute(
        select(func.coalesce(func.max(rescreen_chunks.c.seq), 0) + 1).where(
            rescreen_chunks.c.job_id == job_id
        )
    ).scalar_one()
    chunk_id = conn.execute(
        rescreen_chunks.insert().values(job_id=job_id, seq=seq, applicant_ids=applicant_ids)
    ).inserted_primary_key[0]
    conn.execute(
        update(rescreen_jobs)
        .where(rescreen_jobs.c.id == job_id)
        .values(
            cursor=next_cursor,
            paging_done=next_cursor is None if last is None else last,
            total=rescreen_jobs.c.total + len(applicant_ids),
            updated_at=datetime.now(UTC),
        )
    )
    return chunk_id


def chunk_applicants(conn: Connection, chunk_id: int) -> tuple[int, str, list[int]] | None:
    """(job id, status, applicant row ids) of a chunk."""
    row = conn.execute(
        select(rescreen_chunks.c.job_id, rescreen_chunks.c.status, rescreen_chunks.c.applicant_ids).where(
            rescreen_chunks.c.id == chunk_id
        )
    ).first()
    return (row.job_id, row.status, list(row.applicant_ids)) if row else None


def pending_chunks(conn: Connection, job_id: int) -> list[int]:
    return list(
        conn.execute(
            select(rescreen_chunks.c.id)
            .where(rescreen_chunks.c.job_id == job_id, rescreen_chunks.c.status == "pending")
            .order_by(rescreen_chunks.c.seq)
        ).scalars()
    )


def claim_chunk(conn: Connection, chunk_id: int) -> bool:
    """pending -> running; False when another task has it (a duplicate message) or it is done."""
    claimed = conn.execute(
        update(rescreen_chunks)
        .where(rescreen_chunks.c.id == chunk_id, rescreen_chunks.c.status == "pending")
        .values(status="running")
    )
    return claimed.rowcount > 0


def release_abandoned_chunks(conn: Connection, job_id: int) -> int:
    """After a crash: chunks left `running` by a dead worker become `pending` again."""
    released = conn.execute(
        update(rescreen_chunks)
        .where(rescreen_chunks.c.job_id == job_id, rescreen_chunks.c.status == "running")
        .values(status="pending")
    )
    return released.rowcount


def finish_chunk(conn: Connection, chunk_id: int, job_id: int, done: int, failed: int) -> None:
    """Mark the chunk done and count it into the job, once (a second call changes nothing)."""
    marked = conn.execute(
        update(rescreen_chunks)
        .where(rescreen_chunks.c.id == chunk_id, rescreen_chunks.c.status.in_(("pending", "running")))
        .values(status="done")
    )
    if marked.rowcount:
        conn.execute(
            update(rescreen_jobs)
            .where(rescreen_jobs.c.id == job_id)
            .values(
                done=rescreen_jobs.c.done + done,
                failed=rescreen_jobs.c.failed + failed,
                updated_at=datetime.now(UTC),
            )
        )
    complete_if_finished(conn, job_id)


def complete_if_finished(conn: Connection, job_id: int) -> None:
    conn.execute(
        update(rescreen_jobs)
        .where(
            rescreen_jobs.c.id == job_id,
            rescreen_jobs.c.status == RUNNING,
            rescreen_jobs.c.paging_done.is_(True),
            ~select(rescreen_chunks.c.id)
            .where(rescreen_chunks.c.job_id == job_id, rescreen_chunks.c.status != "done")
            .exists(),
        )
        .values(status=DONE, finished_at=datetime.now(UTC), updated_at=datetime.now(UTC))
    )


def set_status(conn: Connection, job_id: int, status: str, error: str | None = None) -> bool:
    """Move a running job to cancelled/failed; False when it had already finished."""
    changed = conn.execute(
        update(rescreen_jobs)
        .where(rescreen_jobs.c.id == job_id, rescreen_jobs.c.status == RUNNING)
        .values(status=status, error=error, finished_at=datetime.now(UTC), updated_at=datetime.now(UTC))
    )
    return changed.rowcount > 0


def cancel_job(conn: Connection, job_id: int) -> bool:
    return set_status(conn, job_id, CANCELLED)


def unfinished_jobs(conn: Connection) -> list[int]:
    return list(conn.execute(select(rescreen_jobs.c.id).where(rescreen_jobs.c.status == RUNNING)).scalars())


def list_jobs(conn: Connection, installation_id: str, limit: int = 20) -> list[JobProgress]:
    ids = conn.execute(
        select(rescreen_jobs.c.id)
        .where(rescreen_jobs.c.installation_id == installation_id)
        .order_by(rescreen_jobs.c.id.desc())
        .limit(limit)
    ).scalars()
    return [get_job(conn, job_id) for job_id in ids]
