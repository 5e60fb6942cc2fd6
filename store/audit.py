"""The audit trail: one append-only row per screening, decision and write-back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from store.tables import audit_log


def record(
    conn: Connection,
    *,
    action: str,
    actor: str,
    installation_id: str | None,
    subject: str | None = None,
    details: dict | None = None,
) -> None:
    conn.execute(
        audit_log.insert().values(
            installation_id=installation_id,
            action=action,
            actor=actor,
            subject=subject,
            details=details or {},
        )
    )


def last_at(conn: Connection, installation_id: str, action: str, subject: str) -> datetime | None:
    """When `action` was last recorded about `subject` in this installation (None: never)."""
    return conn.execute(
        select(func.max(audit_log.c.at)).where(
            audit_log.c.installation_id == installation_id,
            audit_log.c.action == action,
            audit_log.c.subject == subject,
        )
    ).scalar_one()
