"""The Flask application factory: webhook receiver, admin API, review pages, badges."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from integration import api, badges, review, webhooks
from integration.config import Settings
from integration.manifest import init_manifest
from integration.secrets import secret_box
from store.db import engine_for

# Each answers JSON under its own path prefix and hands anything else back unchanged.
_JSON_ERROR_HANDLERS = (api.http_error_as_json, webhooks.http_error_as_json)


def _http_error(exc: HTTPException) -> Response | tuple[Response, int] | HTTPException:
    """Flask keeps one handler per exception class: this one lets each prefix's handler answer."""
    for handler in _JSON_ERROR_HANDLERS:
        answer = handler(exc)
        if answer is not exc:
            return answer
    return review.error_page(exc)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    box = secret_box(settings)  # production without HIREWATCH_SECRET_KEY stops here
    app = Flask(__name__)
    app.config["HIREWATCH"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["hirewatch.engine"] = engine_for(settings.database_url)
    webhooks.init_webhooks(app, settings, box)
    init_manifest(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    api.init_app(app)
    review.init_app(app)
    badges.init_app(app)
    app.register_error_handler(HTTPException, _http_error)
    return app
