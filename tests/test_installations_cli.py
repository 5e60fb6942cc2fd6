"""`hirewatch installations ...` end to end: the printed URL and secret work against the receiver."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from connectors.registry import get_connector
from integration.app import create_app
from integration.cli import main
from tests.receiver_support import TEST_SECRET_KEY, receiver_settings

PUBLIC_URL = "https://hooks.example.com"


@pytest.fixture
def cli(db_url, tmp_path):
    env = {
        "HIREWATCH_DATABASE_URL": db_url,
        "HIREWATCH_SECRET_KEY": TEST_SECRET_KEY,
        "HIREWATCH_PUBLIC_URL": PUBLIC_URL,
        "HIREWATCH_DATA_DIR": str(tmp_path),
        "HIREWATCH_ENV": "development",
    }

    def run(*args: str, env_overrides: dict | None = None):
        return CliRunner().invoke(main, ["installations", *args], env={**env, **(env_overrides or {})})

    return run


def _post_signed(client, webhook_url: str, secret: str, event_id: str):
    greenhouse = get_connector("greenhouse")
    raw = json.dumps({"action": "ping", "payload": {}}).encode()
    return client.post(
        webhook_url.removeprefix(PUBLIC_URL),
        data=raw,
        headers=greenhouse.sign(secret, raw, event_id=event_id),
    )


def test_add_prints_a_webhook_url_and_secret_that_the_receiver_accepts(cli, db_url, tmp_path) -> None:
    added = cli(
        "add",
        "--platform",
        "greenhouse",
        "--name",
        "Acme",
        "--api-key",
        "k-123",
        "--on-behalf-of",
        "4080",
        "--json",
    )
    assert added.exit_code == 0, added.output
    details = json.loads(added.output)
    assert details["webhook_url"] == f"{PUBLIC_URL}/webhooks/greenhouse/{details['id']}"
    assert len(details["webhook_secret"]) >= 32 and details["on_behalf_of"] == "4080"

    client = create_app(receiver_settings(tmp_path, db_url)).test_client()
    assert _post_signed(client, details["webhook_url"], details["webhook_secret"], "e1").status_code == 200

    rotated = cli("rotate-secret", details["id"], "--json")
    new_secret = json.loads(rotated.output)["webhook_secret"]
    assert new_secret != details["webhook_secret"]
    assert _post_signed(client, details["webhook_url"], details["webhook_secret"], "e2").status_code == 401
    assert _post_signed(client, details["webhook_url"], new_secret, "e3").status_code == 200

    issued = cli("rotate-secret", details["id"], "--secret", "vendor-issued-secret", "--json")
    assert json.loads(issued.output)["webhook_secret"] == "vendor-issued-secret"

    listed = json.loads(cli("list", "--json").output)
    assert [(row["id"], row["name"], row["has_api_key"]) for row in listed] == [(details["id"], "Acme", True)]
    assert "k-123" not in cli("list").output and "vendor-issued-secret" not in cli("list", "--json").output

    assert cli("remove", details["id"], "--yes").exit_code == 0
    assert json.loads(cli("list", "--json").output) == []


def test_given_webhook_secret_is_kept_and_human_output_names_both(cli) -> None:
    added = cli("add", "--platform", "greenhouse", "--name", "Beta", "--webhook-secret", "chosen-secret")
    assert added.exit_code == 0
    assert (
        "Webhook secret: chosen-secret" in added.output
        and f"{PUBLIC_URL}/webhooks/greenhouse/" in added.output
    )


def test_errors_say_what_to_do(cli, tmp_path) -> None:
    unknown_platform = cli("add", "--platform", "myspace", "--name", "X")
    assert unknown_platform.exit_code == 2 and "myspace" in unknown_platform.output
    missing = cli("remove", "nope", "--yes")
    assert missing.exit_code == 1 and "hirewatch installations list" in missing.output
    production = cli("list", env_overrides={"HIREWATCH_ENV": "production", "HIREWATCH_SECRET_KEY": ""})
    assert production.exit_code == 1 and "needs HIREWATCH_SECRET_KEY" in production.output


def test_kombo_needs_an_integration_id_and_shows_the_ats_behind_it(cli) -> None:
    refused = cli("add", "--platform", "kombo", "--name", "Acme", "--api-key", "k")
    assert refused.exit_code == 2 and "--integration-id" in refused.output
    added = cli(
        "add", "--platform", "kombo", "--name", "Acme", "--api-key", "k",
        "--integration-id", "workday:8d1hpPsbjxUkoCoa", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    details = json.loads(added.output)
    assert details["underlying_ats"] == "workday"
    assert details["webhook_url"] == f"{PUBLIC_URL}/webhooks/kombo/{details['id']}"
    listed = cli("list")
    assert f"{details['id']}  kombo/workday" in listed.output
    assert json.loads(cli("list", "--json").output)[0]["underlying_ats"] == "workday"
