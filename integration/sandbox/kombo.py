"""A Kombo stand-in: the unified ATS API subset HireWatch calls, shaped as Kombo's OpenAPI documents it.

Served under `/v1` like https://api.kombo.dev/v1 (see connectors/kombo.py for the sources): Bearer
API key and `X-Integration-Id` on every call, `{status, data}` answers and `{status: "error", error:
{code, message}}` errors, cursor pages of at most 250, `updated_after` against each candidate's
`changed_at`, get-or-create tags by name, notes on applications, attachments with a `data_url`.
`/_sandbox/*` adds candidates, shows write-backs and builds signed `data-changed` deliveries.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 100


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _kombo_id() -> str:
    return secrets.token_urlsafe(18)[:24]


@dataclass
class KomboSandboxState:
    api_key: str
    integration_id: str
    tool_label: str = "Workday"
    note_writes_available: bool = True  # what GET /integrations/{id} says of the note write
    candidates: dict[str, dict] = field(default_factory=dict)
    attachments: dict[str, list[dict]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # application id -> note texts
    lock: threading.Lock = field(default_factory=threading.Lock)
    _remote_ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def add_candidate(self, first_name: str, last_name: str, **fields: object) -> dict:
        """A candidate with one application, as GET /ats/candidates returns it."""
        now = _iso(datetime.now(UTC))
        remote = str(next(self._remote_ids))
        candidate = {
            "id": _kombo_id(),
            "remote_id": remote,
            "first_name": first_name,
            "last_name": last_name,
            "company": fields.pop("company", None),
            "title": None,
            "confidential": False,
            "source": "Career site",
            "phone_numbers": [{"phone_number": p, "type": "MOBILE"} for p in fields.pop("phones", [])],
            "email_addresses": [{"email_address": e, "type": "PRIVATE"} for e in fields.pop("emails", [])],
            "social_media": [],
            "location": None,
            "custom_fields": {},
            "integration_fields": [],
            "remote_url": f"https://sandbox.example/candidates/{remote}",
            "remote_created_at": now,
            "remote_updated_at": now,
            "remote_data": None,
            "changed_at": now,
            "remote_deleted_at": None,
            "applications": [
                {
                    "id": _kombo_id(),
                    "remote_id": remote,
                    "outcome": "PENDING",
                    "rejection_reason_name": None,
                    "rejected_at": None,
                    "remote_url": None,
                    "changed_at": now,
                    "remote_created_at": now,
                    "remote_updated_at": now,
                    "current_stage": None,
                    "job": {"id": _kombo_id(), "name": "Backend Engineer", "remote_id": "7"},
                }
            ],
            "tags": [],
            **fields,
        }
        with self.lock:
            self.candidates[candidate["id"]] = candidate
            self.attachments[candidate["id"]] = []
        return candidate

    def add_resume(self, candidate_id: str, base_url: str, text: str) -> None:
        file_id = _kombo_id()
        self.files[file_id] = text.encode()
        self.attachments[candidate_id].append(
            {
                "id": file_id,
                "application_id": None,
                "candidate_id": candidate_id,
                "type": "CV",
                "remote_id": file_id,
                "data_url": f"{base_url}/_files/{file_id}",
                "file_name": "resume.txt",
                "content_type": "text/plain",
                "remote_created_at": None,
                "remote_updated_at": None,
            }
        )

    def touch(self, candidate: dict) -> None:
        candidate["changed_at"] = _iso(datetime.now(UTC))

    def writebacks(self, candidate_id: str) -> dict:
        candidate = self.candidates[candidate_id]
        notes = [text for app in candidate["applications"] for text in self.notes.get(app["id"], [])]
        return {"tags": [t["name"] for t in candidate["tags"]], "notes": notes}

    def data_changed(self, models: tuple[str, ...] = ("ats_candidates", "ats_applications")) -> dict:
        """A `data-changed` webhook body for this integration."""
        return {
            "id": _kombo_id(),
            "type": "data-changed",
            "data": {
                "integration_id": self.integration_id,
                "integration_tool": self.integration_id.partition(":")[0],
                "integration_category": "ATS",
                "changed_models": [{"name": name} for name in models],
            },
        }


def _error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"status": "error", "error": {"code": code, "title": None, "message": message}}), status


def _ok(data: dict) -> Response:
    return jsonify({"status": "success", "data": data, "warnings": []})


def create_kombo_app(state: KomboSandboxState) -> Flask:
    app = Flask("hirewatch-kombo-sandbox")

    @app.before_request
    def gatekeeper():
        if request.path.startswith(("/_sandbox", "/_files")):
            return None
        if request.headers.get("Authorization") != f"Bearer {state.api_key}":
            return _error(401, "PLATFORM.AUTHENTICATION_INVALID", "The API key is invalid.")
        if (
            request.path.startswith("/v1/ats")
            and request.headers.get("X-Integration-Id") != state.integration_id
        ):
            return _error(404, "PLATFORM.INTEGRATION_NOT_FOUND", "No integration with this id.")
        return None

    @app.get("/v1/check-api-key")
    def check_api_key():
        return _ok({"environment_id": "sandboxenv", "customer_id": "sandboxcustomer"})

    @app.get("/v1/integrations/<integration_id>")
    def integration(integration_id: str):
        if integration_id != state.integration_id:
            return _error(404, "PLATFORM.INTEGRATION_NOT_FOUND", "No integration with this id.")
        return _ok(_integration(state))

    @app.get("/v1/ats/candidates")
    def candidates():
        return _candidates_page(state)

    @app.route("/v1/ats/candidates/<candidate_id>/tags", methods=["POST", "DELETE"])
    def tags(candidate_id: str):
        candidate = state.candidates.get(candidate_id)
        name = ((request.get_json(silent=True) or {}).get("tag") or {}).get("name")
        if candidate is None:
            return _error(404, "REMOTE.INPUT_INVALID", "No candidate with this id.")
        if not isinstance(name, str) or not name:
            return _error(400, "PLATFORM.INPUT_INVALID", "tag.name: String must contain at least 1 character")
        with state.lock:
            candidate["tags"] = [t for t in candidate["tags"] if t["name"] != name]
            if request.method == "POST":
                candidate["tags"].append({"id": _kombo_id(), "name": name, "remote_id": None})
            state.touch(candidate)
        return _ok({})

    @app.post("/v1/ats/applications/<application_id>/notes")
    def notes(application_id: str):
        body = request.get_json(silent=True) or {}
        owner = next(
            (
                c
                for c in state.candidates.values()
                if any(a["id"] == application_id for a in c["applications"])
            ),
            None,
        )
        if owner is None:
            return _error(404, "REMOTE.INPUT_INVALID", "No application with this id.")
        if not isinstance(body.get("content"), str) or body.get("content_type") not in ("PLAIN_TEXT", "HTML"):
            return _error(400, "PLATFORM.INPUT_INVALID", "content and content_type are required")
        with state.lock:
            state.notes.setdefault(application_id, []).append(body["content"])
        return _ok({})

    @app.get("/v1/ats/candidates/<candidate_id>/attachments")
    def attachments(candidate_id: str):
        if candidate_id not in state.candidates:
            return _error(404, "REMOTE.INPUT_INVALID", "No candidate with this id.")
        return _ok({"results": state.attachments[candidate_id]})

    @app.get("/_files/<file_id>")
    def file(file_id: str):
        data = state.files.get(file_id)
        return (Response(data, mimetype="text/plain"), 200) if data is not None else ("", 404)

    @app.get("/_sandbox/writebacks/<candidate_id>")
    def writebacks(candidate_id: str):
        return jsonify(state.writebacks(candidate_id))

    return app


def _integration(state: KomboSandboxState) -> dict:
    def action(action_id: str, label: str, available: bool = True) -> dict:
        return {
            "id": action_id,
            "label": label,
            "is_available": available,
            "coverage_status": "SUPPORTED",
            "scope_config_setting": "ENABLED",
            "opted_out_by_customer": False,
            "fields": [],
        }

    return {
        "id": state.integration_id,
        "tool": {
            "id": state.integration_id.partition(":")[0],
            "label": state.tool_label,
            "internal_label": None,
            "logo_url": "https://storage.googleapis.com/kombo-assets/integrations/workday/logo.svg",
            "icon_url": "https://storage.googleapis.com/kombo-assets/integrations/workday/icon.svg",
        },
        "category": "ATS",
        "status": "ACTIVE",
        "setup_status": "COMPLETED",
        "end_user": {"organization_name": "Sandbox Inc.", "creator_email": None, "origin_id": None},
        "scope_config": {"id": "sandboxscopes", "name": "HireWatch"},
        "data_expired_at": None,
        "created_at": "2026-01-05T09:00:00.000Z",
        "beta": False,
        "read_models": [],
        "write_actions": [
            action("ats_add_candidate_tag", "Add tag to candidate"),
            action("ats_remove_candidate_tag", "Remove tag from candidate"),
            action("ats_add_application_note", "Add note to application", state.note_writes_available),
        ],
    }


def _candidates_page(state: KomboSandboxState) -> Response | tuple[Response, int]:
    try:
        page_size = int(request.args.get("page_size", DEFAULT_PAGE_SIZE))
        offset = int(request.args.get("cursor") or 0)
    except ValueError:
        return _error(400, "PLATFORM.INPUT_INVALID", "page_size and cursor must be valid")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        return _error(400, "PLATFORM.INPUT_INVALID", f"page_size: must be at most {MAX_PAGE_SIZE}")
    rows = list(state.candidates.values())
    if request.args.get("ids"):
        wanted = set(request.args["ids"].split(","))
        rows = [c for c in rows if c["id"] in wanted]
    if request.args.get("updated_after"):
        rows = [c for c in rows if c["changed_at"] > request.args["updated_after"]]
    page = rows[offset : offset + page_size]
    next_cursor = str(offset + page_size) if offset + page_size < len(rows) else None
    return _ok({"next": next_cursor, "results": page})


class KomboSandboxThread:
    """`with KomboSandboxThread() as kombo:` serves the stand-in on a free loopback port."""

    def __init__(self, api_key: str = "kombo-sandbox-key", integration_id: str = "workday:8d1hpPsbjxUkoCoa"):
        self.state = KomboSandboxState(api_key=api_key, integration_id=integration_id)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server("127.0.0.1", 0, create_kombo_app(self.state), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="kombo-sandbox")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.url}/v1"

    def __enter__(self) -> KomboSandboxThread:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
