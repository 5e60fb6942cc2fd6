"""`hirewatch installations ...` end to end: the printed URL and secret work against the receiver."""

from __future__ import annotations

import json
import uuid

import pytest
import responses
from click.testing import CliRunner
from sqlalchemy import select

from connectors.registry import get_connector
from integration.app import create_app
from integration.cli import main
from integration.sandbox.harness import SandboxThread
from integration.sandbox.kombo import KomboSandboxThread
from store.db import engine_for
from store.tables import audit_log
from tests.conftest import FIXTURES
from tests.receiver_support import TEST_SECRET_KEY, receiver_settings
from tests.review_helpers import add_missing_in_ats

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


@responses.activate
def test_add_prints_a_webhook_url_and_secret_that_the_receiver_accepts(cli, db_url, tmp_path) -> None:
    # The test call: a Harvest v3 token, then List Candidates, one page
    # (https://harvestdocs.greenhouse.io/docs/authentication, /docs/pagination)
    responses.post("https://auth.greenhouse.io/token", json={"access_token": "t-1", "expires_in": 3600})
    responses.get("https://harvest.greenhouse.io/v3/candidates", json=[])
    client_id = f"client-{uuid.uuid4().hex[:8]}"  # a token of its own, not one cached by another case
    added = cli(
        "add",
        "--platform",
        "greenhouse",
        "--name",
        "Acme",
        "--client-id",
        client_id,
        "--client-secret",
        "k-123",
        "--on-behalf-of",
        "4080",
        "--json",
    )
    assert added.exit_code == 0, added.output
    details = json.loads(added.stdout)
    assert responses.calls[0].request.headers["Authorization"].startswith("Basic ")  # client id:secret
    assert responses.calls[1].request.headers["Authorization"] == "Bearer t-1"
    assert details["webhook_url"] == f"{PUBLIC_URL}/webhooks/greenhouse/{details['id']}"
    assert len(details["webhook_secret"]) >= 32 and details["on_behalf_of"] == "4080"
    with engine_for(db_url).connect() as conn:  # in the new installation's own trail
        created = select(audit_log.c.actor).where(
            audit_log.c.installation_id == details["id"], audit_log.c.action == "installation.create"
        )
        assert conn.execute(created).scalars().all() == ["cli"]

    client = create_app(receiver_settings(tmp_path, db_url)).test_client()
    assert _post_signed(client, details["webhook_url"], details["webhook_secret"], "e1").status_code == 200

    rotated = cli("rotate-secret", details["id"], "--json")
    new_secret = json.loads(rotated.stdout)["webhook_secret"]
    assert new_secret != details["webhook_secret"]
    assert _post_signed(client, details["webhook_url"], details["webhook_secret"], "e2").status_code == 401
    assert _post_signed(client, details["webhook_url"], new_secret, "e3").status_code == 200

    issued = cli("rotate-secret", details["id"], "--secret", "vendor-issued-secret", "--json")
    assert json.loads(issued.stdout)["webhook_secret"] == "vendor-issued-secret"

    listed = json.loads(cli("list", "--json").stdout)
    assert [
        (row["id"], row["name"], row["client_id"], row["has_client_secret"], row["needs"]) for row in listed
    ] == [(details["id"], "Acme", client_id, True, None)]
    assert "k-123" not in cli("list").output and "vendor-issued-secret" not in cli("list", "--json").output

    assert cli("remove", details["id"], "--yes").exit_code == 0
    assert json.loads(cli("list", "--json").stdout) == []


def test_given_webhook_secret_is_kept_and_human_output_names_both(cli) -> None:
    added = cli("add", "--platform", "lever", "--name", "Beta", "--webhook-secret", "chosen-secret")
    assert added.exit_code == 0
    assert "Webhook secret: chosen-secret" in added.output and f"{PUBLIC_URL}/webhooks/lever/" in added.output


def test_greenhouse_wants_harvest_v3_credentials(cli) -> None:
    with_key = cli(
        "add", "--platform", "greenhouse", "--name", "Old", "--api-key", "v1-key", "--on-behalf-of", "7"
    )
    assert with_key.exit_code == 1 and "--client-id, --client-secret, --on-behalf-of" in with_key.output
    by_name = cli(
        "add", "--platform", "greenhouse", "--name", "G", "--client-id", "c", "--client-secret", "s"
    )
    assert by_name.exit_code == 1 and "numeric id of the Greenhouse user" in by_name.output


@responses.activate
def test_a_v1_installation_is_flagged_with_the_command_that_fixes_it(cli, db_url) -> None:
    from store.installations import create_installation
    from store.secretbox import SecretBox

    with engine_for(db_url).begin() as conn:  # as an older HireWatch stored it: a Harvest API key
        old = create_installation(
            conn,
            SecretBox(TEST_SECRET_KEY),
            platform="greenhouse",
            name="Old",
            api_key="v1",
            on_behalf_of="7",
        )
    fix = f"hirewatch installations set-credentials {old.id} --client-id ID --client-secret SECRET"
    listed = cli("list")
    assert "needs Harvest v3 credentials" in listed.output and fix in listed.output
    assert fix in json.loads(cli("list", "--json").stdout)[0]["needs"]
    responses.post("https://auth.greenhouse.io/token", json={"access_token": "t-1", "expires_in": 3600})
    responses.get("https://harvest.greenhouse.io/v3/candidates", json=[])  # the test call passes
    fixed = cli(
        "set-credentials", old.id, "--client-id", "c-1", "--client-secret", "s-1", "--on-behalf-of", "7"
    )
    assert fixed.exit_code == 0, fixed.output
    row = json.loads(cli("list", "--json").stdout)[0]
    assert (row["needs"], row["client_id"], row["has_api_key"], row["status"]) == (
        None,
        "c-1",
        False,
        "active",
    )


def test_errors_say_what_to_do(cli, tmp_path) -> None:
    unknown_platform = cli("add", "--platform", "myspace", "--name", "X")
    assert unknown_platform.exit_code == 2 and "myspace" in unknown_platform.output
    missing = cli("remove", "nope", "--yes")
    assert missing.exit_code == 1 and "hirewatch installations list" in missing.output
    production = cli("list", env_overrides={"HIREWATCH_ENV": "production", "HIREWATCH_SECRET_KEY": ""})
    assert production.exit_code == 1 and "needs HIREWATCH_SECRET_KEY" in production.output


@pytest.fixture
def sandbox():
    with SandboxThread() as running:
        yield running


def _add(cli, base_url: str, secret: str = "sandbox-secret", allow: str = "", token_url: str = ""):
    """A Greenhouse installation on the sandbox ATS (its token endpoint unless `token_url`)."""
    args = ["add", "--platform", "greenhouse", "--name", "S", "--client-id", "sandbox-client"]
    args += ["--client-secret", secret, "--api-base-url", base_url]
    args += ["--token-url", token_url or base_url.rsplit("/", 1)[0] + "/token"]
    return cli(*args, "--on-behalf-of", "4080", "--json", env_overrides={"HIREWATCH_ALLOW_API_URLS": allow})


@pytest.mark.parametrize(
    ("base", "secret", "problem"),
    [
        ("{url}/v3", "wrong-secret", "bad_credentials"),  # the token endpoint refuses the client
        ("{url}/x/v3", "sandbox-secret", "wrong_url"),  # no Harvest there: 404 everywhere
        ("http://127.0.0.1:1/v3", "sandbox-secret", "wrong_url"),  # not allowed by the operator
    ],
)
def test_add_refuses_what_fails_the_test_call_saying_which(cli, sandbox, base, secret, problem) -> None:
    refused = _add(cli, base.format(url=sandbox.url), secret, allow=sandbox.url, token_url=sandbox.token_url)
    assert refused.exit_code == 1
    assert f"not added: {problem}" in refused.output
    assert json.loads(cli("list", "--json").stdout) == []


def test_loopback_urls_need_the_operator_allowlist(cli, sandbox) -> None:
    refused = _add(cli, sandbox.api_base_url)
    assert refused.exit_code == 1 and "HIREWATCH_ALLOW_API_URLS" in refused.output
    assert _add(cli, sandbox.api_base_url, allow=sandbox.url).exit_code == 0


def test_a_token_url_off_greenhouse_hosts_is_refused(cli, sandbox) -> None:
    elsewhere = _add(cli, sandbox.api_base_url, allow=sandbox.url, token_url="https://auth.example.com/token")
    assert elsewhere.exit_code == 1 and "token_url" in elsewhere.output


@responses.activate
def test_a_missing_permission_is_named_by_its_vendor_name(cli) -> None:
    responses.post("https://auth.greenhouse.io/token", json={"access_token": "t-1", "expires_in": 3600})
    responses.get("https://harvest.greenhouse.io/v3/candidates", status=403, json={"message": "forbidden"})
    refused = cli(
        "add", "--platform", "greenhouse", "--name", "X", "--client-id", "c", "--client-secret", "s",
        "--on-behalf-of", "4080",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "missing_permission" in refused.output and "harvest:candidates:list" in refused.output


def test_set_credentials_checks_them_and_check_reports_health(cli, sandbox, db_url) -> None:
    allow = {"HIREWATCH_ALLOW_API_URLS": sandbox.url}
    installation_id = json.loads(_add(cli, sandbox.api_base_url, allow=sandbox.url).stdout)["id"]
    new = ["--client-id", "sandbox-client", "--on-behalf-of", "4080", "--token-url", sandbox.token_url]
    refused = cli("set-credentials", installation_id, *new, "--client-secret", "wrong", env_overrides=allow)
    assert refused.exit_code == 1 and "not changed: bad_credentials" in refused.output
    assert cli("check", installation_id, env_overrides=allow).exit_code == 0  # the old secret was kept
    v1_key = cli("update", installation_id, "--api-key", "a-harvest-key", env_overrides=allow)
    assert v1_key.exit_code == 1 and "not an API key" in v1_key.output

    add_missing_in_ats(engine_for(db_url), installation_id, 2)
    listed = cli("list", env_overrides=allow)
    assert "WARNING: the ATS answered 404 for the last 2 candidate(s)" in listed.output
    assert json.loads(cli("list", "--json", env_overrides=allow).stdout)[0]["missing_in_ats_in_a_row"] == 2

    moved = cli("update", installation_id, "--api-base-url", sandbox.url, env_overrides=allow)
    assert moved.exit_code == 1 and "not changed: wrong_url" in moved.output
    sandbox.state.client_secret = "rotated"
    sandbox.state.revoke_tokens()
    failing = cli("check", installation_id, env_overrides=allow)
    assert failing.exit_code == 1 and "bad_credentials" in failing.output


def _trail(db_url: str, installation_id: str) -> list[tuple[str, str, str, dict]]:
    query = (
        select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject, audit_log.c.details)
        .where(audit_log.c.installation_id == installation_id)
        .order_by(audit_log.c.id)
    )
    with engine_for(db_url).connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_every_change_is_in_the_trail_naming_fields_never_secrets_and_outlives_remove(
    cli, sandbox, db_url
) -> None:
    allow = {"HIREWATCH_ALLOW_API_URLS": sandbox.url}
    added = json.loads(_add(cli, sandbox.api_base_url, allow=sandbox.url).stdout)
    installation_id = added["id"]
    creds = ["--client-id", "sandbox-client", "--client-secret", "sandbox-secret", "--on-behalf-of", "4080"]
    moved = cli(
        "set-credentials", installation_id, *creds, "--token-url", sandbox.token_url, env_overrides=allow
    )
    assert moved.exit_code == 0, moved.output
    refused = cli("update", installation_id, "--api-base-url", sandbox.url, env_overrides=allow)
    assert refused.exit_code == 1  # refused changes are not stored, so not audited either
    renamed = cli(
        "update", installation_id, "--name", "Renamed", "--on-behalf-of", "4081", env_overrides=allow
    )
    assert renamed.exit_code == 0, renamed.output
    generated = json.loads(cli("rotate-secret", installation_id, "--json").stdout)["webhook_secret"]
    assert cli("rotate-secret", installation_id, "--secret", "vendor-issued-secret").exit_code == 0
    assert cli("check", installation_id, env_overrides=allow).exit_code == 0
    sandbox.state.client_secret = "rotated"
    sandbox.state.revoke_tokens()
    assert cli("check", installation_id, env_overrides=allow).exit_code == 1
    assert cli("remove", installation_id, "--yes").exit_code == 0

    trail = _trail(db_url, installation_id)  # audit rows have no foreign key: they stay
    assert {(actor, subject) for actor, _, subject, _ in trail} == {("cli", installation_id)}
    assert [(action, details) for _, action, _, details in trail] == [
        ("installation.create", {"platform": "greenhouse", "name": "S"}),
        (
            "installation.update",
            {"fields": ["api_key", "client_id", "client_secret", "on_behalf_of", "status", "token_url"]},
        ),
        ("installation.update", {"fields": ["name", "on_behalf_of"]}),
        ("installation.rotate_secret", {"generated": True}),
        ("installation.rotate_secret", {"generated": False}),
        ("installation.check", {"ok": True, "problem": None}),
        ("installation.check", {"ok": False, "problem": "bad_credentials"}),
        ("installation.delete", {"platform": "greenhouse", "name": "Renamed"}),
    ]
    written = json.dumps(trail)
    for secret in ("sandbox-secret", added["webhook_secret"], generated, "vendor-issued-secret"):
        assert secret not in written


def test_removing_an_unknown_installation_records_nothing(cli, db_url) -> None:
    assert cli("remove", "nope", "--yes").exit_code == 1
    assert _trail(db_url, "nope") == []


def kombo_integration(integration_id: str, label: str) -> dict:
    """Kombo's documented GET /integrations/{id} example, made an ATS integration."""
    answer = json.loads((FIXTURES / "kombo" / "get-integration.json").read_text())
    answer["data"].update(id=integration_id, category="ATS")
    answer["data"]["tool"].update(id=integration_id.partition(":")[0], label=label)
    return answer


@responses.activate
def test_kombo_needs_an_integration_id_and_shows_the_ats_behind_it(cli) -> None:
    # The test call: the integration (docs.kombo.dev/general/get-integration), then one page of
    # Kombo's Get candidates (docs.kombo.dev/ats/v1/get-candidates)
    responses.get(
        "https://api.kombo.dev/v1/integrations/workday:8d1hpPsbjxUkoCoa",
        json=kombo_integration("workday:8d1hpPsbjxUkoCoa", "Workday"),
    )
    responses.get(
        "https://api.kombo.dev/v1/ats/candidates",
        json={"status": "success", "data": {"next": None, "results": []}},
    )
    refused = cli("add", "--platform", "kombo", "--name", "Acme", "--api-key", "k")
    assert refused.exit_code == 2 and "--integration-id" in refused.output
    added = cli(
        "add", "--platform", "kombo", "--name", "Acme", "--api-key", "k",
        "--integration-id", "workday:8d1hpPsbjxUkoCoa", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    details = json.loads(added.stdout)
    assert responses.calls[1].request.headers["X-Integration-Id"] == "workday:8d1hpPsbjxUkoCoa"
    assert details["underlying_ats"] == "workday"
    assert details["webhook_url"] == f"{PUBLIC_URL}/webhooks/kombo/{details['id']}"
    listed = cli("list")
    assert f"{details['id']}  kombo/workday" in listed.output
    assert json.loads(cli("list", "--json").stdout)[0]["underlying_ats"] == "workday"


def test_kombo_check_names_the_ats_and_a_write_it_does_not_offer(cli) -> None:
    with KomboSandboxThread() as kombo:
        allow = {"HIREWATCH_ALLOW_API_URLS": kombo.url}
        added = cli(
            "add", "--platform", "kombo", "--name", "Acme", "--api-key", kombo.state.api_key,
            "--integration-id", kombo.state.integration_id, "--api-base-url", kombo.api_base_url, "--json",
            env_overrides=allow,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        installation_id = json.loads(added.stdout)["id"]
        checked = cli("check", installation_id, env_overrides=allow)
        assert checked.exit_code == 0 and "Workday via Kombo" in checked.output, checked.output
        kombo.state.note_writes_available = False
        refused = cli("check", installation_id, env_overrides=allow)
        assert refused.exit_code == 1 and "missing_permission" in refused.output
        assert "add notes (Kombo scope 'Add notes')" in refused.output
        wrong = cli(
            "add", "--platform", "kombo", "--name", "Acme", "--api-key", kombo.state.api_key,
            "--integration-id", "workday:unknown", "--api-base-url", kombo.api_base_url,
            env_overrides=allow,
        )  # fmt: skip
        assert wrong.exit_code == 1 and "wrong_integration" in wrong.output
