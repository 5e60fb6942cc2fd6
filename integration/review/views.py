"""Review pages: login, the queue (highest risk first), an applicant's detail, decisions."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from integration.api import backends
from integration.api.backends import record_decision, settings
from integration.api.errors import ApiError, Unavailable
from integration.badges import mint_badge_token
from integration.review.alignment import align_names
from integration.review.security import check_csrf, csrf_token, secure_headers
from screening.models import Risk
from store import audit, review
from store.installations import installation_health

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates", static_folder="static")
bp.before_request(check_csrf)
bp.after_request(secure_headers)

SOURCE_LINKS = {
    "ofac_sdn": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entity_id}",
    "ofac_cons": "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entity_id}",
    "un": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
}
# The ATS tag and note a decision triggers (store.outbox statuses), in a reviewer's words.
WRITEBACK_LABELS = {
    "pending": "pending: the task queue is unreachable; retried automatically",
    "queued": "queued",
    "done": "written to the ATS",
    "failed": "failed: see the installation's status",
}
DECISION_LABELS = {
    review.Decision.FALSE_POSITIVE: "False positive (not this person)",
    review.Decision.CONFIRMED_MATCH: "Confirmed match",
    review.Decision.ESCALATE: "Escalate to compliance",
}


@bp.app_template_global()
def csrf_field_value() -> str:
    return csrf_token()


def _engine():
    return current_app.extensions["hirewatch.engine"]


def login_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(**kwargs):
        user_id = session.get("user_id")
        with _engine().connect() as conn:
            user = review.get_user(conn, user_id) if isinstance(user_id, int) else None
        if user is None or session.get("generation") != user.session_generation:  # logged out
            session.pop("user_id", None)
            return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
        g.user = user
        return view(**kwargs)

    return wrapper


def _safe_next(target: str | None) -> str:
    """Only ever redirect inside the review pages (no open redirect); a control character (a CRLF
    would split the Location header) or a backslash (browsers read it as a slash) is refused."""
    if target and target.startswith("/review") and target.isprintable() and "\\" not in target:
        return target
    return url_for("review.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("review/login.html", error=None)
    email, ip = request.form.get("email", ""), request.remote_addr or "unknown"
    with _engine().begin() as conn:  # committed before the (slow) password check: see the store
        wait = review.claim_login_attempt(conn, email, ip)
    if not wait:
        with _engine().begin() as conn:
            user = review.authenticate_user(conn, email, request.form.get("password", ""))
            review.record_login(conn, email, ip, succeeded=user is not None)
    if wait:
        minutes = -(-wait // 60)
        error = f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes > 1)}."
        response = make_response(render_template("review/login.html", error=error), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    if user is None:
        return render_template("review/login.html", error="E-mail or password is wrong."), 401
    session.clear()  # a fresh session on login: no fixation
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    session.permanent = True
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        with _engine().begin() as conn:
            review.end_sessions(conn, user_id)  # a copy of the cookie must not outlive the logout
    session.clear()
    return redirect(url_for("review.login"))


@bp.get("/")
@login_required
def queue():
    risk = request.args.get("risk", "")
    query = request.args.get("q", "")[:200]
    with _engine().connect() as conn:
        rows = review.search_applicants(
            conn,
            g.user.installation_id,
            risks=[risk] if risk in {r.value for r in Risk} else [],
            query=query,
            needs_review=not query,
            limit=200,
        )
        health = installation_health(conn, g.user.installation_id)
    return render_template(
        "review/queue.html",
        rows=rows,
        risk=risk,
        query=query,
        risks=[r.value for r in Risk],
        health_warning=health.warning,
    )


@bp.get("/applicants/<int:applicant_id>")
@login_required
def applicant(applicant_id: int):
    with _engine().connect() as conn:
        detail = review.applicant_detail(conn, g.user.installation_id, applicant_id)
        missing_at = detail and missing_in_ats_since(conn, g.user.installation_id, detail)
    if detail is None:
        return render_template("review/not_found.html"), 404
    screening = detail["latest_screening"] or {"sanctions_hits": [], "flags": [], "reasons": []}
    hits = [_hit_view(hit, detail["name"]) for hit in screening["sanctions_hits"]]
    return render_template(
        "review/applicant.html",
        applicant=detail,
        screening=screening,
        hits=hits,
        decision_labels=DECISION_LABELS,
        writeback_labels=WRITEBACK_LABELS,
        missing_at=missing_at,
        badge=url_for(
            "badges.badge", token=mint_badge_token(settings(), g.user.installation_id, applicant_id)
        ),
    )


def missing_in_ats_since(conn, installation_id: str, detail: dict):
    """When the ATS last answered 404 for this candidate, if that is newer than its screening."""
    at = audit.last_at(conn, installation_id, "applicant.missing_in_ats", detail["external_id"])
    screened = (detail["latest_screening"] or {}).get("created_at")
    return at if at and (screened is None or at >= screened) else None


def _hit_view(hit: dict, applicant_name: str) -> dict:
    """A hit with what the reviewer compares: name parts side by side, the entry's identifiers
    and dates of birth from the current list, and a link to the official source."""
    entry = backends.list_entry(hit.get("list", ""), hit.get("entity_id", ""))
    return {
        **hit,
        "alignment": align_names(hit.get("applicant_value") or applicant_name, hit.get("matched_name", "")),
        "source_url": (hit.get("details") or {}).get("source_url")
        or SOURCE_LINKS.get(hit.get("list", ""), "").format(entity_id=hit.get("entity_id", "")),
        "identifiers": [(i.kind, i.value) for i in entry.identifiers] if entry else [],
        "birth_dates": list(entry.birth_dates) if entry else [],
        "aliases": [n.value for n in entry.names if n.value != entry.primary_name] if entry else [],
    }


@bp.post("/applicants/<int:applicant_id>/decisions")
@login_required
def decide(applicant_id: int):
    body = {
        "decision": request.form.get("decision", ""),
        "reason": request.form.get("reason", "")[:2000],
        "hit_key": request.form.get("hit_key") or None,
    }
    if body["decision"] not in {d.value for d in review.Decision}:
        flash("Choose a decision.", "error")
    else:
        try:
            decision = record_decision(g.user.installation_id, applicant_id, body, f"user:{g.user.email}")
            label = DECISION_LABELS[review.Decision(body["decision"])]
            flash(
                f"Recorded: {label}. ATS update {WRITEBACK_LABELS[decision['writeback_status']]}.", "success"
            )
        except ApiError as exc:
            flash(f"Not recorded: {exc.reason}.", "error")
    return redirect(url_for("review.applicant", applicant_id=applicant_id))


def admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    @login_required
    def wrapper(**kwargs):
        if g.user.role != review.Scope.ADMIN:
            return render_template("review/forbidden.html"), 403
        return view(**kwargs)

    return wrapper


@bp.get("/rescreen")
@admin_required
def rescreen():
    recent = backends.recent_jobs(g.user.installation_id, limit=10)
    running = next((job for job in recent if job["status"] == "running"), None)
    needs = backends.credentials_needs(g.user.installation_id)
    return render_template("review/rescreen.html", jobs=recent, running=running, needs=needs)


@bp.post("/rescreen")
@admin_required
def start_rescreen():
    try:
        job = backends.start_rescreen(g.user.installation_id, f"user:{g.user.email}")
        flash(f"Re-screen job {job['id']} started.", "success")
    except Unavailable as exc:
        flash(f"Not started: {exc}.", "error")
    except ApiError as exc:
        flash(f"Not started: {exc.reason}.", "error")
    return redirect(url_for("review.rescreen"))


@bp.post("/rescreen/<int:job_id>/cancel")
@admin_required
def cancel_rescreen(job_id: int):
    try:
        job = backends.cancel_rescreen(g.user.installation_id, job_id, f"user:{g.user.email}")
    except ApiError:
        return render_template("review/not_found.html"), 404
    flash(f"Re-screen job {job_id} is {job['status']}.", "success")
    return redirect(url_for("review.rescreen"))


@bp.get("/rescreen/<int:job_id>.json")
@admin_required
def rescreen_progress(job_id: int):
    try:
        return jsonify(backends.job_for(g.user.installation_id, job_id))
    except ApiError as exc:
        return jsonify({"error": exc.error, "reason": exc.reason}), exc.status


@bp.get("/lists")
@login_required
def lists():
    status = backends.lists_status()
    diff = backends.lists_diff("previous", "current") if status["previous"] else []
    return render_template("review/lists.html", status=status, versions=backends.list_versions(), diff=diff)
