"""The tables shared by the receiver, the workers and the admin API."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from store.db import metadata

installations = Table(
    "installations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    # Fernet tokens: API key and webhook secret are never stored in the clear.
    Column("api_key_enc", LargeBinary),
    Column("webhook_secret_enc", LargeBinary),
    Column("api_base_url", String(500)),
    # OAuth client credentials (Greenhouse Harvest v3): the id in the clear, the secret encrypted.
    Column("client_id", String(500)),
    Column("client_secret_enc", LargeBinary),
    Column("token_url", String(500)),  # the vendor's token endpoint, when not its default
    Column("on_behalf_of", String(200)),
    Column("settings", JSON, nullable=False, default=dict),  # tag names, note text, ...
    Column("status", String(32), nullable=False, default="active"),  # active | aborted: <reason>
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Every accepted webhook delivery, committed before we answer 2xx: nothing accepted is lost.
inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE")),
    Column("platform", String(32), nullable=False),
    Column("dedupe_key", String(200), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("event_kind", String(32), nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False, default=dict),
    # received -> queued -> done | ignored | failed
    Column("status", String(32), nullable=False, default="received"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("enqueued_at", DateTime(timezone=True)),
    Column("processed_at", DateTime(timezone=True)),
    UniqueConstraint("installation_id", "dedupe_key", name="uq_inbox_dedupe"),
    Index("ix_inbox_status", "status", "received_at"),
)

applicants = Table(
    "applicants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE")),
    Column("external_id", String(200), nullable=False),  # the ATS candidate id
    Column("application_id", String(200)),
    Column("name", String(500), nullable=False, default=""),
    Column("data", JSON, nullable=False),  # the Applicant dataclass as a dict
    Column("fingerprint", String(64), nullable=False),  # hash of identity fields: re-screen on change
    Column("risk", String(16)),  # latest verdict, for the queue and filters
    Column("score", Float),
    Column("review_status", String(32), nullable=False, default="none"),  # none | pending | decided
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("installation_id", "external_id", name="uq_applicant_external"),
    Index("ix_applicants_risk", "installation_id", "risk"),
)

screenings = Table(
    "screenings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE")),
    Column("applicant_id", Integer, ForeignKey("applicants.id", ondelete="CASCADE"), nullable=False),
    Column("trigger", String(32), nullable=False),  # webhook | rescreen | delta | decision | cli
    Column("risk", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("result", JSON, nullable=False),  # ScreeningResult.to_dict()
    Column("list_versions", JSON, nullable=False),
    Column("ruleset_version", String(32), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_screenings_applicant", "applicant_id", "id"),
)

# Append-only record of every screening, decision and write-back.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), index=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", String(200), nullable=False),  # system | worker | user:<email> | token:<id>
    Column("action", String(64), nullable=False),  # screening | decision | writeback.tag | ...
    Column("subject", String(200)),  # applicant external id, job id, list name...
    Column("details", JSON, nullable=False, default=dict),
)
