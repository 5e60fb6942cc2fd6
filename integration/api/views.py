"""The `/api/v1` endpoints. Every query is scoped to the token's installation (the tenant)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import date, datetime

from flask import Response, current_app, jsonify
from sqlalchemy import select

from connectors.base import Installation
from connectors.registry import (
    api_base_of,
    check_access,
    check_tenant_api_url,
    get_connector,
    missing_settings,
)
from connectors.urls import UrlRefused
from integration.api import backends, schemas
from integration.api.errors import ApiError, not_found
from integration.api.routing import bp, openapi_document, operation
from integration.api.search import search_lists
from integration.badges import badge_url
from integration.cli.installations import credentials_notice, credentials_refusal, webhook_url
from integration.spreadsheet import safe_cell
from store import audit, review
from store import installations as stored
from store.review import Scope
from store.tables import installations

INSTALLATION = "/installations/<installation_id>"
# Fields that change where or how HireWatch reaches the ATS: stored only once a test call works.
CHECKED_FIELDS = ("api_key", "api_base_url", "on_behalf_of", "client_id", "client_secret", "token_url")
APPLICANT = "/applicants/<int:applicant_id>"


def _engine():
    return current_app.extensions["hirewatch.engine"]


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


# --- installations (admin) ---


def _own_installation(conn, token: review.ApiToken, installation_id: str) -> dict:
    if installation_id != token.installation_id:
        raise not_found("installation")
    row = conn.execute(select(installations).where(installations.c.id == installation_id)).mappings().first()
    if row is None:
        raise not_found("installation")
    public = {k: v for k, v in row.items() if not k.endswith("_enc")}
    health = stored.installation_health(conn, installation_id)
    return {
        **public,
        "settings": stored.effective_settings(row["settings"]),
        "underlying_ats": get_connector(row["platform"]).underlying_ats(row["settings"] or {}),
        "missing_in_ats_in_a_row": health.missing_in_a_row,
        "warning": health.warning,
        "needs": credentials_notice(stored.info_of(row)),
    }


def _refuse_credentials(platform: str, body: dict, on_behalf_of: str | None) -> None:
    client = (body.get("client_id"), body.get("client_secret"))
    refusal = credentials_refusal(platform, body.get("api_key"), client, on_behalf_of)
    if refusal:
        raise ApiError(422, "invalid_credentials", refusal)


def _refuse_unless_it_works(installation: Installation, given: dict) -> None:
    """A URL the tenant gives (API base, token endpoint) must be on the platform's own API hosts
    (no operator exception here); then the test call (authenticate, read one page). 422 naming
    what is wrong."""
    for field in ("api_base_url", "token_url"):
        if given.get(field):
            try:
                check_tenant_api_url(installation.platform, given[field], field=field)
            except UrlRefused as refused:
                raise ApiError(422, "invalid", str(refused), {refused.field: [refused.reason]}) from None
    result = check_access(installation, backends.settings().allow_api_urls)
    if not result.ok:
        raise ApiError(422, result.problem or "refused", result.message)


@operation(
    "/installations",
    "GET",
    summary="The installation this token belongs to",
    scope=Scope.ADMIN,
    tag="installations",
    response=schemas.InstallationSchema(many=True),
)
def list_installations(token, query, body):
    with _engine().connect() as conn:
        return [_own_installation(conn, token, token.installation_id)]


@operation(
    "/installations",
    "POST",
    summary="Register a new tenant (operator token only): returns its webhook URL and secret and a "
    "first admin token (shown once)",
    scope=Scope.OPERATOR,
    tag="installations",
    body=schemas.InstallationCreateSchema,
    response=schemas.InstallationCreatedSchema(),
    status=201,
)
def create_installation(token, query, body):
    _refuse_credentials(body["platform"], body, body.get("on_behalf_of"))
    secret = body.pop("webhook_secret", None) or stored.generate_webhook_secret()
    settings = {"integration_id": body.pop("integration_id")} if body.get("integration_id") else {}
    missing = missing_settings(body["platform"], settings)
    if missing:
        raise ApiError(422, "invalid", f"{body['platform']} needs {', '.join(missing)}")
    trial = {k: body.get(k) for k in ("platform", "api_base_url", *CHECKED_FIELDS)}
    _refuse_unless_it_works(Installation(id="new", settings=settings, **trial), body)
    with _engine().begin() as conn:
        created = stored.create_installation(
            conn, backends.secret_box(), webhook_secret=secret, settings=settings, **body
        )
        audit.record(
            conn,
            action="installation.create",
            actor=token.actor,
            installation_id=created.id,
            subject=created.id,
            details={"platform": created.platform, "name": body["name"]},
        )
        new_token, plain = review.create_token(
            conn, created.id, Scope.ADMIN, "created by API", token.actor, days=backends.settings().token_days
        )
        result = _own_installation(conn, new_token, created.id)
    return {
        **result,
        "webhook_url": webhook_url(backends.settings(), result["platform"], result["id"]),
        "webhook_secret": secret,
        "admin_token": plain,
    }


@operation(
    INSTALLATION,
    "GET",
    summary="Read an installation",
    scope=Scope.ADMIN,
    tag="installations",
    response=schemas.InstallationSchema(),
)
def get_installation(token, query, body, installation_id):
    with _engine().connect() as conn:
        return _own_installation(conn, token, installation_id)


@operation(
    INSTALLATION,
    "PATCH",
    summary="Update name, API key or OAuth client credentials, API base URL, acting user or status",
    scope=Scope.ADMIN,
    tag="installations",
    body=schemas.InstallationUpdateSchema,
    response=schemas.InstallationSchema(),
)
def update_installation(token, query, body, installation_id):
    with _engine().begin() as conn:
        row = _own_installation(conn, token, installation_id)
        _refuse_credentials(row["platform"], body, body.get("on_behalf_of", row["on_behalf_of"]))
        if body.get("client_secret"):  # new client credentials replace a retired API key
            body = {**body, "api_key": None, "status": "active"}
        checked = {k: v for k, v in body.items() if k in CHECKED_FIELDS}
        if checked:  # a new key or URL is stored only once it works
            current = stored.get_installation(conn, backends.secret_box(), installation_id)
            _refuse_unless_it_works(replace(current, **checked), checked)
            stored.set_unhealthy(conn, installation_id, False)
        if body:
            stored.update_installation(conn, backends.secret_box(), installation_id, **body)
            audit.record(
                conn,
                action="installation.update",
                actor=token.actor,
                installation_id=installation_id,
                subject=installation_id,
                details={"fields": sorted(body)},
            )
        return _own_installation(conn, token, installation_id)


@operation(
    INSTALLATION,
    "DELETE",
    summary="Delete an installation and all its data",
    scope=Scope.ADMIN,
    tag="installations",
    status=204,
)
def delete_installation(token, query, body, installation_id):
    with _engine().begin() as conn:
        doomed = _own_installation(conn, token, installation_id)
        audit.record(  # audit rows have no foreign key: this one outlives the installation
            conn,
            action="installation.delete",
            actor=token.actor,
            installation_id=installation_id,
            subject=installation_id,
            details={"platform": doomed["platform"], "name": doomed["name"]},
        )
        stored.delete_installation(conn, installation_id)
    return Response(status=204)


@operation(
    INSTALLATION + "/check",
    "POST",
    summary="Test the stored credentials and URL now: authenticate and read one page of candidates",
    scope=Scope.ADMIN,
    tag="installations",
    response=schemas.AccessCheckSchema(),
)
def check_installation(token, query, body, installation_id):
    with _engine().connect() as conn:
        _own_installation(conn, token, installation_id)
        installation = stored.get_installation(conn, backends.secret_box(), installation_id)
    result = check_access(installation, backends.settings().allow_api_urls)
    with _engine().begin() as conn:
        if result.ok:
            stored.set_unhealthy(conn, installation_id, False)
        audit.record(
            conn,
            action="installation.check",
            actor=token.actor,
            installation_id=installation_id,
            subject=installation_id,
            details={"ok": result.ok, "problem": result.problem},
        )
    return asdict(result)


@operation(
    INSTALLATION + "/settings",
    "GET",
    summary="Settings in effect (tag names, note text, ...)",
    scope=Scope.ADMIN,
    tag="installations",
    response=schemas.SettingsSchema(),
)
def get_settings(token, query, body, installation_id):
    with _engine().connect() as conn:
        return {"settings": _own_installation(conn, token, installation_id)["settings"]}


@operation(
    INSTALLATION + "/settings",
    "PATCH",
    summary="Change settings: keys given are merged in, a key set to null goes back to its default",
    scope=Scope.ADMIN,
    tag="installations",
    body=schemas.SettingsSchema,
    response=schemas.SettingsSchema(),
)
def patch_settings(token, query, body, installation_id):
    _check_json_values(body["settings"])
    with _engine().begin() as conn:
        _own_installation(conn, token, installation_id)
        before = api_base_of(stored.get_installation(conn, backends.secret_box(), installation_id))
        after = stored.update_installation(
            conn, backends.secret_box(), installation_id, settings=body["settings"]
        )
        if api_base_of(after) not in (before, None):  # a setting moved the API (Workable's subdomain)
            # refused: the transaction rolls back
            _refuse_unless_it_works(after, {"api_base_url": api_base_of(after)})
        audit.record(
            conn,
            action="installation.settings",
            actor=token.actor,
            installation_id=installation_id,
            subject=installation_id,
            details={"keys": sorted(body["settings"])},
        )
        return {"settings": _own_installation(conn, token, installation_id)["settings"]}


@operation(
    INSTALLATION + "/rotate-secret",
    "POST",
    summary="Replace the webhook secret; the new one is shown once, paste it into the ATS",
    scope=Scope.ADMIN,
    tag="installations",
    response=schemas.SecretRotatedSchema(),
)
def rotate_secret(token, query, body, installation_id):
    with _engine().begin() as conn:
        installation = _own_installation(conn, token, installation_id)
        secret = stored.rotate_webhook_secret(conn, backends.secret_box(), installation_id)
        audit.record(
            conn,
            action="installation.rotate_secret",
            actor=token.actor,
            installation_id=installation_id,
            subject=installation_id,
        )
    return {
        "id": installation_id,
        "webhook_secret": secret,
        "webhook_url": webhook_url(backends.settings(), installation["platform"], installation_id),
    }


def _check_json_values(settings: dict) -> None:
    """Settings are stored as JSON: refuse text the databases cannot hold (NUL, lone surrogates)."""
    text = json.dumps(settings, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(422, "invalid", "settings contain text that is not valid UTF-8") from exc
    if "\\u0000" in json.dumps(settings):
        raise ApiError(422, "invalid", "settings must not contain NUL characters")


# --- the installation's API tokens and users (admin) ---


@operation(
    "/tokens",
    "GET",
    summary="This installation's API tokens, newest first (never their values)",
    scope=Scope.ADMIN,
    tag="tokens",
    response=schemas.TokenSchema(many=True),
)
def list_api_tokens(token, query, body):
    with _engine().connect() as conn:
        return review.list_tokens(conn, token.installation_id, backends.settings().token_days)


@operation(
    "/tokens",
    "POST",
    summary="Create a token of this installation, no broader and no longer-lived than the caller's; "
    "its value is shown once",
    scope=Scope.ADMIN,
    tag="tokens",
    body=schemas.TokenCreateSchema,
    response=schemas.TokenCreatedSchema(),
    status=201,
)
def create_api_token(token, query, body):
    scope = Scope(body["scope"])
    if not token.allows(scope):
        refused = f"{token.scope.value!r} cannot make {scope.value!r}"
        raise ApiError(403, "forbidden", f"a token never makes one broader than itself ({refused})")
    days = body.get("days", backends.settings().token_days)
    with _engine().begin() as conn:
        made, plain = review.create_token(
            conn, token.installation_id, scope, body["label"], token.actor, days, not_after=token.expires_at
        )
        return {**_token_of(conn, token, made.id), "token": plain}


def _token_of(conn, token: review.ApiToken, token_id: str) -> dict:
    listed = review.list_tokens(conn, token.installation_id, backends.settings().token_days)
    found = [t for t in listed if t["id"] == token_id]
    if not found:
        raise not_found("token")
    return found[0]


@operation(
    "/tokens/<token_id>/revoke",
    "POST",
    summary="Revoke a token of this installation at once",
    scope=Scope.ADMIN,
    tag="tokens",
    response=schemas.TokenSchema(),
)
def revoke_api_token(token, query, body, token_id):
    with _engine().begin() as conn:
        _token_of(conn, token, token_id)
        if not review.revoke_token(conn, token_id, token.actor, installation_id=token.installation_id):
            raise ApiError(409, "already_revoked", f"token {token_id} is already revoked")
        return _token_of(conn, token, token_id)


@operation(
    "/users",
    "GET",
    summary="This installation's review-page users",
    scope=Scope.ADMIN,
    tag="users",
    response=schemas.UserSchema(many=True),
)
def list_users(token, query, body):
    with _engine().connect() as conn:
        return review.list_users(conn, token.installation_id)


@operation(
    "/users/<int:user_id>/disable",
    "POST",
    summary="The user can no longer sign in; every session of theirs ends now",
    scope=Scope.ADMIN,
    tag="users",
    response=schemas.UserSchema(),
)
def disable_user(token, query, body, user_id):
    return _change_user(review.disable_user, token, user_id)


@operation(
    "/users/<int:user_id>/enable",
    "POST",
    summary="A disabled user may sign in again",
    scope=Scope.ADMIN,
    tag="users",
    response=schemas.UserSchema(),
)
def enable_user(token, query, body, user_id):
    return _change_user(review.enable_user, token, user_id)


@operation(
    "/users/<int:user_id>",
    "DELETE",
    summary="Remove a user; their decisions and audit entries keep naming them",
    scope=Scope.ADMIN,
    tag="users",
    status=204,
)
def remove_user(token, query, body, user_id):
    _change_user(review.remove_user, token, user_id)
    return Response(status=204)


def _change_user(change, token: review.ApiToken, user_id: int) -> dict:
    with _engine().begin() as conn:
        user = change(conn, token.installation_id, user_id, token.actor)
    if user is None:
        raise not_found("user")
    return user


# --- applicants, screenings, decisions (reviewer) ---


@operation(
    "/applicants",
    "GET",
    summary="Applicants, highest risk first; filter by risk, search by name or id",
    scope=Scope.REVIEWER,
    tag="applicants",
    query=schemas.ApplicantQuerySchema,
    response=schemas.ApplicantSummarySchema(many=True),
)
def list_applicants(token, query, body):
    with _engine().connect() as conn:
        return review.search_applicants(
            conn,
            token.installation_id,
            risks=query.get("risk", []),
            query=query.get("q", ""),
            needs_review=query["needs_review"],
            limit=query["limit"],
            offset=query["offset"],
        )


@operation(
    APPLICANT,
    "GET",
    summary="One applicant with every hit, flag and its evidence",
    scope=Scope.REVIEWER,
    tag="applicants",
    response=schemas.ApplicantDetailSchema(),
)
def get_applicant(token, query, body, applicant_id):
    with _engine().connect() as conn:
        detail = review.applicant_detail(conn, token.installation_id, applicant_id)
    if detail is None:
        raise not_found("applicant")
    return {**detail, "badge_url": badge_url(backends.settings(), token.installation_id, applicant_id)}


@operation(
    APPLICANT + "/screenings",
    "GET",
    summary="Screening history (newest first)",
    scope=Scope.REVIEWER,
    tag="applicants",
    response=schemas.ScreeningSchema(many=True),
)
def list_screenings(token, query, body, applicant_id):
    with _engine().connect() as conn:
        if review.get_applicant(conn, token.installation_id, applicant_id) is None:
            raise not_found("applicant")
        rows = review.list_screenings(conn, token.installation_id, applicant_id)
    return [
        {**row, **{k: row["result"].get(k) for k in ("reasons", "sanctions_hits", "flags")}} for row in rows
    ]


@operation(
    APPLICANT + "/decisions",
    "GET",
    summary="Reviewer decisions on this applicant",
    scope=Scope.REVIEWER,
    tag="decisions",
    response=schemas.DecisionSchema(many=True),
)
def list_decisions(token, query, body, applicant_id):
    with _engine().connect() as conn:
        if review.get_applicant(conn, token.installation_id, applicant_id) is None:
            raise not_found("applicant")
        return review.list_decisions(conn, token.installation_id, applicant_id)


@operation(
    APPLICANT + "/decisions",
    "POST",
    summary="Record a decision (confirmed_match, false_positive, escalate) with a reason; sent to the ATS",
    scope=Scope.REVIEWER,
    tag="decisions",
    body=schemas.DecisionCreateSchema,
    response=schemas.DecisionCreatedSchema(),
    status=201,
)
def create_decision(token, query, body, applicant_id):
    return backends.record_decision(token.installation_id, applicant_id, body, token.actor)


# --- re-screen jobs (admin) ---


@operation(
    "/rescreens",
    "POST",
    summary="Re-screen every candidate of the installation (runs on the workers)",
    scope=Scope.ADMIN,
    tag="rescreens",
    response=schemas.JobSchema(),
    status=202,
)
def start_rescreen(token, query, body):
    return backends.start_rescreen(token.installation_id, token.actor)


@operation(
    "/rescreens",
    "GET",
    summary="Recent re-screen jobs, newest first",
    scope=Scope.ADMIN,
    tag="rescreens",
    response=schemas.JobSchema(many=True),
)
def list_rescreens(token, query, body):
    return backends.recent_jobs(token.installation_id)


@operation(
    "/rescreens/<int:job_id>",
    "GET",
    summary="Progress: done, total, failed, ETA",
    scope=Scope.ADMIN,
    tag="rescreens",
    response=schemas.JobSchema(),
)
def get_rescreen(token, query, body, job_id):
    return backends.job_for(token.installation_id, job_id)


@operation(
    "/rescreens/<int:job_id>/cancel",
    "POST",
    summary="Cancel a running re-screen",
    scope=Scope.ADMIN,
    tag="rescreens",
    response=schemas.JobSchema(),
)
def cancel_rescreen(token, query, body, job_id):
    return backends.cancel_rescreen(token.installation_id, job_id, token.actor)


# --- sanctions lists (shared by every tenant; reviewer) ---


@operation(
    "/lists",
    "GET",
    summary="The current and previous list versions",
    scope=Scope.REVIEWER,
    tag="lists",
    response=schemas.ListStatusSchema(),
)
def lists_status(token, query, body):
    return backends.lists_status()


@operation(
    "/lists/versions",
    "GET",
    summary="Every stored list version, newest first",
    scope=Scope.REVIEWER,
    tag="lists",
    response=schemas.ListVersionSchema(many=True),
)
def list_versions(token, query, body):
    return backends.list_versions()


@operation(
    "/lists/diff",
    "GET",
    summary="Entries added, removed and changed between two versions, per list",
    scope=Scope.REVIEWER,
    tag="lists",
    query=schemas.ListDiffQuerySchema,
    response=schemas.ListDiffSchema(many=True),
)
def lists_diff(token, query, body):
    return backends.lists_diff(query["old"], query["new"])


# --- search a name against the lists (reviewer; nothing stored but the audit entry) ---


@operation(
    "/search",
    "GET",
    summary="Search a name, e-mail, website, phone or wallet against the lists, with explanations",
    scope=Scope.REVIEWER,
    tag="lists",
    query=schemas.SearchQuerySchema,
    response=schemas.SearchSchema(),
)
def search(token, query, body):
    return audited_search(query["q"], token.installation_id, token.actor, query["limit"])


def audited_search(text: str, installation_id: str, actor: str, limit: int = 20) -> dict:
    """A list search, audited like a screening (who looked whom up, and what came back)."""
    found = search_lists(text, limit)
    with _engine().begin() as conn:
        audit.record(
            conn,
            action="lists.search",
            actor=actor,
            installation_id=installation_id,
            subject=text[:200],
            details={"results": [f"{r['list']}:{r['entity_id']}" for r in found["results"]]},
        )
    return found


# --- audit log ---

AUDIT_COLUMNS = ("id", "at", "installation_id", "actor", "action", "subject", "details")


@operation(
    "/audit",
    "GET",
    summary="The audit trail as JSON lines or CSV",
    scope=Scope.REVIEWER,
    tag="audit",
    query=schemas.AuditQuerySchema,
    content_types=("application/x-ndjson", "text/csv"),
)
def export_audit(token, query, body):
    with _engine().connect() as conn:
        rows = list(
            review.audit_entries(conn, token.installation_id, since=query.get("since"), limit=query["limit"])
        )
    if query["format"] == "csv":
        return Response(
            csv_lines(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=hirewatch-audit.csv"},
        )
    return Response(
        (json.dumps(row, default=_json_default) + "\n" for row in rows), mimetype="application/x-ndjson"
    )


def _json_default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def csv_lines(rows: list[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                safe_cell(json.dumps(row[c], default=_json_default) if c == "details" else row[c])
                for c in AUDIT_COLUMNS
            ]
        )
    yield buffer.getvalue()
