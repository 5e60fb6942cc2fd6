"""The sandbox ATS over HTTP: Greenhouse Harvest v1 routes plus `/_sandbox/*` controls."""

from __future__ import annotations

import base64
import logging
import math
import time
from urllib.parse import urlencode

from flask import Flask, Response, abort, jsonify, request

from integration.sandbox.pages import writebacks_page
from integration.sandbox.state import Fault, SandboxState
from integration.sandbox.webhooks import send_candidate_webhook

log = logging.getLogger(__name__)
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100


def _error(status: int, message: str, errors: list | None = None, headers: dict | None = None) -> Response:
    """Harvest's error shape: {"message"} and, for 422, {"errors": [{"message", "field"}]}."""
    response = jsonify({"message": message, **({"errors": errors} if errors else {})})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _basic_auth_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except ValueError:
        return None
    return decoded.split(":", 1)[0]


def _wants_html() -> bool:
    """A browser (HTML preferred over JSON, and no ?format=json) rather than a script."""
    if request.args.get("format") == "json":
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _link_header(page: int, pages: int, per_page: int, skip_count: bool) -> str:
    def link(number: int, rel: str) -> str:
        query = urlencode({"page": number, "per_page": per_page})
        return f'<{request.base_url}?{query}>; rel="{rel}"'

    links = []
    if page < pages:
        links.append(link(page + 1, "next"))
    if page > 1:
        links.append(link(page - 1, "prev"))
    if not skip_count:
        links.append(link(pages, "last"))
    return ", ".join(links)


def create_sandbox_app(state: SandboxState) -> Flask:
    app = Flask("hirewatch-sandbox")
    app.extensions["sandbox"] = state

    @app.before_request
    def gatekeeper() -> Response | None:
        if request.path.startswith("/_sandbox"):
            return None
        state.stats["requests"] += 1
        fault = state.take_fault(request.method, request.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status >= 400:
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return _error(fault.status, "injected fault", headers=headers)
        if fault and fault.hold:
            request.environ["sandbox.hold"] = fault.hold
        account = _basic_auth_key()
        if account != state.api_key:
            return _error(401, "Invalid Basic Auth credentials")
        allowed, remaining, reset_at = state.spend_rate_budget(account)
        request.environ["sandbox.rate"] = (remaining, reset_at)
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
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.headers.get("On-Behalf-Of"):
            return _error(403, "On-Behalf-Of header is required for this request")
        return None

    @app.after_request
    def rate_headers(response: Response) -> Response:
        if "sandbox.rate" in request.environ:
            remaining, _reset = request.environ["sandbox.rate"]
            response.headers["X-RateLimit-Limit"] = str(state.rate_limit)
            response.headers["X-RateLimit-Remaining"] = str(remaining)
        time.sleep(request.environ.get("sandbox.hold", 0))  # a held fault: served, answer not sent yet
        return response

    def candidate_or_404(candidate_id: int) -> dict:
        if candidate_id not in state.candidates:
            abort(_error(404, f"Resource not found: candidate {candidate_id}"))
        return state.render_candidate(candidate_id)

    @app.get("/v1/candidates")
    def list_candidates() -> Response:
        try:
            page = int(request.args.get("page", 1))
            per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            return _error(422, "page and per_page must be integers")
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return _error(422, f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}")
        rows, pages = state.page_of_candidates(page, per_page)
        response = jsonify(rows)
        skip_count = request.args.get("skip_count") == "true"
        link = _link_header(page, pages, per_page, skip_count)
        if link:
            response.headers["Link"] = link
        return response

    @app.get("/v1/candidates/<int:candidate_id>")
    def get_candidate(candidate_id: int) -> Response:
        return jsonify(candidate_or_404(candidate_id))

    @app.get("/v1/applications/<int:application_id>")
    def get_application(application_id: int) -> Response:
        candidate = candidate_or_404(application_id // 10)
        for application in candidate["applications"]:
            if application["id"] == application_id:
                return jsonify(application)
        return _error(404, f"Resource not found: application {application_id}")

    @app.get("/v1/tags/candidate")
    def list_tags() -> Response:
        return jsonify([{"id": i, "name": n} for i, n in sorted(state.tags.items())])

    @app.post("/v1/tags/candidate")
    def create_tag() -> Response:
        name = (request.get_json(silent=True) or {}).get("name")
        if not isinstance(name, str) or not name.strip():
            return _error(422, "Validation error", errors=[{"message": "Must be present", "field": "name"}])
        tag, created = state.get_or_create_tag(name.strip())
        return jsonify(tag), 201 if created else 200

    @app.get("/v1/candidates/<int:candidate_id>/tags")
    def candidate_tags(candidate_id: int) -> Response:
        candidate_or_404(candidate_id)
        ids = sorted(state.candidate_tags.get(candidate_id, ()))
        return jsonify([{"id": i, "name": state.tags[i]} for i in ids])

    @app.put("/v1/candidates/<int:candidate_id>/tags/<int:tag_id>")
    def apply_tag(candidate_id: int, tag_id: int) -> Response:
        candidate_or_404(candidate_id)
        if tag_id not in state.tags:
            return _error(404, f"Resource not found: tag {tag_id}")
        state.apply_tag(candidate_id, tag_id)
        return jsonify(
            {
                "message": f"Tag {tag_id}, '{state.tags[tag_id]}', has been applied to "
                f"candidate {candidate_id}."
            }
        )

    @app.delete("/v1/candidates/<int:candidate_id>/tags/<int:tag_id>")
    def remove_tag(candidate_id: int, tag_id: int) -> Response:
        candidate_or_404(candidate_id)
        state.remove_tag(candidate_id, tag_id)
        return jsonify({"message": f"Tag {tag_id} has been removed from candidate {candidate_id}."})

    @app.get("/v1/candidates/<int:candidate_id>/activity_feed")
    def activity_feed(candidate_id: int) -> Response:
        candidate_or_404(candidate_id)
        return jsonify(state.activity_feed(candidate_id))

    @app.post("/v1/candidates/<int:candidate_id>/activity_feed/notes")
    def add_note(candidate_id: int) -> Response:
        candidate_or_404(candidate_id)
        body = request.get_json(silent=True) or {}
        missing = [f for f in ("user_id", "body", "visibility") if body.get(f) in (None, "")]
        if body.get("visibility") not in (None, "admin_only", "private", "public"):
            missing.append("visibility")
        if missing:
            errors = [{"message": "Must be present and valid", "field": f} for f in missing]
            return _error(422, "Validation error", errors=errors)
        note = state.add_note(candidate_id, int(body["user_id"]), body["body"], body["visibility"])
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
        touched = sorted(set(state.notes) | {c for c, tags in state.candidate_tags.items() if tags})
        rows = [state.writebacks(c) for c in touched]
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
        return jsonify({"rate_limit": state.rate_limit})

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
