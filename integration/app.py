"""The Flask application factory: webhook receiver, admin API, review pages, badges."""

from __future__ import annotations

from flask import Flask

from integration.config import Settings
from integration.manifest import init_manifest
from integration.secrets import secret_box
from integration.webhooks import init_webhooks
from store.db import engine_for


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    box = secret_box(settings)  # production without HIREWATCH_SECRET_KEY stops here
    app = Flask(__name__)
    app.config["HIREWATCH"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["hirewatch.engine"] = engine_for(settings.database_url)
    init_webhooks(app, settings, box)
    init_manifest(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
