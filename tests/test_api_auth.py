"""Auth and tenancy on EVERY /api/v1 endpoint: no token 401, narrow scope 403, and one tenant
never reads or changes another's data; only an operator token creates tenants, and it reads no
tenant's data. Parametrised over the registered operations, so a new endpoint is covered the
moment it exists. Then the tokens and users endpoints themselves."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from sqlalchemy import func, select

from integration.api.routing import OPERATIONS
from store import jobs, review
from store.db import make_engine
from store.tables import applicants, audit_log, installations
from tests.review_helpers import (
    bearer,
    make_app,
    sanctions_hit,
    sign_in,
    tenant_with_queue,
    two_list_versions,
)

BODIES = {
    "update_installation": {"name": "Taken over"},
    "patch_settings": {"settings": {"note_template": "pwned"}},
    "create_installation": {"platform": "greenhouse", "name": "Evil twin"},
    "create_decision": {"decision": "false_positive", "reason": "not them", "hit_key": "x"},
    "create_api_token": {"scope": "reviewer", "label": "ci"},
}
OPERATOR = review.Scope.OPERATOR
QUERIES = {"search": "?q=Kim+Sang+Man"}  # endpoints with a required query parameter


@pytest.fixture(scope="module")
def lists_dir(tmp_path_factory):
    work = tmp_path_factory.mktemp("lists")
    two_list_versions(work / "store", work)
    return work / "store"


@pytest.fixture
def world(db_url, tmp_path, lists_dir):
    engine = make_engine(db_url)
    with engine.begin() as conn:
        acme = {**tenant_with_queue(conn, "acme"), "job": jobs.create_job(conn, "acme", requested_by="test")}
        tenant_with_queue(conn, "globex")
        tokens = {
            (tenant, scope): review.create_token(conn, tenant, scope)[1]
            for tenant in ("acme", "globex")
            for scope in review.TENANT_SCOPES
        }
        tokens[OPERATOR] = review.create_operator_token(conn)[1]
        acme["token"] = review.create_token(conn, "acme", review.Scope.REVIEWER, "spare")[0].id
        acme["user"] = review.add_user(
            conn, "acme", "r@acme.test", "a long password", review.Scope.REVIEWER
        ).id
    app = make_app(db_url, tmp_path, lists_dir=lists_dir)
    return {"client": app.test_client(), "engine": engine, "acme": acme, "tokens": tokens}


def _url(op, ids: dict) -> str:
    values = {
        "installation_id": "acme",
        "applicant_id": ids["match"],
        "job_id": ids["job"],
        "token_id": ids["token"],
        "user_id": ids["user"],
    }
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), op.rule)
    return "/api/v1" + path + QUERIES.get(op.endpoint, "")


def _call(client, op, url, token=None):
    headers = bearer(token) if token else {}
    return client.open(url, method=op.method, headers=headers, json=BODIES.get(op.endpoint))


def _ids(op) -> str:
    return f"{op.method} {op.rule}"


@pytest.mark.parametrize("op", OPERATIONS, ids=_ids)
def test_no_token_is_401_and_bad_token_is_401(world, op) -> None:
    url = _url(op, world["acme"])
    for token in (None, "hwt_not-a-real-token"):
        response = _call(world["client"], op, url, token)
        assert response.status_code == 401, response.data
        assert response.json["reason"]


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.scope == review.Scope.ADMIN], ids=_ids)
def test_reviewer_token_on_admin_endpoint_is_403(world, op) -> None:
    response = _call(
        world["client"], op, _url(op, world["acme"]), world["tokens"][("acme", review.Scope.REVIEWER)]
    )
    assert response.status_code == 403
    assert "admin" in response.json["reason"]


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.scope == OPERATOR], ids=_ids)
@pytest.mark.parametrize("scope", review.TENANT_SCOPES)
def test_a_tenant_token_on_an_operator_endpoint_is_403(world, op, scope) -> None:
    """An installation's admin could create tenants (and none of it showed in its trail)."""
    with world["engine"].connect() as conn:
        before = conn.execute(select(func.count()).select_from(installations)).scalar_one()
    response = _call(world["client"], op, _url(op, world["acme"]), world["tokens"][("acme", scope)])
    assert response.status_code == 403
    assert "operator" in response.json["reason"] and "hirewatch" in response.json["reason"]
    with world["engine"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(installations)).scalar_one() == before


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.scope != OPERATOR], ids=_ids)
def test_an_operator_token_reads_no_tenants_data(world, op) -> None:
    response = _call(world["client"], op, _url(op, world["acme"]), world["tokens"][OPERATOR])
    assert response.status_code == 403 and "operator token reads no" in response.json["reason"]
    assert b"acme" not in response.data


def _tenant_state(conn) -> tuple:
    """What a request from another tenant must leave as it was."""
    return (
        conn.execute(select(installations.c.name, installations.c.settings).order_by("id")).all(),
        conn.execute(select(func.count()).select_from(review.decisions)).scalar_one(),
        conn.execute(select(review.api_tokens.c.id, review.api_tokens.c.revoked_at).order_by("id")).all(),
        conn.execute(select(review.users.c.email, review.users.c.disabled_at).order_by("id")).all(),
    )


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.scope != OPERATOR], ids=_ids)
def test_other_tenant_never_sees_or_changes_data(world, op) -> None:
    engine = world["engine"]
    with engine.connect() as conn:
        before = _tenant_state(conn)
    response = _call(
        world["client"], op, _url(op, world["acme"]), world["tokens"][("globex", review.Scope.ADMIN)]
    )
    # Endpoints without ids in the path act on the caller's own tenant; the others must not find acme's.
    assert response.status_code == (op.status if "<" not in op.rule else 404), response.data
    assert b"acme" not in response.data  # every acme id, external id and name of installation
    with engine.connect() as conn:
        state = _tenant_state(conn)
        if op.endpoint == "create_api_token":  # globex's own new token; acme's are as they were
            state = (*state[:2], [t for t in state[2] if t in before[2]], state[3])
        assert state == before
        acme_jobs = select(jobs.rescreen_jobs.c.status).where(jobs.rescreen_jobs.c.installation_id == "acme")
        assert conn.execute(acme_jobs).scalars().all() == ["running"]
        assert (
            conn.execute(select(func.count()).where(applicants.c.installation_id == "acme")).scalar_one() == 4
        )


def test_own_tenant_reaches_every_endpoint(world) -> None:
    """The same requests with the owner's admin token succeed: the 404s above are tenancy, not typos."""
    client, ids = world["client"], world["acme"]
    token = world["tokens"][("acme", review.Scope.ADMIN)]
    hit = review.hit_key(sanctions_hit())
    for op in OPERATIONS:
        body = {**BODIES["create_decision"], "hit_key": hit} if op.endpoint == "create_decision" else None
        if op.endpoint == "delete_installation":
            continue  # checked last: it removes the tenant
        caller = world["tokens"][OPERATOR] if op.scope == OPERATOR else token
        response = client.open(
            _url(op, ids), method=op.method, headers=bearer(caller), json=body or BODIES.get(op.endpoint)
        )
        assert response.status_code == op.status, (op.endpoint, response.data)
    delete = next(op for op in OPERATIONS if op.endpoint == "delete_installation")
    assert _call(client, delete, _url(delete, ids), token).status_code == 204


# --- tenants come from the operator; tokens and users of one installation ---


def _trail(engine, installation_id: str | None) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.subject)
            .where(
                audit_log.c.installation_id.is_(None)
                if installation_id is None
                else audit_log.c.installation_id == installation_id
            )
            .order_by(audit_log.c.id)
        )
        return [tuple(row) for row in rows]


def test_an_operator_token_creates_a_tenant_audited_in_the_new_trail(world) -> None:
    with world["engine"].begin() as conn:
        operator, plain = review.create_operator_token(conn, "provisioning")
    created = world["client"].post(
        "/api/v1/installations", headers=bearer(plain), json=BODIES["create_installation"]
    )
    assert created.status_code == 201, created.json
    new = created.json
    assert _trail(world["engine"], new["id"]) == [
        ("installation.create", f"operator:{operator.id}", new["id"]),
        ("token.create", f"operator:{operator.id}", mock.ANY),
    ]
    assert ("token.create", "cli", operator.id) in _trail(world["engine"], None)  # outside any tenant
    new_admin = bearer(new["admin_token"])
    assert world["client"].get("/api/v1/installations", headers=new_admin).json[0]["id"] == new["id"]
    assert world["client"].post("/api/v1/installations", headers=new_admin, json={}).status_code == 403


def test_an_admin_lists_creates_and_revokes_its_installations_tokens(world) -> None:
    client, engine = world["client"], world["engine"]
    with engine.begin() as conn:
        admin, plain = review.create_token(conn, "acme", review.Scope.ADMIN, days=30)
    made = client.post("/api/v1/tokens", headers=bearer(plain), json={"scope": "reviewer", "days": 365})
    assert made.status_code == 201, made.json
    new = made.json
    # never outlives the token that made it
    assert datetime.fromisoformat(new["expires_at"]) == admin.expires_at
    assert client.get("/api/v1/applicants", headers=bearer(new["token"])).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer(plain))
    assert new["id"] in [t["id"] for t in listed.json] and "token" not in listed.json[0]
    assert new["token"].encode() not in listed.data  # shown once, at creation
    broader = client.post("/api/v1/tokens", headers=bearer(plain), json={"scope": "operator"})
    assert broader.status_code == 403 and "broader than itself" in broader.json["reason"]

    revoked = client.post(f"/api/v1/tokens/{new['id']}/revoke", headers=bearer(plain))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.get("/api/v1/applicants", headers=bearer(new["token"])).status_code == 401
    again = client.post(f"/api/v1/tokens/{new['id']}/revoke", headers=bearer(plain))
    assert again.status_code == 409 and "already revoked" in again.json["reason"]
    assert [(a, s) for a, actor, s in _trail(engine, "acme") if actor == admin.actor] == [
        ("token.create", new["id"]),
        ("token.revoke", new["id"]),
    ]


def test_an_admin_disables_enables_and_removes_its_installations_users(world) -> None:
    client, engine, user_id = world["client"], world["engine"], world["acme"]["user"]
    admin = bearer(world["tokens"][("acme", review.Scope.ADMIN)])
    with engine.begin() as conn:  # a decision of theirs, to outlive them
        review.record_decision(
            conn,
            "acme",
            world["acme"]["clear"],
            decision=review.Decision.ESCALATE,
            reason="check",
            actor="user:r@acme.test",
        )
    assert sign_in(client, "r@acme.test", "a long password").status_code == 302
    assert client.get("/review/").status_code == 200
    listed = client.get("/api/v1/users", headers=admin).json
    assert [(u["email"], u["role"], u["disabled_at"]) for u in listed] == [("r@acme.test", "reviewer", None)]

    disabled = client.post(f"/api/v1/users/{user_id}/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json["disabled_at"]
    assert client.get("/review/").status_code == 302  # the live session ended with it
    assert sign_in(client, "r@acme.test", "a long password").status_code == 401
    assert client.post(f"/api/v1/users/{user_id}/enable", headers=admin).json["disabled_at"] is None
    assert sign_in(client, "r@acme.test", "a long password").status_code == 302

    assert client.delete(f"/api/v1/users/{user_id}", headers=admin).status_code == 204
    assert client.get("/api/v1/users", headers=admin).json == []
    assert client.get("/review/").status_code == 302
    assert client.delete(f"/api/v1/users/{user_id}", headers=admin).status_code == 404
    with engine.connect() as conn:
        decisions = review.list_decisions(conn, "acme", world["acme"]["clear"])
    assert [d["actor"] for d in decisions] == ["user:r@acme.test"]  # still attributable
    token_actor = f"token:{_token_id(engine, world['tokens'][('acme', review.Scope.ADMIN)])}"
    assert [(a, s) for a, actor, s in _trail(engine, "acme") if actor == token_actor] == [
        ("user.disable", "r@acme.test"),
        ("user.enable", "r@acme.test"),
        ("user.remove", "r@acme.test"),
    ]


def _token_id(engine, plain: str) -> str:
    with engine.begin() as conn:
        return review.authenticate_token(conn, plain).id


@pytest.mark.parametrize(("age_days", "status"), [(2, 200), (10, 401)])
def test_a_token_made_before_expiry_existed_lives_token_days_from_creation(
    sqlite_url, tmp_path, age_days, status
) -> None:
    with make_engine(sqlite_url).begin() as conn:
        tenant_with_queue(conn, "acme")
        _, plain = review.create_token(conn, "acme", review.Scope.REVIEWER)
        made = datetime.now(UTC) - timedelta(days=age_days)
        conn.execute(review.api_tokens.update().values(expires_at=None, created_at=made))  # an old row
    client = make_app(sqlite_url, tmp_path, token_days=5.0).test_client()
    assert client.get("/api/v1/applicants", headers=bearer(plain)).status_code == status
    with make_engine(sqlite_url).connect() as conn:
        (listed,) = review.list_tokens(conn, "acme", legacy_days=5.0)
    assert listed["expires_at"] == made + timedelta(days=5)
