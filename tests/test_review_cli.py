from click.testing import CliRunner
from sqlalchemy import select

from integration.cli import main
from store import review
from store.db import make_engine
from tests.review_helpers import add_installation


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

    from store.tables import audit_log

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
