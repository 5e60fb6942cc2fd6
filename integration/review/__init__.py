"""The review pages (`/review`): server-rendered Jinja2, no front-end build step."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, redirect, render_template
from werkzeug.exceptions import HTTPException

from integration.review.security import signing_key


def init_app(app: Flask) -> None:
    from integration.review.views import bp  # late: the views import the API, which imports badges

    settings = app.config["HIREWATCH"]
    app.secret_key = signing_key(settings, "session")
    app.config.update(
        SESSION_COOKIE_NAME="hirewatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure whenever the service is reached over HTTPS (always in production).
        SESSION_COOKIE_SECURE=settings.production or settings.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    app.register_blueprint(bp)
    app.add_url_rule("/", "root", lambda: redirect("/review/"))


def error_page(exc: HTTPException) -> tuple[str, int] | Response:
    """Any error outside the JSON prefixes as a HireWatch page (not Werkzeug's), saying what to do."""
    response = exc.get_response()
    page = render_template("review/error.html", code=exc.code, name=exc.name), exc.code or 500
    for header in ("Allow", "Retry-After"):
        if header in response.headers:
            return Response(page[0], page[1], headers={header: response.headers[header]})
    return page
