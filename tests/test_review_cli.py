import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from integration.cli import main
from store import review
from store.db import make_engine
from store.tables import audit_log
from tests.review_helpers import add_installation, make_app, sign_in


def test_tokens_create_prints_the_token_once_and_stores_its_hash(sqlite_url, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
    result = CliRunner().invoke(main, ["tokens", "create", "--installation", "acme", "--scope", "reviewer"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[-1]
    assert plain.startswith("hwt_")
    with make_engine(sqlite_url).begin() as conn:
        assert review.authenticate_token(conn, plain).scope == review.Scope.REVIEWER
        assert plain not in conn.execute(select(review.api_tokens.c.token_hash)).scalar_one()


def test_users_add_and_errors_name_the_fix(sqlite_url, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
    runner = CliRunner()
    args = ["users", "add", "--installation", "acme", "--email", "r@acme.test", "--role", "admin"]
    ok = runner.invoke(main, [*args, "--password", "a long enough password"])
    assert ok.exit_code == 0 and "r@acme.test (admin)" in ok.output
    again = runner.invoke(main, [*args, "--password", "a long enough password"])
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(
        main, ["users", "add", "--installation", "acme", "--email", "x@acme.test", "--password", "short"]
    )
    assert short.exit_code == 1 and "at least 12" in short.output
    unknown = runner.invoke(main, ["tokens", "create", "--installation", "nope", "--scope", "admin"])
    assert unknown.exit_code == 1 and "no installation 'nope'" in unknown.output


def test_tokens_expire_and_can_be_listed_and_revoked(sqlite_url, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HIREWATCH_TOKEN_DAYS", "30")
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
    runner = CliRunner()
    created = runner.invoke(
        main, ["tokens", "create", "--installation", "acme", "--scope", "admin", "--label", "ci"]
    )
    plain = created.stdout.strip().splitlines()[-1]
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        token = review.authenticate_token(conn, plain)
        expires = conn.execute(select(review.api_tokens.c.expires_at)).scalar_one().replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)  # the configured default
    listed = runner.invoke(main, ["tokens", "list", "--installation", "acme"])
    assert token.id in listed.stdout and "ci" in listed.stdout and "REVOKED" not in listed.stdout
    assert re.search(r"last used \d{4}-\d\d-\d\d \d\d:\d\d  ci", listed.stdout)  # to the minute, like expiry
    assert runner.invoke(main, ["tokens", "revoke", token.id]).exit_code == 0
    assert "REVOKED" in runner.invoke(main, ["tokens", "list"]).stdout
    assert runner.invoke(main, ["tokens", "revoke", token.id]).exit_code == 1  # names the fix, no crash
    with engine.begin() as conn:
        assert review.authenticate_token(conn, plain) is None
        assert (
            conn.execute(select(audit_log.c.subject).where(audit_log.c.action == "token.revoke")).scalar_one()
            == token.id
        )
        _, old = review.create_token(conn, "acme", review.Scope.REVIEWER)
        conn.execute(review.api_tokens.update().values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        assert review.authenticate_token(conn, old) is None  # expired


def test_operator_tokens_come_from_the_cli_only_and_can_be_revoked(sqlite_url, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
    runner = CliRunner()
    created = runner.invoke(
        main, ["tokens", "create", "--operator", "--label", "provisioning", "--days", "7"]
    )
    assert created.exit_code == 0, created.output
    plain = created.stdout.strip().splitlines()[-1]
    with make_engine(sqlite_url).begin() as conn:
        operator = review.authenticate_token(conn, plain)
    assert (operator.scope, operator.installation_id) == (review.Scope.OPERATOR, None)
    both = runner.invoke(main, ["tokens", "create", "--operator", "--installation", "acme"])
    assert both.exit_code == 2 and "drop --installation" in both.output
    neither = runner.invoke(main, ["tokens", "create", "--label", "x"])
    assert neither.exit_code == 2 and "--operator" in neither.output
    as_scope = runner.invoke(main, ["tokens", "create", "--installation", "acme", "--scope", "operator"])
    assert as_scope.exit_code == 2  # an installation's token is admin or reviewer
    listed = runner.invoke(main, ["tokens", "list"]).stdout
    assert f"{operator.id}  (operator)  operator" in listed
    assert operator.id not in runner.invoke(main, ["tokens", "list", "--installation", "acme"]).stdout
    assert runner.invoke(main, ["tokens", "revoke", operator.id]).exit_code == 0
    with make_engine(sqlite_url).begin() as conn:
        assert review.authenticate_token(conn, plain) is None
        with pytest.raises(review.ReviewError, match="admin or reviewer"):  # would create tenants
            review.create_token(conn, "acme", review.Scope.OPERATOR)


def test_tokens_list_shows_when_a_token_made_before_expiry_existed_expires(sqlite_url, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HIREWATCH_TOKEN_DAYS", "30")
    made = datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
        token, plain = review.create_token(conn, "acme", review.Scope.ADMIN)
        conn.execute(review.api_tokens.update().values(expires_at=None, created_at=made))
        assert review.authenticate_token(conn, plain, legacy_days=30) is None  # made 30+ days ago
        conn.execute(review.api_tokens.update().values(created_at=datetime.now(UTC) - timedelta(days=1)))
        assert review.authenticate_token(conn, plain, legacy_days=30) is not None
        conn.execute(review.api_tokens.update().values(created_at=made))
    listed = CliRunner().invoke(main, ["tokens", "list"]).stdout
    assert f"{token.id}  acme  admin     expires 2026-02-09 09:30" in listed and "EXPIRED" in listed


def test_users_list_disable_enable_remove(sqlite_url, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_DATABASE_URL", sqlite_url)
    with make_engine(sqlite_url).begin() as conn:
        add_installation(conn, "acme")
        review.add_user(conn, "acme", "r@acme.test", "a long password", review.Scope.REVIEWER)
    runner, browser = CliRunner(), make_app(sqlite_url, tmp_path).test_client()
    assert sign_in(browser, "r@acme.test", "a long password").status_code == 302
    listed = runner.invoke(main, ["users", "list", "--installation", "acme"]).stdout
    assert "r@acme.test  acme  reviewer" in listed and "DISABLED" not in listed

    disabled = runner.invoke(main, ["users", "disable", "R@acme.test"])
    assert disabled.exit_code == 0 and "sessions have ended" in disabled.output
    assert browser.get("/review/").status_code == 302  # the session open before is dead
    assert sign_in(browser, "r@acme.test", "a long password").status_code == 401
    assert "DISABLED" in runner.invoke(main, ["users", "list"]).stdout
    assert runner.invoke(main, ["users", "enable", "r@acme.test"]).exit_code == 0
    assert sign_in(browser, "r@acme.test", "a long password").status_code == 302

    assert runner.invoke(main, ["users", "remove", "r@acme.test"], input="n\n").exit_code == 1  # asked first
    assert runner.invoke(main, ["users", "remove", "r@acme.test", "--yes"]).exit_code == 0
    assert browser.get("/review/").status_code == 302
    assert runner.invoke(main, ["users", "list"]).stdout == ""
    unknown = runner.invoke(main, ["users", "disable", "r@acme.test"])
    assert unknown.exit_code == 1 and "no user 'r@acme.test': see `hirewatch users list`" in unknown.output
    with make_engine(sqlite_url).connect() as conn:
        trail = conn.execute(
            select(audit_log.c.action, audit_log.c.details).where(
                audit_log.c.subject == "r@acme.test", audit_log.c.actor == "cli"
            )
        ).all()
    assert [action for action, _ in trail] == ["user.add", "user.disable", "user.enable", "user.remove"]
    assert "reviewer" in str(trail[0].details)  # the role given is in the trail
