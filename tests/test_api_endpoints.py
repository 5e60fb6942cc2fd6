"""The admin API end to end on the real app and database: filters, detail, decisions, audit."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import responses
from sqlalchemy import select

from integration.api.routing import OPERATIONS
from store import review
from store.db import make_engine
from store.secretbox import SecretBox
from store.tables import audit_log, installations
from tests.review_helpers import bearer, make_app, sanctions_hit, tenant_with_queue, two_list_versions
from tests.test_installations_cli import kombo_integration


@pytest.fixture
def api(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        _, admin = review.create_token(conn, "acme", review.Scope.ADMIN)
        _, reviewer = review.create_token(conn, "acme", review.Scope.REVIEWER)
        _, operator = review.create_operator_token(conn)
    client = make_app(sqlite_url, tmp_path).test_client()
    return {
        "client": client,
        "ids": ids,
        "admin": bearer(admin),
        "reviewer": bearer(reviewer),
        "operator": bearer(operator),
        "engine": engine,
    }


def test_filter_by_risk_search_and_queue(api) -> None:
    client, ids, auth = api["client"], api["ids"], api["reviewer"]
    queue = client.get("/api/v1/applicants?needs_review=true", headers=auth).json
    assert [a["id"] for a in queue] == [ids["ring"], ids["match"]]
    high_or_low = client.get("/api/v1/applicants?risk=high&risk=low", headers=auth).json
    assert [a["risk"] for a in high_or_low] == ["high", "low"]
    assert [a["id"] for a in client.get("/api/v1/applicants?q=acme-c4", headers=auth).json] == [ids["clear"]]
    bad = client.get("/api/v1/applicants?risk=severe&limit=0", headers=auth)
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"risk", "limit"}


def test_detail_has_every_hit_and_flag_with_evidence_and_links(api) -> None:
    client, ids, auth = api["client"], api["ids"], api["reviewer"]
    match = client.get(f"/api/v1/applicants/{ids['match']}", headers=auth).json
    (hit,) = match["latest_screening"]["sanctions_hits"]
    assert hit["key"] == review.hit_key(sanctions_hit())
    assert hit["programs"] == ["DPRK3"] and "RI~LEE" in hit["explanation"]
    assert match["badge_url"].startswith("http://hirewatch.test/badges/")
    ring = client.get(f"/api/v1/applicants/{ids['ring']}", headers=auth).json
    (flag,) = ring["latest_screening"]["flags"]
    assert flag["evidence"]["phone"] == "+14155550100"
    assert [a["id"] for a in flag["linked_applicants"]] == [ids["linked"]]
    assert client.get("/api/v1/applicants/999999", headers=auth).status_code == 404
    assert client.get("/api/v1/applicants/99999999999999999999", headers=auth).status_code == 404


def test_false_positive_decision_suppresses_and_is_audited(api) -> None:
    client, ids, auth = api["client"], api["ids"], api["reviewer"]
    key = review.hit_key(sanctions_hit())
    response = client.post(
        f"/api/v1/applicants/{ids['match']}/decisions",
        headers=auth,
        json={"decision": "false_positive", "reason": "date of birth differs", "hit_key": key},
    )
    assert response.status_code == 201, response.json
    assert response.json["review_status"] == "decided" and response.json["hits"] == [key]
    with api["engine"].connect() as conn:
        assert review.suppressed_hits(conn, "acme", ids["match"]) == {key}
        actions = [row.action for row in conn.execute(select(audit_log.c.action))]
    assert "decision" in actions
    assert {"writeback.enqueued", "writeback.enqueue_failed"} & set(actions)  # never silently dropped
    history = client.get(f"/api/v1/applicants/{ids['match']}/decisions", headers=auth).json
    assert history[0]["reason"] == "date of birth differs"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"decision": "maybe", "reason": "x"}, 422, "validate"),
        ({"decision": "escalate"}, 422, "validate"),
        ({"decision": "escalate", "reason": "nul \x00 byte"}, 422, "validate"),
        ({"decision": "false_positive", "reason": "x", "hit_key": "ofac_sdn:1:name:0"}, 422, "not in"),
    ],
)
def test_bad_decisions_get_a_reason(api, body, status, reason) -> None:
    response = api["client"].post(
        f"/api/v1/applicants/{api['ids']['match']}/decisions", headers=api["reviewer"], json=body
    )
    assert response.status_code == status and reason in response.json["reason"]


def test_non_json_body_is_400(api) -> None:
    response = api["client"].post(
        f"/api/v1/applicants/{api['ids']['match']}/decisions",
        headers=api["reviewer"],
        data="decision=escalate",
        content_type="text/plain",
    )
    assert response.status_code == 400 and "JSON" in response.json["reason"]


def test_settings_merge_over_defaults_and_update(api) -> None:
    client, auth = api["client"], api["admin"]
    defaults = client.get("/api/v1/installations/acme/settings", headers=auth).json["settings"]
    assert defaults["tags"]["high"] == "HireWatch: high risk"
    changed = client.patch(
        "/api/v1/installations/acme/settings", headers=auth, json={"settings": {"tags": {"high": "HW high"}}}
    )
    assert changed.status_code == 200 and changed.json["settings"]["tags"]["high"] == "HW high"
    updated = client.patch("/api/v1/installations/acme", headers=auth, json={"name": "Acme Corp"}).json
    assert updated["name"] == "Acme Corp" and "api_key_enc" not in updated
    refused = client.patch("/api/v1/installations/acme", headers=auth, json={"api_base_url": "ftp://x"})
    assert refused.status_code == 422


@responses.activate
def test_create_installation_and_rotate_secret(api) -> None:
    # The test calls before creating: one page of Lever's List opportunities (hire.lever.co/developer)
    # and of Kombo's Get candidates (docs.kombo.dev/ats/v1/get-candidates)
    responses.get("https://api.lever.co/v1/opportunities", json={"data": [], "hasNext": False})
    responses.get(
        "https://api.kombo.dev/v1/ats/candidates", json={"status": "success", "data": {"results": []}}
    )
    responses.get(  # docs.kombo.dev/general/get-integration
        "https://api.kombo.dev/v1/integrations/successfactors:B1hu5NGyhd",
        json=kombo_integration("successfactors:B1hu5NGyhd", "SAP SuccessFactors"),
    )
    client = api["client"]
    created = client.post(
        "/api/v1/installations",
        headers=api["operator"],
        json={"platform": "lever", "name": "Initech", "api_key": "k1"},
    )
    assert created.status_code == 201, created.json
    new = created.json
    assert new["webhook_url"] == f"http://hirewatch.test/webhooks/lever/{new['id']}" and new["webhook_secret"]
    with api["engine"].connect() as conn:
        stored = conn.execute(
            select(installations.c.webhook_secret_enc).where(installations.c.id == new["id"])
        )
        assert new["webhook_secret"].encode() not in stored.scalar_one()  # encrypted at rest
    new_auth = bearer(new["admin_token"])
    assert [i["id"] for i in client.get("/api/v1/installations", headers=new_auth).json] == [new["id"]]
    rotated = client.post(f"/api/v1/installations/{new['id']}/rotate-secret", headers=new_auth).json
    assert rotated["webhook_secret"] != new["webhook_secret"]
    assert client.post(
        "/api/v1/installations", headers=api["operator"], json={"platform": "taleo", "name": "x"}
    ).json["fields"] == {
        "platform": ["Must be one of: ashby, greenhouse, kombo, lever, smartrecruiters, workable."]
    }
    kombo = {"platform": "kombo", "name": "Globex via Kombo", "api_key": "k2"}
    refused = client.post("/api/v1/installations", headers=api["operator"], json=kombo)
    assert refused.status_code == 422 and "integration_id" in refused.json["reason"]
    kombo["integration_id"] = "successfactors:B1hu5NGyhd"
    made = client.post("/api/v1/installations", headers=api["operator"], json=kombo).json
    assert made["underlying_ats"] == "successfactors"
    assert made["settings"]["integration_id"] == "successfactors:B1hu5NGyhd"


def test_rescreen_start_progress_cancel(api) -> None:
    client, auth = api["client"], api["admin"]
    started = client.post("/api/v1/rescreens", headers=auth)
    assert started.status_code == 202 and started.json["status"] in ("running", "failed")
    job_id = started.json["id"]
    assert client.get(f"/api/v1/rescreens/{job_id}", headers=auth).json["id"] == job_id
    assert [j["id"] for j in client.get("/api/v1/rescreens", headers=auth).json] == [job_id]
    if started.json["status"] == "running":
        assert client.post(f"/api/v1/rescreens/{job_id}/cancel", headers=auth).json["status"] == "cancelled"
    with api["engine"].connect() as conn:
        actions = set(conn.execute(select(audit_log.c.action)).scalars())
    assert "rescreen.started" in actions
    assert client.post("/api/v1/rescreens", headers=api["reviewer"]).status_code == 403


def test_lists_status_versions_and_diff(api, tmp_path) -> None:
    client, auth = api["client"], api["reviewer"]
    assert client.get("/api/v1/lists", headers=auth).json == {
        "current": None,
        "previous": None,
        "versions": 0,
    }
    first, second = two_list_versions(tmp_path / "lists", tmp_path)
    status = client.get("/api/v1/lists", headers=auth).json
    assert (status["current"]["id"], status["previous"]["id"]) == (second, first)
    assert status["current"]["counts"]["ofac_sdn"] == 14
    versions = client.get("/api/v1/lists/versions", headers=auth).json
    assert [(v["id"], v["current"]) for v in versions] == [(second, True), (first, False)]
    diff = {d["list"]: d for d in client.get("/api/v1/lists/diff", headers=auth).json}
    assert diff["ofac_sdn"]["counts"] == {"added": 0, "removed": 1, "changed": 0}
    assert diff["ofac_sdn"]["removed"][0]["entity_id"]
    assert client.get("/api/v1/lists/diff?old=/etc", headers=auth).status_code == 422  # never a path
    assert (
        client.get("/api/v1/lists/diff?old=20200101T000000000000Z-abcdefabcdef", headers=auth).status_code
        == 404
    )


def test_audit_export_as_jsonl_and_csv(api) -> None:
    client, auth = api["client"], api["reviewer"]
    client.post(
        f"/api/v1/applicants/{api['ids']['match']}/decisions",
        headers=auth,
        json={"decision": "escalate", "reason": '=HYPERLINK("evil")'},
    )
    lines = client.get("/api/v1/audit?format=jsonl", headers=auth).data.decode().splitlines()
    entries = [json.loads(line) for line in lines]
    assert any(e["action"] == "decision" and e["details"]["decision"] == "escalate" for e in entries)
    assert all(e["installation_id"] == "acme" for e in entries)
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/audit?format=csv", headers=auth).data.decode()))
    )
    assert {r["action"] for r in rows} >= {"decision", "token.create"}
    assert client.get("/api/v1/audit?format=xml", headers=auth).status_code == 422


def test_openapi_document_describes_every_operation(api) -> None:
    doc = api["client"].get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    operations = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    for op in OPERATIONS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        assert (op.method, path) in operations
    decision_body = doc["paths"]["/applicants/{applicant_id}/decisions"]["post"]["requestBody"]
    assert decision_body["content"]["application/json"]["schema"]["$ref"].endswith("DecisionCreate")
    assert "DecisionCreate" in doc["components"]["schemas"]


def test_unknown_route_and_method_are_json(api) -> None:
    assert api["client"].get("/api/v1/nothing-here").json["error"] == "not_found"
    wrong_method = api["client"].put("/api/v1/applicants", headers=api["reviewer"])
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]


def test_decision_is_kept_and_audited_when_the_queue_is_down(sqlite_url, tmp_path) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        _, token = review.create_token(conn, "acme", review.Scope.REVIEWER)
    client = make_app(
        sqlite_url, tmp_path, redis_url="redis://127.0.0.1:1/0"
    ).test_client()  # nothing listens
    response = client.post(
        f"/api/v1/applicants/{ids['match']}/decisions",
        headers=bearer(token),
        json={"decision": "escalate", "reason": "needs the legal team"},
    )
    assert response.status_code == 201
    with engine.connect() as conn:
        failed = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "writeback.enqueue_failed")
        )
        assert failed.scalar_one()["decision_id"] == response.json["id"]


def test_deeply_nested_json_body_is_400(api) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = api["client"].post(
        f"/api/v1/applicants/{api['ids']['match']}/decisions",
        headers={**api["reviewer"], "Content-Type": "application/json"},
        data=deep,
    )
    assert response.status_code == 400 and response.json["reason"]


def test_deleting_an_installation_keeps_its_trail_saying_what_was_deleted(api) -> None:
    client, auth = api["client"], api["admin"]
    assert (
        client.patch("/api/v1/installations/acme", headers=auth, json={"name": "Acme Corp"}).status_code
        == 200
    )
    assert client.post("/api/v1/installations/acme/rotate-secret", headers=auth).status_code == 200
    assert client.delete("/api/v1/installations/acme", headers=auth).status_code == 204
    with api["engine"].connect() as conn:
        trail = conn.execute(
            select(audit_log.c.action, audit_log.c.details)
            .where(audit_log.c.installation_id == "acme", audit_log.c.action.like("installation.%"))
            .order_by(audit_log.c.id)
        ).all()
    assert [tuple(row) for row in trail] == [
        ("installation.update", {"fields": ["name"]}),
        ("installation.rotate_secret", {}),
        ("installation.delete", {"platform": "greenhouse", "name": "Acme Corp"}),
    ]


def _harvest_v3_answers() -> None:
    """A token, then one page of candidates: the test call an installation change makes
    (https://harvestdocs.greenhouse.io/docs/authentication, /docs/pagination)."""
    responses.post("https://auth.greenhouse.io/token", json={"access_token": "t-1", "expires_in": 3600})
    responses.get("https://harvest.greenhouse.io/v3/candidates", json=[])


@responses.activate
def test_greenhouse_installations_take_harvest_v3_credentials(api) -> None:
    _harvest_v3_answers()
    client, operator = api["client"], api["operator"]
    v1 = {"platform": "greenhouse", "name": "Old", "api_key": "v1-key", "on_behalf_of": "4080"}
    refused = client.post("/api/v1/installations", headers=operator, json=v1)
    assert refused.status_code == 422 and "not an API key" in refused.json["reason"]
    v3 = {
        "platform": "greenhouse",
        "name": "G",
        "client_id": "c-1",
        "client_secret": "s-1",
        "on_behalf_of": "4080",
    }
    created = client.post("/api/v1/installations", headers=operator, json=v3)
    assert created.status_code == 201, created.json
    assert (created.json["client_id"], created.json["needs"]) == ("c-1", None)
    assert "client_secret" not in created.json and "s-1" not in json.dumps(created.json)
    new_auth = bearer(created.json["admin_token"])
    bad_user = client.patch(
        f"/api/v1/installations/{created.json['id']}", headers=new_auth, json={"on_behalf_of": "hana", **v3}
    )
    assert bad_user.status_code == 422  # platform and name are not updatable fields either


@responses.activate
def test_a_v1_greenhouse_installation_says_what_fixes_it(api) -> None:
    _harvest_v3_answers()
    client, auth = api["client"], api["admin"]
    with api["engine"].begin() as conn:
        key = SecretBox("test-secret-key").encrypt("a retired Harvest key")
        retired = {"api_key_enc": key, "client_id": None, "client_secret_enc": None}
        conn.execute(installations.update().where(installations.c.id == "acme").values(**retired))
    needs = client.get("/api/v1/installations/acme", headers=auth).json["needs"]
    assert needs.startswith("needs Harvest v3 credentials: run hirewatch installations set-credentials acme")
    refused = client.post("/api/v1/rescreens", headers=auth)  # never polled with dead credentials
    assert refused.status_code == 409 and "needs Harvest v3 credentials" in refused.json["reason"]
    fixed = client.patch(
        "/api/v1/installations/acme",
        headers=auth,
        json={"client_id": "c-1", "client_secret": "s-1", "on_behalf_of": "4080"},
    )
    assert fixed.status_code == 200 and fixed.json["needs"] is None and fixed.json["status"] == "active"
    with api["engine"].connect() as conn:  # the retired key is gone
        assert (
            conn.execute(select(installations.c.api_key_enc).where(installations.c.id == "acme")).scalar()
            is None
        )


def test_search_finds_a_listed_person_typed_in_hangul_explains_it_and_stores_no_applicant(
    api, tmp_path
) -> None:
    from screening.lists.store import ListStore
    from store.tables import applicants
    from tests.review_helpers import LIST_FIXTURE

    ListStore(tmp_path / "lists").import_directory(LIST_FIXTURE)
    client, auth = api["client"], api["reviewer"]
    with api["engine"].connect() as conn:
        before = conn.execute(select(applicants.c.id)).scalars().all()

    found = client.get("/api/v1/search", query_string={"q": "김상만"}, headers=auth)

    assert found.status_code == 200, found.json
    sdn = next(r for r in found.json["results"] if r["list"] == "ofac_sdn")
    assert (sdn["entity_id"], sdn["entity_name"]) == ("43377", "KIM, Sang Man")
    assert sdn["official_url"] == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=43377"
    assert "Korean romanisation" in sdn["matches"][0]["explanation"]
    assert found.json["lists"]["ofac_sdn"]
    email = client.get("/api/v1/search", query_string={"q": "Olivia Brennan"}, headers=auth).json
    assert email["results"] == []
    with api["engine"].connect() as conn:
        assert conn.execute(select(applicants.c.id)).scalars().all() == before  # nobody was created
        searches = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject, audit_log.c.details).where(
                audit_log.c.action == "lists.search"
            )
        ).all()
    assert searches[0].subject == "김상만" and "ofac_sdn:43377" in searches[0].details["results"]
    assert searches[0].actor.startswith("token:")
    assert client.get("/api/v1/search?q=x", headers=auth).status_code == 422  # too short
    assert client.get("/api/v1/search?q=Kim+Sang+Man").status_code == 401
