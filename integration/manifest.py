"""The plugin manifest: `manifest.json` at the repository root, served at `/manifest.json`.

Generated from the connector registry, so platforms, events, signature schemes and acting-user
requirements are declared exactly once (in each connector). After changing a connector run
`python -m integration.manifest` and commit manifest.json; a test fails while they disagree.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

from connectors.registry import METADATA
from store.installations import DEFAULT_SETTINGS

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.json"
WEBHOOK_PATH = "/webhooks/{platform}/{installation_id}"
MAX_BODY_BYTES = 1024 * 1024  # the default of HIREWATCH_MAX_BODY_BYTES

PRODUCT = {
    "id": "hirewatch",
    "name": "HireWatch",
    "version": version("hirewatch"),
    "vendor": "HireWatch",
    "description": (
        "Screens job applicants against sanctions lists (OFAC SDN and non-SDN, UN Security "
        "Council) and DPRK IT-worker fraud red flags; writes a risk tag and an explanatory note "
        "back to the ATS. Potential matches go to human review; it never rejects anyone."
    ),
    "category": "screening",
}


def _field(field_id: str, kind: str, label: str, description: str, *, required=False, secret=False, **extra):
    return {
        "id": field_id,
        "type": kind,
        "label": label,
        "required": required,
        "secret": secret,
        "description": description,
        **extra,
    }


def config_fields() -> list[dict[str, Any]]:
    """What an admin fills in per installation (`hirewatch installations add` and the admin API)."""
    tag_fields = [
        _field(
            f"tags.{risk}",
            "text",
            f"Tag for {risk} risk",
            f"Tag written to the candidate when the risk is {risk}.",
            default=name,
        )
        for risk, name in DEFAULT_SETTINGS["tags"].items()
    ]
    return [
        _field(
            "platform",
            "select",
            "ATS",
            "Which applicant tracking system.",
            required=True,
            options=sorted(METADATA),
        ),
        _field("name", "text", "Name", "A name for this ATS account, e.g. the company.", required=True),
        _field(
            "api_key",
            "password",
            "API key",
            "ATS API key or token, for reading candidates and writing tags and notes (platforms whose "
            "auth_type is oauth_client_credentials take a client id and secret instead). Stored encrypted.",
            secret=True,
        ),
        _field("client_id", "text", "OAuth client id", "For oauth_client_credentials platforms."),
        _field(
            "client_secret",
            "password",
            "OAuth client secret",
            "For oauth_client_credentials platforms (Greenhouse). Stored encrypted.",
            secret=True,
        ),
        _field("token_url", "url", "OAuth token URL", "Override the platform's token endpoint."),
        _field(
            "webhook_secret",
            "password",
            "Webhook signing secret",
            "The secret the ATS signs "
            "webhooks with; generated when omitted, unless the ATS issues it. Stored encrypted.",
            secret=True,
        ),
        _field("api_base_url", "url", "API base URL", "Override the ATS API address (EU data centre)."),
        _field(
            "on_behalf_of",
            "text",
            "Acting user",
            "The ATS user tags and notes are written as (see each platform's acting_user).",
        ),
        *tag_fields,
        _field(
            "note_template",
            "textarea",
            "Note template",
            "Text of the note written with a tag; {risk}, {reasons} and {review_url} are filled in. "
            "A 'HireWatch ref:' line always follows it (how a retry finds the note it already wrote).",
            default=DEFAULT_SETTINGS["note_template"],
        ),
    ]


def build_manifest() -> dict[str, Any]:
    platforms = {}
    for name, metadata in sorted(METADATA.items()):
        block = metadata.as_manifest()
        block["webhook_path"] = WEBHOOK_PATH.replace("{platform}", name)
        platforms[name] = block
    return {
        **PRODUCT,
        "platforms": platforms,
        "config_fields": config_fields(),
        "endpoints": {
            "webhook": {"method": "POST", "path": WEBHOOK_PATH, "max_body_bytes": MAX_BODY_BYTES},
            "manifest": {"method": "GET", "path": "/manifest.json"},
            "health": {"method": "GET", "path": "/healthz"},
            "admin_api": {"method": "GET", "path": "/api/v1/openapi.json", "auth": "bearer token"},
            "audit_log": {"method": "GET", "path": "/api/v1/audit", "auth": "bearer token"},
            "review_queue": {"method": "GET", "path": "/review/", "auth": "session login"},
            "risk_badge": {"method": "GET", "path": "/badges/{token}.svg", "auth": "signed, expiring link"},
        },
        "data_handling": {
            "pii_read": [
                "names",
                "email addresses",
                "phone numbers",
                "postal addresses",
                "web and social URLs",
                "employers",
                "education",
                "custom application answers",
                "résumé text",
            ],
            "never_scored": ["nationality", "citizenship", "ethnicity", "name origin", "language", "photo"],
            "storage": "applicant data, screenings and webhook deliveries in the operator's database; "
            "ATS credentials encrypted with HIREWATCH_SECRET_KEY (Fernet)",
            "retention": "kept while the installation exists; a candidate deleted or anonymised in the "
            "ATS is deleted here; removing the installation deletes all its data",
            "attachments": "downloaded at screening time for text extraction; the files are not kept",
        },
    }


def render_manifest() -> str:
    return json.dumps(build_manifest(), indent=2, ensure_ascii=False) + "\n"


def load_manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def init_manifest(app: Flask) -> None:
    manifest = load_manifest()  # read once: a missing or broken file stops start-up, not a request

    @app.get("/manifest.json")
    def manifest_json() -> Response:
        return jsonify(manifest)


if __name__ == "__main__":
    MANIFEST_PATH.write_text(render_manifest(), encoding="utf-8")
    print(f"wrote {MANIFEST_PATH}")
