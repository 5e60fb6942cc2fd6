"""Applicants we have seen, their identity fingerprint, and every screening of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, select, update

from screening.models import Applicant, Attachment, ScreeningResult
from store import review
from store.tables import applicants, audit_log, screenings

# The fields a screening reads. A change in any of them means the verdict may change; a change
# elsewhere (stage, tags, attachment URLs that expire weekly) does not trigger a re-screen.
IDENTITY_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "addresses",
    "location",
    "urls",
    "employers",
    "education",
    "resume_text",
    "cover_letter",
    "answers",
    "date_of_birth",
)


def identity_fingerprint(applicant: Applicant) -> str:
    identity = {field: getattr(applicant, field) for field in IDENTITY_FIELDS}
    identity["name"] = applicant.full_name
    encoded = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def applicant_from_data(data: dict) -> Applicant:
    fields = dict(data)
    fields["attachments"] = [Attachment(**a) for a in fields.get("attachments", [])]
    return Applicant(**fields)


@dataclass(frozen=True, slots=True)
class Upserted:
    row_id: int
    created: bool
    identity_changed: bool  # new, or any identity field differs from what we stored


def upsert_applicant(conn: Connection, installation_id: str, applicant: Applicant) -> Upserted:
    fingerprint = identity_fingerprint(applicant)
    values = {
        "application_id": applicant.source.get("application_id"),
        "name": applicant.full_name[:500],
        "data": asdict(applicant),
        "fingerprint": fingerprint,
        "updated_at": datetime.now(UTC),
    }
    existing = conn.execute(
        select(applicants.c.id, applicants.c.fingerprint).where(
            applicants.c.installation_id == installation_id, applicants.c.external_id == applicant.id
        )
    ).first()
    if existing is None:
        row_id = conn.execute(
            applicants.insert().values(installation_id=installation_id, external_id=applicant.id, **values)
        ).inserted_primary_key[0]
        return Upserted(row_id, created=True, identity_changed=True)
    conn.execute(update(applicants).where(applicants.c.id == existing.id).values(**values))
    return Upserted(existing.id, created=False, identity_changed=existing.fingerprint != fingerprint)


def get_applicant(conn: Connection, row_id: int) -> tuple[str, Applicant] | None:
    """(installation id, applicant) for our row id."""
    row = conn.execute(
        select(applicants.c.installation_id, applicants.c.data).where(applicants.c.id == row_id)
    ).first()
    return (row.installation_id, applicant_from_data(row.data)) if row else None


def get_applicants(conn: Connection, row_ids: list[int]) -> dict[int, Applicant]:
    """Row id -> applicant, in one query (rows deleted meanwhile are simply absent)."""
    if not row_ids:
        return {}
    rows = conn.execute(select(applicants.c.id, applicants.c.data).where(applicants.c.id.in_(row_ids)))
    return {row.id: applicant_from_data(row.data) for row in rows}


def find_row_id(conn: Connection, installation_id: str, external_id: str) -> int | None:
    return conn.execute(
        select(applicants.c.id).where(
            applicants.c.installation_id == installation_id, applicants.c.external_id == external_id
        )
    ).scalar()


def delete_applicant(conn: Connection, installation_id: str, external_id: str) -> bool:
    """Drop our copy and its screenings (deleted or anonymised in the ATS)."""
    deleted = conn.execute(
        delete(applicants).where(
            applicants.c.installation_id == installation_id, applicants.c.external_id == external_id
        )
    )
    return deleted.rowcount > 0


@dataclass(frozen=True, slots=True)
class Screened:
    row_id: int
    external_id: str
    result: ScreeningResult


def record_screenings(
    conn: Connection, installation_id: str, screened: list[Screened], trigger: str, actor: str = "worker"
) -> None:
    """Store screenings, make each the applicant's latest verdict, and audit each: three bulk
    statements however many applicants (a re-screen chunk records a hundred at once)."""
    if not screened:
        return
    now = datetime.now(UTC)
    conn.execute(
        screenings.insert(),
        [
            {
                "installation_id": installation_id,
                "applicant_id": s.row_id,
                "trigger": trigger[:32],
                "risk": str(s.result.risk),
                "score": s.result.score,
                "result": json.loads(json.dumps(s.result.to_dict(), default=str)),
                "list_versions": s.result.lists,
                "ruleset_version": s.result.ruleset_version,
            }
            for s in screened
        ],
    )
    for needs_review in (True, False):
        group = [s for s in screened if s.result.needs_review == needs_review]
        if not group:
            continue
        statement = (
            update(applicants)
            .where(applicants.c.id == bindparam("row_id"))
            .values(
                risk=bindparam("new_risk"),
                score=bindparam("new_score"),
                updated_at=now,
                **({"review_status": "pending"} if needs_review else {}),
            )
        )
        conn.execute(
            statement,
            [
                {"row_id": s.row_id, "new_risk": str(s.result.risk), "new_score": s.result.score}
                for s in group
            ],
        )
    review.settle_review_status(conn, [s.row_id for s in screened if not s.result.needs_review])
    conn.execute(
        audit_log.insert(),
        [
            {
                "installation_id": installation_id,
                "actor": actor,
                "action": "screening",
                "subject": s.external_id,
                "at": now,
                "details": {
                    "trigger": trigger,
                    "risk": str(s.result.risk),
                    "score": s.result.score,
                    "lists": s.result.lists,
                    "hits": len(s.result.sanctions_hits),
                    "flags": [f.code for f in s.result.flags],
                },
            }
            for s in screened
        ],
    )


def latest_screening(conn: Connection, row_id: int) -> dict | None:
    row = conn.execute(
        select(screenings.c.id, screenings.c.trigger, screenings.c.risk, screenings.c.result)
        .where(screenings.c.applicant_id == row_id)
        .order_by(screenings.c.id.desc())
        .limit(1)
    ).first()
    return row._asdict() if row else None


def screened_by(conn: Connection, row_ids: list[int], trigger: str) -> set[int]:
    """Which of these applicants already have a screening with this trigger (resumed jobs skip them)."""
    if not row_ids:
        return set()
    return set(
        conn.execute(
            select(screenings.c.applicant_id).where(
                screenings.c.applicant_id.in_(row_ids), screenings.c.trigger == trigger
            )
        ).scalars()
    )


def iter_applicants(
    conn: Connection, installation_id: str | None = None
) -> Iterator[tuple[int, str, Applicant]]:
    """(row id, installation id, applicant) for every stored applicant, streamed in id order."""
    query = select(applicants.c.id, applicants.c.installation_id, applicants.c.data).order_by(applicants.c.id)
    if installation_id is not None:
        query = query.where(applicants.c.installation_id == installation_id)
    for row in conn.execution_options(yield_per=1000).execute(query):
        yield row.id, row.installation_id, applicant_from_data(row.data)


def hits_of_flagged(conn: Connection) -> Iterator[tuple[int, str, list[dict]]]:
    """(row id, installation id, sanctions hits of the latest screening) of applicants not clear."""
    flagged = select(applicants.c.id, applicants.c.installation_id).where(
        applicants.c.risk.is_not(None), applicants.c.risk != "clear"
    )
    for row in conn.execute(flagged).all():
        latest = latest_screening(conn, row.id)
        hits = (latest or {}).get("result", {}).get("sanctions_hits", [])
        if hits:
            yield row.id, row.installation_id, hits
