"""`hirewatch users add` and `hirewatch tokens create`: who may use the review pages and the API."""

from __future__ import annotations

import click
from sqlalchemy import select

from integration.config import Settings
from store import review
from store.db import engine_for
from store.tables import installations


def _check_installation(conn, installation_id: str) -> None:
    if not conn.execute(select(installations.c.id).where(installations.c.id == installation_id)).first():
        raise click.ClickException(
            f"no installation {installation_id!r}: list them with the admin API or add one with "
            "`hirewatch installations add`"
        )


@click.group()
def users() -> None:
    """Review-page users (each tied to one installation)."""


@users.command("add")
@click.option("--installation", "installation_id", required=True, help="Installation (tenant) id.")
@click.option("--email", required=True)
@click.option(
    "--role", type=click.Choice([s.value for s in review.Scope]), default="reviewer", show_default=True
)
@click.password_option(help="At least 12 characters; prompted when omitted.")
def add_user(installation_id: str, email: str, role: str, password: str) -> None:
    """Add a user who can log in to /review."""
    with engine_for(Settings.from_env().database_url).begin() as conn:
        _check_installation(conn, installation_id)
        try:
            user = review.add_user(conn, installation_id, email, password, review.Scope(role))
        except review.ReviewError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"user {user.email} ({user.role}) added to installation {installation_id}")


@click.group()
def tokens() -> None:
    """API tokens for /api/v1 (scoped, tied to one installation)."""


@tokens.command("create")
@click.option("--installation", "installation_id", required=True, help="Installation (tenant) id.")
@click.option("--scope", type=click.Choice([s.value for s in review.Scope]), required=True)
@click.option("--label", default="", help="What the token is for (shown in the audit trail).")
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    default=lambda: Settings.from_env().token_days,
    show_default="HIREWATCH_TOKEN_DAYS, else 90",
    help="Days until the token expires.",
)
def create_token(installation_id: str, scope: str, label: str, days: float) -> None:
    """Create an API token. It is shown once; only its hash is stored."""
    with engine_for(Settings.from_env().database_url).begin() as conn:
        _check_installation(conn, installation_id)
        token, plain = review.create_token(conn, installation_id, review.Scope(scope), label, days=days)
    click.echo(
        f"token {token.id} ({token.scope}) for installation {installation_id}; store it now, "
        "it is not shown again:",
        err=True,
    )
    click.echo(plain)


@tokens.command("list")
@click.option("--installation", "installation_id", help="Only this installation's tokens.")
def list_tokens(installation_id: str | None) -> None:
    """Tokens: id, installation, scope, label, created, expires, last used, revoked."""
    with engine_for(Settings.from_env().database_url).connect() as conn:
        found = review.list_tokens(conn, installation_id)
    for t in found:
        click.echo(
            f"{t['id']}  {t['installation_id']}  {t['scope']:<8}  expires {t['expires_at'] or 'never'}  "
            f"last used {t['last_used_at'] or 'never'}  {'REVOKED ' if t['revoked_at'] else ''}{t['label']}"
        )


@tokens.command("revoke")
@click.argument("token_id")
def revoke_token(token_id: str) -> None:
    """Revoke a token at once (audited in its installation's trail)."""
    with engine_for(Settings.from_env().database_url).begin() as conn:
        if not review.revoke_token(conn, token_id):
            raise click.ClickException(f"no live token {token_id!r}: see `hirewatch tokens list`")
    click.echo(f"token {token_id} revoked")
