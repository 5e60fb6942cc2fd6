"""Installations (one per ATS account): credentials encrypted at rest, per-tenant settings.

Reads return `connectors.base.Installation` with the secrets decrypted, for the code that needs
them (receiver, workers); `list_installations` returns `InstallationInfo`, which carries none.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from connectors.base import Installation
from store.inbox import missing_streak
from store.secretbox import SecretBox
from store.tables import installations

# Tag names per risk level (no tag for "clear") and the note written with a tag.
DEFAULT_SETTINGS: dict[str, Any] = {
    "tags": {
        "critical": "HireWatch: critical risk",
        "high": "HireWatch: high risk",
        "medium": "HireWatch: medium risk",
        "low": "HireWatch: low risk",
    },
    "note_template": (
        "HireWatch screening: {risk} risk. This is not a decision; a person reviews every "
        "potential match.\n{reasons}\nDetails: {review_url}"
    ),
}

_UPDATABLE = (
    "name",
    "api_key",
    "webhook_secret",
    "api_base_url",
    "client_id",
    "client_secret",
    "token_url",
    "on_behalf_of",
    "settings",
    "status",
)
_ENCRYPTED = ("api_key", "webhook_secret", "client_secret")


ACTIVE = "active"
UNHEALTHY = "unhealthy: ATS answers 404"  # many fetches in a row found nothing: a wrong URL?


class UnknownInstallation(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Health:
    """How an installation is doing, for `installations list`, the admin API and the review pages."""

    status: str  # active | unhealthy: ... | aborted: <reason>
    missing_in_a_row: int  # deliveries the ATS answered 404 for since the last one that worked
    last_missing_at: datetime | None

    @property
    def warning(self) -> str | None:
        """What an admin should know and do, or None when all is well."""
        if self.status.startswith("aborted"):
            return f"stopped ({self.status}): fix the credentials, then run `hirewatch installations check`"
        if self.missing_in_a_row:
            return (
                f"the ATS answered 404 for the last {self.missing_in_a_row} candidate(s); nothing was "
                "deleted. Check the installation's API base URL (`hirewatch installations check`)"
            )
        return None


def installation_health(conn: Connection, installation_id: str) -> Health:
    status = conn.execute(
        select(installations.c.status).where(installations.c.id == installation_id)
    ).scalar_one_or_none()
    if status is None:
        raise UnknownInstallation(installation_id)
    count, latest = missing_streak(conn, installation_id)
    return Health(status=status, missing_in_a_row=count, last_missing_at=latest)


def set_unhealthy(conn: Connection, installation_id: str, unhealthy: bool) -> bool:
    """Switch between active and UNHEALTHY (an aborted installation stays aborted); True if changed."""
    before, after = (ACTIVE, UNHEALTHY) if unhealthy else (UNHEALTHY, ACTIVE)
    result = conn.execute(
        installations.update()
        .where(installations.c.id == installation_id, installations.c.status == before)
        .values(status=after)
    )
    return result.rowcount > 0


@dataclass(frozen=True, slots=True)
class InstallationInfo:
    """What an operator may see about an installation: no secrets, only whether they are set."""

    id: str
    platform: str
    name: str
    status: str
    api_base_url: str | None
    on_behalf_of: str | None
    has_api_key: bool
    has_webhook_secret: bool
    created_at: datetime | None
    settings: dict  # as stored: the tenant's changes to the defaults (no secrets)
    client_id: str | None = None
    has_client_secret: bool = False
    token_url: str | None = None


def generate_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def _overlay(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` applied one level deep (nested maps merge); None removes a key."""
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in base.items()}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {k: v for k, v in {**merged[key], **value}.items() if v is not None}
        elif value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def effective_settings(stored: dict | None) -> dict[str, Any]:
    """The defaults overlaid with what the tenant changed."""
    return _overlay(DEFAULT_SETTINGS, stored or {})


def _to_installation(row: Row, box: SecretBox) -> Installation:
    return Installation(
        id=row.id,
        platform=row.platform,
        api_key=box.decrypt(row.api_key_enc),
        webhook_secret=box.decrypt(row.webhook_secret_enc),
        api_base_url=row.api_base_url,
        on_behalf_of=row.on_behalf_of,
        settings=effective_settings(row.settings),
        client_id=row.client_id,
        client_secret=box.decrypt(row.client_secret_enc),
        token_url=row.token_url,
    )


def create_installation(
    conn: Connection,
    box: SecretBox,
    *,
    platform: str,
    name: str,
    api_key: str | None = None,
    webhook_secret: str | None = None,
    api_base_url: str | None = None,
    on_behalf_of: str | None = None,
    settings: dict | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    token_url: str | None = None,
) -> Installation:
    installation_id = secrets.token_hex(8)
    conn.execute(
        installations.insert().values(
            id=installation_id,
            platform=platform,
            name=name,
            api_key_enc=box.encrypt(api_key),
            webhook_secret_enc=box.encrypt(webhook_secret),
            api_base_url=api_base_url,
            client_id=client_id,
            client_secret_enc=box.encrypt(client_secret),
            token_url=token_url,
            on_behalf_of=on_behalf_of,
            settings=settings or {},
            status=ACTIVE,
        )
    )
    return get_installation(conn, box, installation_id)


def find_installation(conn: Connection, box: SecretBox, installation_id: str) -> Installation | None:
    row = conn.execute(select(installations).where(installations.c.id == installation_id)).first()
    return None if row is None else _to_installation(row, box)


def find_webhook_secret(
    conn: Connection, box: SecretBox, installation_id: str
) -> tuple[str, str | None] | None:
    """(platform, webhook secret) for the receiver's hot path: one column decrypted, nothing else."""
    row = conn.execute(
        select(installations.c.platform, installations.c.webhook_secret_enc).where(
            installations.c.id == installation_id
        )
    ).first()
    return None if row is None else (row.platform, box.decrypt(row.webhook_secret_enc))


def get_installation(conn: Connection, box: SecretBox, installation_id: str) -> Installation:
    installation = find_installation(conn, box, installation_id)
    if installation is None:
        raise UnknownInstallation(installation_id)
    return installation


def info_of(row: Any) -> InstallationInfo:
    """What an operator may see of an installations row (a Row or its mapping)."""
    return InstallationInfo(
        id=row["id"],
        platform=row["platform"],
        name=row["name"],
        status=row["status"],
        api_base_url=row["api_base_url"],
        on_behalf_of=row["on_behalf_of"],
        has_api_key=row["api_key_enc"] is not None,
        has_webhook_secret=row["webhook_secret_enc"] is not None,
        created_at=row["created_at"],
        settings=row["settings"] or {},
        client_id=row["client_id"],
        has_client_secret=row["client_secret_enc"] is not None,
        token_url=row["token_url"],
    )


def find_installation_info(conn: Connection, installation_id: str) -> InstallationInfo | None:
    row = conn.execute(select(installations).where(installations.c.id == installation_id)).mappings().first()
    return None if row is None else info_of(row)


def list_installations(conn: Connection, platform: str | None = None) -> list[InstallationInfo]:
    query = select(installations).order_by(installations.c.created_at, installations.c.id)
    if platform:
        query = query.where(installations.c.platform == platform)
    return [info_of(row) for row in conn.execute(query).mappings()]


def update_installation(
    conn: Connection, box: SecretBox, installation_id: str, **changes: Any
) -> Installation:
    """Change any of `_UPDATABLE` (secrets are encrypted here).

    `settings` is merged into the stored settings, nested maps too (a None value goes back to
    the default).
    """
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}; allowed: {list(_UPDATABLE)}")
    row = conn.execute(select(installations).where(installations.c.id == installation_id)).first()
    if row is None:
        raise UnknownInstallation(installation_id)
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _ENCRYPTED:
            values[f"{key}_enc"] = box.encrypt(value)
        elif key == "settings":
            values["settings"] = _overlay(row.settings or {}, value)
        else:
            values[key] = value
    conn.execute(installations.update().where(installations.c.id == installation_id).values(**values))
    return get_installation(conn, box, installation_id)


def rotate_webhook_secret(
    conn: Connection, box: SecretBox, installation_id: str, new_secret: str | None = None
) -> str:
    """Replace the webhook secret (generated unless given); returns it, to paste into the ATS."""
    secret = new_secret or generate_webhook_secret()
    update_installation(conn, box, installation_id, webhook_secret=secret)
    return secret


def delete_installation(conn: Connection, installation_id: str) -> bool:
    """Delete the installation; its inbox, applicants and screenings go with it (ON DELETE CASCADE)."""
    return conn.execute(installations.delete().where(installations.c.id == installation_id)).rowcount > 0
