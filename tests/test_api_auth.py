"""Auth and tenancy on EVERY /api/v1 endpoint: no token 401, narrow scope 403, and one tenant
never reads or changes another's data. Parametrised over the registered operations, so a new
endpoint is covered the moment it exists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from integration.api.routing import OPERATIONS
from store import jobs, review
from store.db import make_engine
from store.tables import applicants, installations
from tests.review_helpers import bearer, make_app, sanctions_hit, tenant_with_queue, two_list_versions

BODIES = {
    "update_installation": {"name": "Taken over"},
    "patch_settings": {"settings": {"note_template": "pwned"}},
    "create_installation": {"platform": "greenhouse", "name": "Evil twin"},
    "create_decision": {"decision": "false_positive", "reason": "not them", "hit_key": "x"},
}
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
            for scope in review.Scope
        }
    app = make_app(db_url, tmp_path, lists_dir=lists_dir)
    return {"client": app.test_client(), "engine": engine, "acme": acme, "tokens": tokens}


def _url(op, ids: dict[str, int]) -> str:
    values = {"installation_id": "acme", "applicant_id": ids["match"], "job_id": ids["job"]}
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


@pytest.mark.parametrize("op", OPERATIONS, ids=_ids)
def test_other_tenant_never_sees_or_changes_data(world, op) -> None:
    engine = world["engine"]
    with engine.connect() as conn:
        before = conn.execute(select(installations.c.name, installations.c.settings).order_by("id")).all()
        decisions_before = conn.execute(select(func.count()).select_from(review.decisions)).scalar_one()
    response = _call(
        world["client"], op, _url(op, world["acme"]), world["tokens"][("globex", review.Scope.ADMIN)]
    )
    # Endpoints without ids in the path act on the caller's own tenant; the others must not find acme's.
    assert response.status_code == (op.status if "<" not in op.rule else 404), response.data
    assert b"acme" not in response.data  # every acme id, external id and name of installation
    with engine.connect() as conn:
        if op.endpoint != "create_installation":  # creating a tenant is allowed; it is not acme's
            assert (
                conn.execute(select(installations.c.name, installations.c.settings).order_by("id")).all()
                == before
            )
        assert (
            conn.execute(select(func.count()).select_from(review.decisions)).scalar_one() == decisions_before
        )
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
        response = client.open(
            _url(op, ids), method=op.method, headers=bearer(token), json=body or BODIES.get(op.endpoint)
        )
        assert response.status_code == op.status, (op.endpoint, response.data)
    delete = next(op for op in OPERATIONS if op.endpoint == "delete_installation")
    assert _call(client, delete, _url(delete, ids), token).status_code == 204
