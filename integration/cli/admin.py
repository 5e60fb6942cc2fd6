"""`hirewatch users ...` and `hirewatch tokens ...`: who may use the review pages and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy import select

from integration.config import Settings
from store import review
from store.db import engine_for
from store.tables import installations

TENANT_SCOPES = [s.value for s in review.TENANT_SCOPES]


def _check_installation(conn, installation_id: str) -> None:
    if not conn.execute(select(installations.c.id).where(installations.c.id == installation_id)).first():
        raise click.ClickException(
            f"no installation {installation_id!r}: see `hirewatch installations list`, or add one with "
            "`hirewatch installations add`"
        )


def _engine():
    return engine_for(Settings.from_env().database_url)


@click.group()
def users() -> None:
    """Review-page users (each tied to one installation)."""


@users.command("add")
@click.option("--installation", "installation_id", required=True, help="Installation (tenant) id.")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(TENANT_SCOPES), default="reviewer", show_default=True)
@click.password_option(help="At least 12 characters; prompted when omitted.")
def add_user(installation_id: str, email: str, role: str, password: str) -> None:
    """Add a user who can log in to /review."""
    with _engine().begin() as conn:
        _check_installation(conn, installation_id)
        try:
            user = review.add_user(conn, installation_id, email, password, review.Scope(role))
        except review.ReviewError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"user {user.email} ({user.role}) added to installation {installation_id}")


@users.command("list")
@click.option("--installation", "installation_id", help="Only this installation's users.")
def list_users(installation_id: str | None) -> None:
    """Users: e-mail, installation, role, created, and whether disabled."""
    with _engine().connect() as conn:
        found = review.list_users(conn, installation_id)
    for user in found:
        disabled = f"  DISABLED {user['disabled_at']:%Y-%m-%d %H:%M}" if user["disabled_at"] else ""
        click.echo(
            f"{user['email']}  {user['installation_id']}  {user['role']:<8}  "
            f"created {user['created_at']:%Y-%m-%d}{disabled}"
        )


def _change_user(change, email: str, done: str) -> None:
    """Apply `change` (a `review` function) to the user with this e-mail, as the CLI (audited)."""
    with _engine().begin() as conn:
        user = review.find_user(conn, email)
        if user is None:
            raise click.ClickException(f"no user {email.strip().lower()!r}: see `hirewatch users list`")
        change(conn, user["installation_id"], user["id"], "cli")
    click.echo(f"user {user['email']} ({user['installation_id']}) {done}")


@users.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Stop a user signing in and end every session of theirs now (`users enable` undoes it)."""
    _change_user(review.disable_user, email, "disabled; their sessions have ended")


@users.command("enable")
@click.argument("email")
def enable_user(email: str) -> None:
    """Let a disabled user sign in again."""
    _change_user(review.enable_user, email, "enabled; they can sign in again")


@users.command("remove")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_user(email: str, yes: bool) -> None:
    """Delete a user. Their decisions and audit entries keep naming them (`users disable` keeps
    the account instead)."""
    if not yes:
        click.confirm(f"Remove user {email}? (`hirewatch users disable` keeps the account)", abort=True)
    _change_user(review.remove_user, email, "removed")


@click.group()
def tokens() -> None:
    """API tokens for /api/v1 (scoped, tied to one installation; or the operator's)."""


@tokens.command("create")
@click.option("--installation", "installation_id", help="Installation (tenant) id.")
@click.option("--scope", type=click.Choice(TENANT_SCOPES), help="What an installation's token may do.")
@click.option(
    "--operator",
    is_flag=True,
    help="An operator token instead: it creates installations (POST /api/v1/installations) and reads none.",
)
@click.option("--label", default="", help="What the token is for (shown in the audit trail).")
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    default=lambda: Settings.from_env().token_days,
    show_default="HIREWATCH_TOKEN_DAYS, else 90",
    help="Days until the token expires.",
)
def create_token(
    installation_id: str | None, scope: str | None, operator: bool, label: str, days: float
) -> None:
    """Create an API token. It is shown once; only its hash is stored."""
    if operator and (installation_id or scope):
        raise click.UsageError(
            "an operator token belongs to no installation: drop --installation and --scope"
        )
    if not operator and not (installation_id and scope):
        raise click.UsageError("give --installation ID and --scope admin|reviewer, or --operator")
    with _engine().begin() as conn:
        if operator:
            token, plain = review.create_operator_token(conn, label, days=days)
        else:
            _check_installation(conn, installation_id)
            token, plain = review.create_token(conn, installation_id, review.Scope(scope), label, days=days)
    owner = "the operator" if operator else f"installation {installation_id}"
    click.echo(
        f"token {token.id} ({token.scope}) for {owner}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC; "
        "store it now, it is not shown again:",
        err=True,
    )
    click.echo(plain)


@tokens.command("list")
@click.option("--installation", "installation_id", help="Only this installation's tokens.")
def list_tokens(installation_id: str | None) -> None:
    """Tokens: id, installation (or operator), scope, expires, last used, revoked or expired, label."""
    settings = Settings.from_env()
    with _engine().connect() as conn:
        found = review.list_tokens(conn, installation_id, settings.token_days)
    now = datetime.now(UTC)
    for t in found:
        state = "REVOKED " if t["revoked_at"] else "EXPIRED " if t["expires_at"] <= now else ""
        used = f"{t['last_used_at']:%Y-%m-%d %H:%M}" if t["last_used_at"] else "never"
        click.echo(
            f"{t['id']}  {t['installation_id'] or '(operator)'}  {t['scope']:<8}  "
            f"expires {t['expires_at']:%Y-%m-%d %H:%M}  last used {used}  {state}{t['label']}"
        )


@tokens.command("revoke")
@click.argument("token_id")
def revoke_token(token_id: str) -> None:
    """Revoke a token at once (audited in its installation's trail; an operator token's outside any)."""
    with _engine().begin() as conn:
        if not review.revoke_token(conn, token_id):
            raise click.ClickException(f"no live token {token_id!r}: see `hirewatch tokens list`")
    click.echo(f"token {token_id} revoked")
