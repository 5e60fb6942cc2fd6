"""The review pages (`/review`): server-rendered Jinja2, no front-end build step."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

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
