"""The audit trail: one append-only row per screening, decision and write-back."""

from __future__ import annotations

from sqlalchemy import Connection

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
