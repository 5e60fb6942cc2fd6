"""The write-back ledger: what HireWatch wrote to each ATS candidate, so no write happens twice.

Every write (tag, tag removal, note) is keyed by (installation, candidate, verdict hash, action,
target). A task run twice, or redelivered after a worker died, finds the step `done` and skips
it; a step found `pending` may have reached the ATS before the worker died (`tasks.writeback`
then looks for the note on the ATS by its reference). `writeback_state` remembers the verdict and
the tags the ATS currently shows from us: a new tag and note are written only when the verdict
hash differs from it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from screening.models import ScreeningResult
from store.db import metadata

writeback_state = Table(
    "writeback_state",
    metadata,
    Column("installation_id", String(64), nullable=False),
    Column("candidate_id", String(200), nullable=False),
    Column("verdict_hash", String(64), nullable=False),
    Column("risk", String(16), nullable=False),
    Column("tags", JSON, nullable=False, default=list),  # our tags the ATS shows now
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("installation_id", "candidate_id"),
)

writebacks = Table(
    "writebacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), nullable=False),
    Column("candidate_id", String(200), nullable=False),
    Column("verdict_hash", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # tag | untag | note | verdict
    Column("target", String(200), nullable=False),  # tag name, "note", or the verdict value
    Column("status", String(16), nullable=False, default="pending"),  # pending | done
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("done_at", DateTime(timezone=True)),
    UniqueConstraint(
        "installation_id", "candidate_id", "verdict_hash", "action", "target", name="uq_writeback"
    ),
)


def verdict_hash(result: ScreeningResult) -> str:
    """What the recruiter would see change: the risk, which entries matched, which flags fired,
    and the note's reasons (a reviewer's decision adds one, and drops a suppressed hit's)."""
    verdict = {
        "risk": str(result.risk),
        "hits": sorted(f"{h.list}:{h.entity_id}:{h.matched_on}" for h in result.sanctions_hits),
        "flags": sorted(f.code for f in result.flags),
        "reasons": list(result.reasons),
    }
    return hashlib.sha256(json.dumps(verdict, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WrittenState:
    verdict_hash: str
    risk: str
    tags: list[str]


def last_written(conn: Connection, installation_id: str, candidate_id: str) -> WrittenState | None:
    row = conn.execute(
        select(writeback_state.c.verdict_hash, writeback_state.c.risk, writeback_state.c.tags).where(
            writeback_state.c.installation_id == installation_id,
            writeback_state.c.candidate_id == candidate_id,
        )
    ).first()
    return WrittenState(row.verdict_hash, row.risk, list(row.tags)) if row else None


def ever_written(conn: Connection, installation_id: str, candidate_ids: list[str]) -> set[str]:
    """Which of these candidates HireWatch has written to (the others show nothing of ours)."""
    if not candidate_ids:
        return set()
    return set(
        conn.execute(
            select(writeback_state.c.candidate_id).where(
                writeback_state.c.installation_id == installation_id,
                writeback_state.c.candidate_id.in_(candidate_ids),
            )
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class WriteStep:
    """One write to one candidate for one verdict: the ledger's key."""

    installation_id: str
    candidate_id: str
    verdict_hash: str
    action: str  # tag | untag | note
    target: str  # the tag name, or "note"

    @property
    def reference(self) -> str:
        """A short, stable id for this write: a note carries it so a retry can find it on the ATS."""
        key = "|".join((self.installation_id, self.candidate_id, self.verdict_hash, self.action, self.target))
        return "hw-" + hashlib.sha256(key.encode()).hexdigest()[:12]

    def where(self):
        return (
            (writebacks.c.installation_id == self.installation_id)
            & (writebacks.c.candidate_id == self.candidate_id)
            & (writebacks.c.verdict_hash == self.verdict_hash)
            & (writebacks.c.action == self.action)
            & (writebacks.c.target == self.target)
        )


def step_status(conn: Connection, step: WriteStep) -> str:
    """Record the step (once) and say where it stands.

    `new`: recorded now, no attempt made yet. `pending`: an earlier attempt started and never
    finished, so its API call may or may not have reached the ATS. `done`: nothing left to do.
    """
    try:
        with conn.begin_nested():
            conn.execute(
                writebacks.insert().values(
                    installation_id=step.installation_id,
                    candidate_id=step.candidate_id,
                    verdict_hash=step.verdict_hash,
                    action=step.action,
                    target=step.target,
                    status="pending",
                )
            )
        return "new"
    except IntegrityError:
        return conn.execute(select(writebacks.c.status).where(step.where())).scalar_one()


def mark_done(conn: Connection, step: WriteStep) -> None:
    conn.execute(update(writebacks).where(step.where()).values(status="done", done_at=datetime.now(UTC)))


def set_written(conn: Connection, installation_id: str, candidate_id: str, state: WrittenState) -> None:
    values = {
        "verdict_hash": state.verdict_hash,
        "risk": state.risk,
        "tags": state.tags,
        "updated_at": datetime.now(UTC),
    }
    changed = conn.execute(
        update(writeback_state)
        .where(
            writeback_state.c.installation_id == installation_id,
            writeback_state.c.candidate_id == candidate_id,
        )
        .values(**values)
    )
    if changed.rowcount == 0:
        conn.execute(
            writeback_state.insert().values(
                installation_id=installation_id, candidate_id=candidate_id, **values
            )
        )


def forget(conn: Connection, installation_id: str, candidate_id: str) -> None:
    """The candidate is gone from the ATS: drop what we remembered writing to it."""
    for table in (writeback_state, writebacks):
        conn.execute(
            delete(table).where(
                table.c.installation_id == installation_id, table.c.candidate_id == candidate_id
            )
        )


def notes_written(conn: Connection, installation_id: str, candidate_id: str) -> int:
    return conn.execute(
        select(func.count()).where(
            writebacks.c.installation_id == installation_id,
            writebacks.c.candidate_id == candidate_id,
            writebacks.c.action == "note",
            writebacks.c.status == "done",
        )
    ).scalar_one()
