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

from store.tables import inbox, seen_signatures

MISSING_IN_ATS = "missing_in_ats"  # the ATS answered 404 for the candidate: kept, shown to the admin
DELETE_UNCONFIRMED = "delete_unconfirmed"  # a signed delete the ATS contradicts: kept, shown
FINAL_STATUSES = ("done", "ignored", "failed", MISSING_IN_ATS, DELETE_UNCONFIRMED)

# Never stored: credentials a sender might add, and the handshake secret.
_SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "x-hook-secret", "proxy-authorization"})


@dataclass(frozen=True, slots=True)
class Accepted:
    inbox_id: int | None  # None: a replay of a signature whose event was ignored
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
    replay_key: str | None = None,
    candidate_id: str | None = None,
) -> Accepted:
    """Insert and COMMIT the delivery, and its signature's `replay_key` in the same transaction;
    a replay (same dedupe key, or same signed material) returns the earlier row, marked duplicate."""
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
                    candidate_id=str(candidate_id)[:200] if candidate_id is not None else None,
                )
                .returning(inbox.c.id)
            ).scalar_one()
            if replay_key is not None:
                _insert_signature(conn, installation_id, replay_key, inbox_id)
        return Accepted(inbox_id, duplicate=False)
    except IntegrityError:
        earlier = _earlier_delivery(engine, installation_id, dedupe_key, replay_key)
        if earlier is None:  # the violation was something else (e.g. the installation vanished)
            raise
        return earlier


def remember_signature(engine: Engine, installation_id: str, replay_key: str) -> bool:
    """Record (and COMMIT) a verified signature whose event we do not keep; False: seen before."""
    try:
        with engine.begin() as conn:
            _insert_signature(conn, installation_id, replay_key, None)
        return True
    except IntegrityError:
        if _earlier_delivery(engine, installation_id, None, replay_key) is None:
            raise
        return False


def _insert_signature(conn: Connection, installation_id: str, replay_key: str, inbox_id: int | None) -> None:
    conn.execute(
        seen_signatures.insert().values(
            installation_id=installation_id, replay_key=replay_key[:200], inbox_id=inbox_id
        )
    )


def _earlier_delivery(
    engine: Engine, installation_id: str, dedupe_key: str | None, replay_key: str | None
) -> Accepted | None:
    """The delivery a replay repeats (its inbox id is None when that event was not kept)."""
    with engine.connect() as conn:
        if dedupe_key is not None:
            found = conn.execute(
                select(inbox.c.id).where(
                    inbox.c.installation_id == installation_id, inbox.c.dedupe_key == dedupe_key[:200]
                )
            ).first()
            if found is not None:
                return Accepted(found.id, duplicate=True)
        if replay_key is not None:
            found = conn.execute(
                select(seen_signatures.c.inbox_id).where(
                    seen_signatures.c.installation_id == installation_id,
                    seen_signatures.c.replay_key == replay_key[:200],
                )
            ).first()
            if found is not None:
                return Accepted(found.inbox_id, duplicate=True)
    return None


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


ERASED_REASON = "the candidate was deleted or anonymised in the ATS before this delivery was processed"


def erase_candidate(conn: Connection, installation_id: str, candidate_id: str) -> int:
    """Purge the raw bodies (names, e-mails, phones) of every delivery about this candidate; those
    not yet processed end `ignored`. The rows stay, without personal data, for dedupe and audit."""
    about = (inbox.c.installation_id == installation_id, inbox.c.candidate_id == str(candidate_id)[:200])
    conn.execute(
        inbox.update()
        .where(*about, inbox.c.status.in_(("received", "queued")))
        .values(status="ignored", last_error=ERASED_REASON, processed_at=func.now())
    )
    return _erase(conn, *about)


def expire_bodies(conn: Connection, older_than: timedelta) -> int:
    """Purge the bodies of deliveries processed more than `older_than` ago (the retention period)."""
    cutoff = datetime.now(UTC) - older_than
    return _erase(conn, inbox.c.processed_at.is_not(None), inbox.c.processed_at <= cutoff)


def _erase(conn: Connection, *where) -> int:
    result = conn.execute(
        inbox.update()
        .where(*where, inbox.c.body_erased_at.is_(None))
        .values(body="", headers={}, body_erased_at=func.now())
    )
    return result.rowcount


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
