"""The decision write-back outbox: a reviewer's decision must reach the ATS even if Redis is down.

The decision and its outbox row are committed together. The row is `pending` until the
`tasks.write_back_decision` task has brought the ATS in line (`done`) or given up (`failed`);
`enqueued_at` says when the task was last handed to the queue (None: the queue was unreachable).
The beat sweeper (`tasks.outbox`) sends rows that never reached the queue, and those whose task
went missing. What a reviewer sees is `writeback_status`: pending | queued | done | failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    func,
    or_,
    select,
)

from store.db import metadata

PENDING, DONE, FAILED = "pending", "done", "failed"

decision_outbox = Table(
    "decision_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False),
    Column("applicant_id", Integer, ForeignKey("applicants.id", ondelete="CASCADE"), nullable=False),
    Column(
        "decision_id",
        Integer,
        ForeignKey("review_decisions.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("status", String(16), nullable=False, default=PENDING),  # pending | done | failed
    Column("enqueued_at", DateTime(timezone=True)),  # last handed to the queue; None: not yet
    Column("sends", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
)


@dataclass(frozen=True, slots=True)
class WriteBack:
    installation_id: str
    applicant_id: int
    decision_id: int

    def task_kwargs(self) -> dict:
        return {
            "installation_id": self.installation_id,
            "applicant_id": self.applicant_id,
            "decision_id": self.decision_id,
        }


def add(conn: Connection, write_back: WriteBack) -> None:
    conn.execute(decision_outbox.insert().values(**write_back.task_kwargs(), status=PENDING))


def mark_sent(conn: Connection, decision_id: int) -> None:
    conn.execute(
        decision_outbox.update()
        .where(decision_outbox.c.decision_id == decision_id)
        .values(enqueued_at=func.now(), sends=decision_outbox.c.sends + 1)
    )


def finish(conn: Connection, decision_id: int, status: str, error: str | None = None) -> None:
    """The task is over: `done` (the ATS is in line with the decision) or `failed` (with why)."""
    conn.execute(
        decision_outbox.update()
        .where(decision_outbox.c.decision_id == decision_id, decision_outbox.c.status == PENDING)
        .values(status=status, last_error=error, finished_at=func.now())
    )


def due(conn: Connection, unsent_for: timedelta, stuck_for: timedelta, limit: int = 200) -> list[WriteBack]:
    """Pending write-backs to send (again): never reached the queue for `unsent_for`, or handed to
    it longer than `stuck_for` ago without finishing (its task was lost)."""
    now = datetime.now(UTC)
    rows = conn.execute(
        select(
            decision_outbox.c.installation_id, decision_outbox.c.applicant_id, decision_outbox.c.decision_id
        )
        .where(
            decision_outbox.c.status == PENDING,
            or_(
                (decision_outbox.c.enqueued_at.is_(None))
                & (decision_outbox.c.created_at <= now - unsent_for),
                decision_outbox.c.enqueued_at <= now - stuck_for,
            ),
        )
        .order_by(decision_outbox.c.id)
        .limit(limit)
    )
    return [WriteBack(*row) for row in rows]


def writeback_status(status: str, enqueued_at: datetime | None) -> str:
    """What the reviewer is told: pending (not yet with the workers), queued, done or failed."""
    if status != PENDING:
        return status
    return "queued" if enqueued_at is not None else PENDING


def statuses(conn: Connection, decision_ids: Iterable[int]) -> dict[int, str]:
    rows = conn.execute(
        select(decision_outbox.c.decision_id, decision_outbox.c.status, decision_outbox.c.enqueued_at).where(
            decision_outbox.c.decision_id.in_(list(decision_ids))
        )
    )
    return {row.decision_id: writeback_status(row.status, row.enqueued_at) for row in rows}
