"""Risk badges: `GET /badges/<token>.svg`, a signed, expiring link for an ATS note.

The token carries only the installation id and our internal applicant row id (no name, no
e-mail), signed with itsdangerous; the badge shows the applicant's current risk, so it follows
re-screens and decisions. Expired links answer 410, forged ones 404, both with a plain SVG.
"""

from __future__ import annotations

from html import escape

from flask import Blueprint, Flask, Response, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from integration.config import Settings
from integration.review.security import secure_headers, signing_key
from store.review import get_applicant

bp = Blueprint("badges", __name__, url_prefix="/badges")
bp.after_request(secure_headers)

SALT = "hirewatch.badge.v1"

# Colours pass WCAG contrast with white text; the text always names the level, so colour is
# never the only signal.
COLOURS = {
    "clear": "#1e6b34",
    "low": "#3d5a80",
    "medium": "#8a5300",
    "high": "#b3261e",
    "critical": "#6d0a0a",
    "unknown": "#555555",
}


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_key(settings, "badge"), salt=SALT)


def mint_badge_token(settings: Settings, installation_id: str, applicant_id: int) -> str:
    return _serializer(settings).dumps([installation_id, applicant_id])


def badge_url(settings: Settings, installation_id: str, applicant_id: int) -> str:
    """The absolute badge URL to put in an ATS note (valid HIREWATCH_BADGE_TTL seconds)."""
    return f"{settings.public_url}/badges/{mint_badge_token(settings, installation_id, applicant_id)}.svg"


def render_badge(label: str, value: str, colour: str) -> str:
    label, value = escape(label), escape(value)
    left, right = 7 * len(label) + 12, 7 * len(value) + 12
    width = left + right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-labelledby="t"><title id="t">{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#333"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{label}</text><text x="{left + 6}" y="14">{value}</text></g></svg>'
    )


def _svg(body: str, status: int, cache_seconds: int) -> Response:
    response = Response(body, status=status, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"private, max-age={cache_seconds}" if cache_seconds else "no-store"
    return response


@bp.get("/<token>.svg")
def badge(token: str) -> Response:
    settings: Settings = current_app.config["HIREWATCH"]
    try:
        installation_id, applicant_id = _serializer(settings).loads(token, max_age=settings.badge_ttl_seconds)
    except SignatureExpired:
        return _svg(render_badge("HireWatch", "link expired", COLOURS["unknown"]), 410, 0)
    except (BadSignature, ValueError, TypeError):
        return _svg(render_badge("HireWatch", "invalid link", COLOURS["unknown"]), 404, 0)
    with current_app.extensions["hirewatch.engine"].connect() as conn:
        applicant = get_applicant(conn, str(installation_id), int(applicant_id))
    if applicant is None:
        return _svg(render_badge("HireWatch", "not found", COLOURS["unknown"]), 404, 0)
    risk = applicant["risk"] or "unknown"
    value = f"{risk} risk" if risk != "unknown" else "not screened"
    return _svg(render_badge("HireWatch", value, COLOURS.get(risk, COLOURS["unknown"])), 200, 300)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
