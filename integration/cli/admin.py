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
def create_token(installation_id: str, scope: str, label: str) -> None:
    """Create an API token. It is shown once; only its hash is stored."""
    with engine_for(Settings.from_env().database_url).begin() as conn:
        _check_installation(conn, installation_id)
        token, plain = review.create_token(conn, installation_id, review.Scope(scope), label)
    click.echo(
        f"token {token.id} ({token.scope}) for installation {installation_id}; store it now, "
        "it is not shown again:",
        err=True,
    )
    click.echo(plain)
