"""The sandbox ATS over HTTP: Greenhouse Harvest v3 routes, its token endpoint, `/_sandbox/*` controls.

What it enforces is what Greenhouse documents for v3 (see connectors/README.md): a bearer token
from `POST /token` (HTTP Basic client id:secret, `grant_type=client_credentials`, numeric `sub`)
that expires; cursor pages with only a `Link rel="next"`, the cursor the only query parameter
(https://harvestdocs.greenhouse.io/docs/pagination); and 422 for what v3 refuses, unknown query
parameters and body fields included.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response, jsonify, request

from integration.sandbox.pages import writebacks_page
from integration.sandbox.state import Fault, SandboxState
from integration.sandbox.webhooks import send_candidate_webhook

log = logging.getLogger(__name__)
MAX_PER_PAGE = 500  # v1's documented maximum; v3's is UNCONFIRMED
DEFAULT_PER_PAGE = 100


def _error(status: int, message: str, errors: list | None = None, headers: dict | None = None) -> Response:
    """Harvest's error shape: {"message"} and, for 422, {"errors": [{"message", "field"}]}."""
    response = jsonify({"message": message, **({"errors": errors} if errors else {})})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, binascii.Error):
        return None
    return user, password


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


def _wants_html() -> bool:
    """A browser (HTML preferred over JSON, and no ?format=json) rather than a script."""
    if request.args.get("format") == "json":
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _encode_cursor(filters: dict, per_page: int, offset: int) -> str:
    state = json.dumps({"f": filters, "n": per_page, "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(state.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dict, int, int] | None:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return dict(state["f"]), int(state["n"]), int(state["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def _id_set(value: str | None) -> set[int] | None:
    """A comma-separated id filter; ValueError when an id is not a number."""
    if value is None:
        return None
    return {int(part) for part in value.split(",") if part.strip()}


def _page(
    rows_for: Callable[[dict], Sequence[Any]],
    filters_allowed: tuple[str, ...],
    render: Callable[[Any], dict] = lambda row: row,
) -> Response:
    """One cursor page of a list endpoint: first request with filters and per_page, then only the
    cursor of the Link rel="next" URL. `rows_for` may give keys that `render` turns into rows, so
    that a page renders only its own rows."""
    args = request.args
    if "cursor" in args:
        if len(args) > 1:
            return _error(422, "cursor must be the only query parameter")
        decoded = _decode_cursor(args["cursor"])
        if decoded is None:
            return _error(422, "invalid cursor")
        filters, per_page, offset = decoded
    else:
        unknown = sorted(set(args) - {*filters_allowed, "per_page"})
        if unknown:
            errors = [{"message": "unknown query parameter", "field": name} for name in unknown]
            return _error(422, "Validation error", errors=errors)
        try:
            per_page = int(args.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            return _error(422, "per_page must be an integer")
        if not 1 <= per_page <= MAX_PER_PAGE:
            return _error(422, f"per_page must be between 1 and {MAX_PER_PAGE}")
        filters, offset = {name: args[name] for name in filters_allowed if name in args}, 0
    try:
        rows = rows_for(filters)
    except ValueError:
        return _error(422, "ids must be comma-separated numbers")
    response = jsonify([render(row) for row in rows[offset : offset + per_page]])
    if offset + per_page < len(rows):
        cursor = _encode_cursor(filters, per_page, offset + per_page)
        response.headers["Link"] = f'<{request.base_url}?cursor={cursor}>; rel="next"'
    return response


def _invalid(field: str, message: str) -> Response:
    return _error(422, "Validation error", errors=[{"message": message, "field": field}])


def _json_body(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict | Response:
    """The request's JSON object, or a 422 naming the missing and unknown fields."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(422, "the body must be a JSON object")
    errors = [{"message": "Must be present", "field": f} for f in required if body.get(f) in (None, "")]
    errors += [{"message": "unknown field", "field": f} for f in sorted(set(body) - {*required, *optional})]
    return _error(422, "Validation error", errors=errors) if errors else body


def create_sandbox_app(state: SandboxState) -> Flask:
    app = Flask("hirewatch-sandbox")
    app.extensions["sandbox"] = state

    @app.before_request
    def gatekeeper() -> Response | None:
        if request.path.startswith("/_sandbox"):
            return None
        state.stats["requests"] += 1
        fault = state.take_fault(request.method, request.full_path)  # query included: ?ids=
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status >= 400:
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return _error(fault.status, "injected fault", headers=headers)
        if fault and fault.hold:
            request.environ["sandbox.hold"] = fault.hold
        if request.path == "/token":
            return None  # authenticated by its client credentials
        user = state.token_user(_bearer() or "")
        if user is None:
            return _error(401, "Bearer token missing, invalid or expired")
        allowed, remaining, reset_at = state.spend_rate_budget(user)
        request.environ["sandbox.rate"] = (remaining, reset_at)
        request.environ["sandbox.user"] = int(user)
        if not allowed:
            return _error(
                429,
                "Rate limit exceeded",
                headers={
                    "Retry-After": str(max(1, math.ceil(reset_at - time.time()))),
                    "X-RateLimit-Reset": str(int(reset_at)),
                    "X-RateLimit-Limit": str(state.rate_limit),
                    "X-RateLimit-Remaining": "0",
                },
            )
        return None

    @app.after_request
    def rate_headers(response: Response) -> Response:
        if "sandbox.rate" in request.environ:
            remaining, _reset = request.environ["sandbox.rate"]
            response.headers["X-RateLimit-Limit"] = str(state.rate_limit)
            response.headers["X-RateLimit-Remaining"] = str(remaining)
        time.sleep(request.environ.get("sandbox.hold", 0))  # a held fault: served, answer not sent yet
        return response

    @app.post("/token")
    def token() -> Response:
        """https://harvestdocs.greenhouse.io/docs/authentication: Basic client id:secret, form body."""
        if _basic_credentials() != (state.client_id, state.client_secret):
            return _error(401, "invalid_client")
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type")
        if not form.get("sub", "").isdigit():
            return _error(400, "sub must be the numeric id of a Greenhouse user")
        return jsonify(state.issue_token(form["sub"]))

    @app.get("/v3/candidates")
    def candidates() -> Response:
        return _page(lambda f: state.candidate_ids(_id_set(f.get("ids"))), ("ids",), state.harvest_candidate)

    @app.get("/v3/applications")
    def applications() -> Response:
        return _page(
            lambda f: state.application_rows(_id_set(f.get("ids")), _id_set(f.get("candidate_ids"))),
            ("ids", "candidate_ids"),
        )

    @app.get("/v3/candidate_employments")
    def employments() -> Response:
        return _page(lambda f: state.employment_rows(_id_set(f.get("candidate_ids"))), ("candidate_ids",))

    @app.get("/v3/candidate_tags")
    def candidate_tags() -> Response:
        return _page(lambda f: state.tag_rows(), ())

    @app.post("/v3/candidate_tags")
    def create_candidate_tag() -> Response:
        body = _json_body(("name",))
        if isinstance(body, Response):
            return body
        if any(t["name"].casefold() == str(body["name"]).strip().casefold() for t in state.tag_rows()):
            return _invalid("name", "already exists")
        tag, _created = state.get_or_create_tag(str(body["name"]).strip())
        return jsonify(tag), 201

    @app.get("/v3/applied_candidate_tags")
    def applied_tags() -> Response:
        return _page(lambda f: state.applied_tag_rows(_id_set(f.get("candidate_ids"))), ("candidate_ids",))

    @app.post("/v3/applied_candidate_tags")
    def apply_tag() -> Response:
        body = _json_body(("candidate_id", "candidate_tag_id"))
        if isinstance(body, Response):
            return body
        candidate_id, tag_id = body["candidate_id"], body["candidate_tag_id"]
        if candidate_id not in state.candidates or tag_id not in state.tags:
            return _error(
                422, "Validation error", errors=[{"message": "unknown candidate or tag", "field": "id"}]
            )
        rows = state.applied_tag_rows({candidate_id})
        if any(row["candidate_tag_id"] == tag_id for row in rows):
            return _error(
                422, "Validation error", errors=[{"message": "already applied", "field": "candidate_tag_id"}]
            )
        return jsonify(state.apply_tag(candidate_id, tag_id)), 201

    @app.delete("/v3/applied_candidate_tags/<int:row_id>")
    def remove_applied_tag(row_id: int) -> Response:
        if not state.remove_applied_tag(row_id):
            return _error(404, f"Resource not found: applied_candidate_tag {row_id}")
        return Response(status=204)

    @app.get("/v3/notes")
    def notes() -> Response:
        return _page(lambda f: state.note_rows(_id_set(f.get("candidate_ids"))), ("candidate_ids",))

    @app.post("/v3/notes")
    def add_note() -> Response:
        body = _json_body(("candidate_id", "body"), ("visibility",))
        if isinstance(body, Response):
            return body
        visibility = body.get("visibility", "public")
        if body["candidate_id"] not in state.candidates or visibility not in (
            "admin_only",
            "private",
            "public",
        ):
            errors = [{"message": "unknown candidate or visibility", "field": "candidate_id"}]
            return _error(422, "Validation error", errors=errors)
        note = state.add_note(body["candidate_id"], request.environ["sandbox.user"], body["body"], visibility)
        return jsonify(note), 201

    _register_controls(app, state)
    return app


def _register_controls(app: Flask, state: SandboxState) -> None:
    """`/_sandbox/*`: not Greenhouse; how tests, `make run` and benchmarks drive the sandbox."""

    @app.get("/_sandbox/stats")
    def stats() -> Response:
        return jsonify(
            {
                **state.stats,
                "candidates": len(state.candidates),
                "rate_limit": state.rate_limit,
                "token_ttl": state.token_ttl,
                "notes": sum(len(n) for n in state.notes.values()),
            }
        )

    @app.post("/_sandbox/candidates")
    def add_candidate() -> Response:
        fields = request.get_json(silent=True)
        if not isinstance(fields, dict):
            return _error(400, "body must be a JSON object of Greenhouse candidate fields")
        return jsonify(state.add_candidate(fields)), 201

    @app.patch("/_sandbox/candidates/<int:candidate_id>")
    def update_candidate(candidate_id: int) -> Response:
        fields = request.get_json(silent=True)
        if candidate_id not in state.candidates or not isinstance(fields, dict):
            return _error(
                404 if candidate_id not in state.candidates else 400, "unknown candidate or bad body"
            )
        return jsonify(state.update_candidate(candidate_id, fields))

    @app.delete("/_sandbox/candidates/<int:candidate_id>")
    def delete_candidate(candidate_id: int) -> Response:
        if candidate_id not in state.candidates:
            return _error(404, f"unknown candidate {candidate_id}")
        state.delete_candidate(candidate_id)
        return jsonify({"deleted": candidate_id})

    @app.get("/_sandbox/candidates/<int:candidate_id>/writebacks")
    def writebacks(candidate_id: int) -> Response:
        return jsonify(state.writebacks(candidate_id))

    @app.get("/_sandbox/writebacks")
    def all_writebacks() -> Response:
        rows = [state.writebacks(c) for c in state.touched_candidates()]
        if _wants_html():
            return Response(writebacks_page(state, rows), mimetype="text/html")
        return jsonify(rows)

    @app.post("/_sandbox/faults")
    def inject_fault() -> Response:
        body = request.get_json(silent=True) or {}
        try:
            fault = Fault(
                status=int(body["status"]),
                count=int(body.get("count", 1)),
                method=body.get("method"),
                path_contains=body.get("path_contains", ""),
                retry_after=int(body.get("retry_after", 1)),
                delay=float(body.get("delay", 0)),
                hold=float(body.get("hold", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return _error(
                400,
                "give status (int), and optionally count, method, path_contains, retry_after, delay, hold",
            )
        with state.lock:
            state.faults.append(fault)
        return jsonify({"queued": len(state.faults)}), 201

    @app.post("/_sandbox/settings")
    def settings() -> Response:
        body = request.get_json(silent=True) or {}
        if "rate_limit" in body:
            state.rate_limit = int(body["rate_limit"])
        if "token_ttl" in body:
            state.token_ttl = float(body["token_ttl"])
        return jsonify({"rate_limit": state.rate_limit, "token_ttl": state.token_ttl})

    @app.post("/_sandbox/tokens/revoke")
    def revoke_tokens() -> Response:
        """Every issued token stops working (as when Greenhouse revokes them early)."""
        return jsonify({"revoked": state.revoke_tokens()})

    @app.post("/_sandbox/webhooks")
    def send_webhooks() -> Response:
        """Send one signed webhook per candidate id to `url`: {"url", "secret", "candidate_ids", "action"}."""
        body = request.get_json(silent=True) or {}
        if not body.get("url") or not body.get("secret") or not isinstance(body.get("candidate_ids"), list):
            return _error(400, "give url, secret and candidate_ids (a list)")
        action = body.get("action", "new_candidate_application")
        results = []
        for candidate_id in body["candidate_ids"]:
            candidate = (
                state.render_candidate(int(candidate_id))
                if int(candidate_id) in state.candidates
                else {"id": int(candidate_id)}
            )
            status = send_candidate_webhook(body["url"], body["secret"], candidate, action)
            results.append({"candidate_id": candidate_id, "status": status})
        return jsonify(results)
