"""The admin API, `/api/v1`: see `views` for the endpoints and `routing` for how they are declared."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from integration.api import views  # noqa: F401  (registers the endpoints on the blueprint)
from integration.api.routing import bp, http_error_as_json


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Unknown routes and wrong methods under /api/ answer JSON too (other paths are untouched).
    app.register_error_handler(HTTPException, http_error_as_json)
