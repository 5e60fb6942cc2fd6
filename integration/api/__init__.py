"""The admin API, `/api/v1`: see `views` for the endpoints and `routing` for how they are declared."""

from __future__ import annotations

from flask import Flask

from integration.api import views  # noqa: F401  (registers the endpoints on the blueprint)
from integration.api.routing import bp, http_error_as_json

__all__ = ["http_error_as_json", "init_app"]


def init_app(app: Flask) -> None:
    # Unknown routes and wrong methods under /api/ answer JSON through http_error_as_json, which
    # integration.app registers with the receiver's (Flask keeps one handler per exception class).
    app.register_blueprint(bp)
