"""The Flask application factory: webhook receiver, admin API, review pages, badges."""

from __future__ import annotations

from flask import Flask

from integration import api, badges, review
from integration.config import Settings
from store.db import engine_for


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["HIREWATCH"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["hirewatch.engine"] = engine_for(settings.database_url)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    api.init_app(app)
    review.init_app(app)
    badges.init_app(app)
    return app
