"""The durable webhook inbox: every accepted delivery is a row before the sender hears 2xx.

Status: received -> queued -> done | ignored | failed | missing_in_ats | delete_unconfirmed
(see FINAL_STATUSES). The receiver commits a new row as
`queued` (one commit per delivery: the enqueue follows the reply); if the broker then refuses
the message the row goes back to `received`, and if the process dies in between it is a stuck
`queued` row: the pipeline's sweeper re-enqueues both. A delivery whose dedupe key is already
present for the installation is a replay: no new row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, Row, func, select
from sqlalchemy.exc import IntegrityError

from store.tables import inbox

MISSING_IN_ATS = "missing_in_ats"  # the ATS answered 404 for the candidate: kept, shown to the admin
DELETE_UNCONFIRMED = "delete_unconfirmed"  # a signed delete the ATS contradicts: kept, shown
FINAL_STATUSES = ("done", "ignored", "failed", MISSING_IN_ATS, DELETE_UNCONFIRMED)

# Never stored: credentials a sender might add, and the handshake secret.
_SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "x-hook-secret", "proxy-authorization"})


@dataclass(frozen=True, slots=True)
class Accepted:
    inbox_id: int
    duplicate: bool


def body_dedupe_key(raw_body: bytes) -> str:
    """The dedupe key for platforms that send no event id: the body's hash."""
    return "sha256:" + hashlib.sha256(raw_body).hexdigest()


def storable_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items() if name.lower() not in _SENSITIVE_HEADERS}


def accept_delivery(
    engine: Engine,
    *,
    installation_id: str,
    platform: str,
    dedupe_key: str,
    event_type: str,
    event_kind: str,
    raw_body: bytes,
    headers: dict[str, str],
) -> Accepted:
    """Insert and COMMIT the delivery; a replay returns the existing row's id, marked duplicate."""
    try:
        with engine.begin() as conn:
            inbox_id = conn.execute(
                inbox.insert()
                .values(
                    installation_id=installation_id,
                    platform=platform,
                    dedupe_key=dedupe_key[:200],
                    event_type=event_type[:100],
                    event_kind=event_kind,
                    body=raw_body.decode("utf-8", errors="replace"),
                    headers=storable_headers(headers),
                    status="queued",
                    enqueued_at=func.now(),
                )
                .returning(inbox.c.id)
            ).scalar_one()
        return Accepted(inbox_id, duplicate=False)
    except IntegrityError:
        with engine.connect() as conn:
            existing = conn.execute(
                select(inbox.c.id).where(
                    inbox.c.installation_id == installation_id, inbox.c.dedupe_key == dedupe_key[:200]
                )
            ).scalar_one_or_none()
        if existing is None:  # the violation was something else (e.g. the installation vanished)
            raise
        return Accepted(existing, duplicate=True)


def mark_queued(conn: Connection, inbox_id: int) -> bool:
    """received -> queued; a no-op if a worker already moved the row on (it may be that fast)."""
    result = conn.execute(
        inbox.update()
        .where(inbox.c.id == inbox_id, inbox.c.status == "received")
        .values(status="queued", enqueued_at=func.now())
    )
    return result.rowcount > 0


def mark_unqueued(conn: Connection, inbox_id: int) -> bool:
    """queued -> received: the broker refused the message, so the sweeper must send it."""
    result = conn.execute(
        inbox.update()
        .where(inbox.c.id == inbox_id, inbox.c.status == "queued")
        .values(status="received", enqueued_at=None)
    )
    return result.rowcount > 0


def get_delivery(conn: Connection, inbox_id: int) -> Row | None:
    return conn.execute(select(inbox).where(inbox.c.id == inbox_id)).first()


def unqueued_ids(conn: Connection, older_than: timedelta, limit: int = 500) -> list[int]:
    """Deliveries still `received` after `older_than`: what a sweeper must enqueue."""
    cutoff = datetime.now(UTC) - older_than
    query = (
        select(inbox.c.id)
        .where(inbox.c.status == "received", inbox.c.received_at <= cutoff)
        .order_by(inbox.c.received_at, inbox.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def missing_streak(conn: Connection, installation_id: str) -> tuple[int, datetime | None]:
    """Deliveries answered 404 by the ATS since the last one that worked (in arrival order), and
    when the latest of them was processed: a streak means a wrong API URL, not deleted people."""
    last_done = select(func.coalesce(func.max(inbox.c.id), 0)).where(
        inbox.c.installation_id == installation_id, inbox.c.status == "done"
    )
    count, latest = conn.execute(
        select(func.count(), func.max(inbox.c.processed_at)).where(
            inbox.c.installation_id == installation_id,
            inbox.c.status == MISSING_IN_ATS,
            inbox.c.id > last_done.scalar_subquery(),
        )
    ).one()
    return count, latest
