"""`hirewatch installations ...`: register ATS accounts, check them, manage their webhook secrets.

Adding an installation, or changing its API key or URL, first makes a test call (authenticate
and read one candidate page): what fails is refused, saying whether the credentials, the URL or
a permission (by its vendor name) is wrong. The API URL must be on the platform's own API hosts
over https, or under a prefix the operator allows with HIREWATCH_ALLOW_API_URLS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import click
from sqlalchemy import Connection

from connectors.base import AuthType, Installation
from connectors.registry import PLATFORMS, check_access, get_connector, missing_settings
from integration.config import Settings
from integration.secrets import secret_box
from store import audit
from store.db import engine_for
from store.installations import (
    InstallationInfo,
    UnknownInstallation,
    create_installation,
    delete_installation,
    find_installation_info,
    generate_webhook_secret,
    get_installation,
    installation_health,
    list_installations,
    rotate_webhook_secret,
    set_unhealthy,
    update_installation,
)
from store.secretbox import SecretBox, SecretKeyError


@contextmanager
def _store() -> Iterator[tuple[Settings, Connection, SecretBox]]:
    settings = Settings.from_env()
    try:
        box = secret_box(settings)
    except SecretKeyError as exc:
        raise click.ClickException(str(exc)) from None
    with engine_for(settings.database_url).begin() as conn:
        yield settings, conn, box


def webhook_url(settings: Settings, platform: str, installation_id: str) -> str:
    """The URL to paste into the ATS: HIREWATCH_PUBLIC_URL + the receiver's route."""
    return f"{settings.public_url}/webhooks/{platform}/{installation_id}"


def fix_command(installation_id: str) -> str:
    return (
        f"hirewatch installations set-credentials {installation_id} "
        "--client-id ID --client-secret SECRET --on-behalf-of USER_ID"
    )


def credentials_notice(info: InstallationInfo) -> str | None:
    """What the admin must do before this installation can reach its ATS (a Greenhouse account
    still on a retired Harvest API key), with the command that does it; None when nothing."""
    as_installation = Installation(
        id=info.id,
        platform=info.platform,
        client_id=info.client_id,
        client_secret="(set)" if info.has_client_secret else None,
        on_behalf_of=info.on_behalf_of,
    )
    problem = get_connector(info.platform).credentials_problem(as_installation)
    return f"{problem}: run {fix_command(info.id)}" if problem else None


_GIVE = "client_id, client_secret and on_behalf_of (CLI: --client-id, --client-secret, --on-behalf-of)"


def credentials_refusal(platform: str, api_key: str | None, client: tuple, user: str | None) -> str | None:
    """Why these credentials cannot be stored for the platform (naming what to give instead), or
    None. No credentials at all is allowed: the installation receives webhooks and is listed as
    needing them."""
    connector = get_connector(platform)
    if connector.auth_type is not AuthType.OAUTH_CLIENT_CREDENTIALS:
        return None
    if api_key:
        return f"{connector.display_name} takes {connector.credentials_label}, not an API key: give {_GIVE}"
    if any(client) and not (all(client) and user and user.isdigit()):
        return (
            f"{connector.display_name} needs {_GIVE}; on_behalf_of is the numeric id of the "
            "Greenhouse user the token is issued for"
        )
    return None


def _check_credentials(platform: str, api_key: str | None, client: tuple, user: str | None) -> None:
    refusal = credentials_refusal(platform, api_key, client, user)
    if refusal:
        raise click.ClickException(refusal)


def _echo_secret(settings: Settings, installation: Installation, secret: str, as_json: bool) -> None:
    details = {
        "id": installation.id,
        "platform": installation.platform,
        "webhook_url": webhook_url(settings, installation.platform, installation.id),
        "webhook_secret": secret,
        "api_base_url": installation.api_base_url,
        "on_behalf_of": installation.on_behalf_of,
        "client_id": installation.client_id,
        "token_url": installation.token_url,
        "underlying_ats": PLATFORMS[installation.platform].underlying_ats(installation.settings),
    }
    problem = get_connector(installation.platform).credentials_problem(installation)
    notice = f"{problem}: run {fix_command(installation.id)}" if problem else None
    if as_json:
        click.echo(json.dumps({**details, "needs": notice}, indent=2))
        return
    label = _platform_label(installation.platform, installation.settings)
    click.echo(f"Installation {installation.id} ({label})")
    click.echo(f"Webhook URL:    {details['webhook_url']}")
    click.echo(f"Webhook secret: {secret}")
    click.echo(
        "Paste both into the ATS's webhook settings. If the ATS issues its own signing secret "
        "(Lever signature token, SmartRecruiters secret key, Workable API token), store it with: "
        f"hirewatch installations rotate-secret {installation.id} --secret VALUE"
    )
    if notice:
        click.echo(f"This installation {notice}")


def _platform_label(platform: str, settings: dict) -> str:
    """ "kombo/workday" for a unified API, the platform alone otherwise."""
    underlying = PLATFORMS[platform].underlying_ats(settings)
    return f"{platform}/{underlying}" if underlying else platform


@click.group()
def installations() -> None:
    """Register ATS accounts (tenants) and manage their webhook secrets."""


def _refuse_unless_it_works(settings: Settings, installation: Installation, what: str) -> None:
    """The test call: ClickException naming what is wrong, unless it authenticates and reads."""
    result = check_access(installation, settings.allow_api_urls)
    if not result.ok:
        raise click.ClickException(f"{what}: {result.problem}: {result.message}")
    click.echo(f"Checked: {result.message}.", err=True)


def _audit(conn: Connection, installation_id: str, action: str, details: dict | None = None) -> None:
    """An entry in the installation's trail by the CLI; details name fields, never secret values."""
    audit.record(
        conn,
        action=action,
        actor="cli",
        installation_id=installation_id,
        subject=installation_id,
        details=details,
    )


@installations.command("add")
@click.option("--platform", required=True, type=click.Choice(sorted(PLATFORMS)), help="The ATS.")
@click.option("--name", required=True, help="A name for this account, e.g. the company.")
@click.option("--api-key", help="API key or token for write-back and re-screens (stored encrypted).")
@click.option("--client-id", help="OAuth client id (Greenhouse Harvest v3).")
@click.option("--client-secret", help="OAuth client secret (Greenhouse Harvest v3; stored encrypted).")
@click.option("--webhook-secret", help="Signing secret; generated when omitted (stored encrypted).")
@click.option(
    "--api-base-url", help="API base URL override (the platform's hosts, or HIREWATCH_ALLOW_API_URLS)."
)
@click.option(
    "--token-url", help="OAuth token endpoint override (the platform's hosts, or HIREWATCH_ALLOW_API_URLS)."
)
@click.option("--on-behalf-of", help="The ATS user that tags and notes are written as (Greenhouse: user id).")
@click.option("--integration-id", help="Kombo: the integration (one customer's ATS), e.g. workday:8d1h...")
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
def add(
    platform: str,
    name: str,
    api_key: str | None,
    client_id: str | None,
    client_secret: str | None,
    webhook_secret: str | None,
    api_base_url: str | None,
    token_url: str | None,
    on_behalf_of: str | None,
    integration_id: str | None,
    as_json: bool,
) -> None:
    """Register an ATS account; prints the webhook URL and secret to paste into the ATS."""
    _check_credentials(platform, api_key, (client_id, client_secret), on_behalf_of)
    settings_given = {"integration_id": integration_id} if integration_id else {}
    missing = missing_settings(platform, settings_given)
    if missing:
        options = ", ".join(f"--{field.replace('_', '-')}" for field in missing)
        raise click.UsageError(f"{PLATFORMS[platform].display_name} needs {options}")
    secret = webhook_secret or generate_webhook_secret()
    trial = Installation(
        id="new",
        platform=platform,
        api_key=api_key,
        api_base_url=api_base_url,
        on_behalf_of=on_behalf_of,
        settings=settings_given,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
    )
    _refuse_unless_it_works(Settings.from_env(), trial, "not added")
    with _store() as (settings, conn, box):
        installation = create_installation(
            conn,
            box,
            platform=platform,
            name=name,
            api_key=api_key,
            client_id=client_id,
            client_secret=client_secret,
            token_url=token_url,
            webhook_secret=secret,
            api_base_url=api_base_url,
            on_behalf_of=on_behalf_of,
            settings=settings_given,
        )
        _audit(conn, installation.id, "installation.create", {"platform": platform, "name": name})
    _echo_secret(settings, installation, secret, as_json)


@installations.command("set-credentials")
@click.argument("installation_id")
@click.option("--client-id", required=True, help="OAuth client id (Greenhouse Harvest v3).")
@click.option("--client-secret", required=True, help="OAuth client secret (stored encrypted).")
@click.option("--on-behalf-of", required=True, help="The (numeric) user id the token is issued for.")
@click.option(
    "--token-url", help="OAuth token endpoint override (the platform's hosts, or HIREWATCH_ALLOW_API_URLS)."
)
def set_credentials(
    installation_id: str, client_id: str, client_secret: str, on_behalf_of: str, token_url: str | None
) -> None:
    """Give an installation OAuth client credentials (a Greenhouse account moving to Harvest v3);
    stored only if the test call passes, when its old API key is deleted and it is active again."""
    with _store() as (settings, conn, box):
        current = _existing(conn, box, installation_id)
        _check_credentials(current.platform, None, (client_id, client_secret), on_behalf_of)
        changes = {
            "client_id": client_id,
            "client_secret": client_secret,
            "on_behalf_of": on_behalf_of,
            "api_key": None,
            **({"token_url": token_url} if token_url else {}),
        }
        _refuse_unless_it_works(settings, replace(current, **changes), "not changed")
        update_installation(conn, box, installation_id, status="active", **changes)
        set_unhealthy(conn, installation_id, False)  # the check just passed
        # the same entry as the admin API's PATCH with client credentials
        _audit(conn, installation_id, "installation.update", {"fields": sorted([*changes, "status"])})
    click.echo(f"Installation {installation_id} now uses client {client_id} as user {on_behalf_of}.")


@installations.command("update")
@click.argument("installation_id")
@click.option("--name", help="A new name.")
@click.option("--api-key", help="A new API key (checked before it is stored).")
@click.option("--api-base-url", help="A new API base URL (checked before it is stored).")
@click.option("--on-behalf-of", help="The ATS user that tags and notes are written as.")
def update(
    installation_id: str,
    name: str | None,
    api_key: str | None,
    api_base_url: str | None,
    on_behalf_of: str | None,
) -> None:
    """Change an installation; a new API key or URL is stored only if the test call passes."""
    changes = {
        key: value
        for key, value in {
            "name": name,
            "api_key": api_key,
            "api_base_url": api_base_url,
            "on_behalf_of": on_behalf_of,
        }.items()
        if value is not None
    }
    if not changes:
        raise click.UsageError("nothing to change: give --api-key, --api-base-url, --on-behalf-of or --name")
    with _store() as (settings, conn, box):
        current = _existing(conn, box, installation_id)
        _check_credentials(current.platform, api_key, (None, None), on_behalf_of)
        checked = {k: v for k, v in changes.items() if k != "name"}
        if checked:
            _refuse_unless_it_works(settings, replace(current, **checked), "not changed")
        update_installation(conn, box, installation_id, **changes)
        if checked:
            set_unhealthy(conn, installation_id, False)  # the check just passed
        _audit(conn, installation_id, "installation.update", {"fields": sorted(changes)})
    click.echo(f"Updated installation {installation_id}: {', '.join(sorted(changes))}")


@installations.command("check")
@click.argument("installation_id")
def check(installation_id: str) -> None:
    """Authenticate and read one page of candidates with the stored settings; says what is wrong."""
    with _store() as (settings, conn, box):
        installation = _existing(conn, box, installation_id)
    result = check_access(installation, settings.allow_api_urls)
    with _store() as (_settings, conn, _box):
        if result.ok:
            set_unhealthy(conn, installation_id, False)
        _audit(conn, installation_id, "installation.check", {"ok": result.ok, "problem": result.problem})
    if not result.ok:
        raise click.ClickException(f"{installation_id}: {result.problem}: {result.message}")
    click.echo(f"{installation_id}: ok ({result.message})")


def _existing(conn: Connection, box: SecretBox, installation_id: str) -> Installation:
    try:
        return get_installation(conn, box, installation_id)
    except UnknownInstallation:
        raise click.ClickException(
            f"no installation {installation_id!r}; see: hirewatch installations list"
        ) from None


@installations.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_command(as_json: bool) -> None:
    """List installations with their health (secrets are never shown, only whether they are set)."""
    with _store() as (settings, conn, _box):
        rows = [(row, installation_health(conn, row.id)) for row in list_installations(conn)]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": row.id,
                        "platform": row.platform,
                        "name": row.name,
                        "status": row.status,
                        "webhook_url": webhook_url(settings, row.platform, row.id),
                        "api_base_url": row.api_base_url,
                        "on_behalf_of": row.on_behalf_of,
                        "has_api_key": row.has_api_key,
                        "has_webhook_secret": row.has_webhook_secret,
                        "client_id": row.client_id,
                        "has_client_secret": row.has_client_secret,
                        "token_url": row.token_url,
                        "needs": credentials_notice(row),
                        "underlying_ats": PLATFORMS[row.platform].underlying_ats(row.settings),
                        "missing_in_ats_in_a_row": health.missing_in_a_row,
                        "warning": health.warning,
                    }
                    for row, health in rows
                ],
                indent=2,
            )
        )
        return
    if not rows:
        click.echo("No installations. Add one with: hirewatch installations add --platform P --name N")
    for row, health in rows:
        notice = credentials_notice(row)
        if row.has_client_secret:
            key = f"client {row.client_id}"
        else:
            key = "api key set" if row.has_api_key else "NO API KEY (no write-back)"
        platform = _platform_label(row.platform, row.settings)
        click.echo(f"{row.id}  {platform:<16} {row.status:<8} {key:<26} {row.name}")
        if notice:
            click.echo(f"    {notice}")
        if health.warning:
            click.echo(f"    WARNING: {health.warning}")


@installations.command("remove")
@click.argument("installation_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove(installation_id: str, yes: bool) -> None:
    """Delete an installation with its inbox, applicants and screenings; its audit trail stays."""
    if not yes:
        click.confirm(f"Delete installation {installation_id} and all its data?", abort=True)
    with _store() as (_settings, conn, _box):
        doomed = find_installation_info(conn, installation_id)
        if doomed is None:
            raise click.ClickException(
                f"no installation {installation_id!r}; see: hirewatch installations list"
            )
        # audit rows carry no foreign key, so this entry outlives the rows it describes; it names
        # what was deleted because nothing else will
        _audit(
            conn, installation_id, "installation.delete", {"platform": doomed.platform, "name": doomed.name}
        )
        delete_installation(conn, installation_id)
    click.echo(f"Removed installation {installation_id}")


@installations.command("rotate-secret")
@click.argument("installation_id")
@click.option("--secret", help="The new secret (when the ATS issues it); generated when omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
def rotate_secret(installation_id: str, secret: str | None, as_json: bool) -> None:
    """Replace the webhook signing secret; deliveries signed with the old one are then refused."""
    with _store() as (settings, conn, box):
        try:
            new_secret = rotate_webhook_secret(conn, box, installation_id, secret)
        except UnknownInstallation:
            raise click.ClickException(
                f"no installation {installation_id!r}; see: hirewatch installations list"
            ) from None
        _audit(conn, installation_id, "installation.rotate_secret", {"generated": secret is None})
        installation = get_installation(conn, box, installation_id)
    _echo_secret(settings, installation, new_secret, as_json)
