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
