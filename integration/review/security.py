"""Keys, CSRF tokens and secure headers for the pages a browser sees (review pages, badges)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from flask import Response, abort, request, session

from integration.config import Settings

CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def signing_key(settings: Settings, purpose: str) -> bytes:
    """A key per purpose (session, badge) derived from HIREWATCH_SECRET_KEY.

    Development without a key gets a random one kept in the data directory, so sessions and
    badge links survive a restart; production refuses to start without HIREWATCH_SECRET_KEY.
    """
    master = settings.secret_key
    if not master:
        if settings.production:
            raise RuntimeError("HIREWATCH_SECRET_KEY is required in production: set it and restart")
        master = _development_key(settings.data_dir / "dev-signing.key")
    return hmac.new(master.encode(), f"hirewatch:{purpose}".encode(), hashlib.sha256).digest()


def _development_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Every state-changing request must echo the session's token (synchroniser pattern)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="the form expired or did not come from this site: reload the page and retry")


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
