"""Review pages: login, the queue (highest risk first), an applicant's detail, decisions."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
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
from integration.api.search import group_by_entity
from integration.api.views import audited_search, csv_lines
from integration.badges import mint_badge_token
from integration.review import presenting
from integration.review.alignment import align_names
from integration.review.security import check_csrf, csrf_token, secure_headers
from screening.models import Risk
from store import audit, review
from store.installations import installation_health

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates", static_folder="static")
bp.before_request(check_csrf)
bp.after_request(secure_headers)

QUEUE_VIEWS = {"pending": "Pending", "escalated": "Escalated", "decided": "Decided", "all": "All"}


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
        if user is None:
            session.pop("user_id", None)
            return redirect(url_for("review.login", next=request.full_path.rstrip("?")))
        g.user = user
        return view(**kwargs)

    return wrapper


def _safe_next(target: str | None) -> str:
    """Only ever redirect inside the review pages (no open redirect)."""
    if target and target.startswith("/review") and not target.startswith("//"):
        return target
    return url_for("review.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("review/login.html", error=None)
    email, ip = request.form.get("email", ""), request.remote_addr or "unknown"
    with _engine().begin() as conn:
        wait = review.login_retry_after(conn, email, ip)
        user = None if wait else review.authenticate_user(conn, email, request.form.get("password", ""))
        if not wait:
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
    session.permanent = True
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("review.login"))


@bp.get("/")
@login_required
def queue():
    risk = request.args.get("risk", "")
    query = request.args.get("q", "")[:200]
    # Pending is the default; a search or a risk filter looks at everyone unless a view is chosen.
    view = request.args.get("view") or ("all" if query or risk else "pending")
    view = view if view in QUEUE_VIEWS else "pending"
    with _engine().connect() as conn:
        rows = review.search_applicants(
            conn,
            g.user.installation_id,
            risks=[risk] if risk in {r.value for r in Risk} else [],
            query=query,
            view=view,
            limit=200,
        )
        reasons = review.latest_reasons(conn, [row["id"] for row in rows])
        health = installation_health(conn, g.user.installation_id)
    for row in rows:
        row["reason"] = presenting.one_line(reasons.get(row["id"], []))
    return render_template(
        "review/queue.html",
        rows=rows,
        risk=risk,
        query=query,
        view=view,
        views=QUEUE_VIEWS,
        risks=[r.value for r in Risk],
        health_warning=health.warning,
    )


@bp.get("/applicants/<int:applicant_id>")
@login_required
def applicant(applicant_id: int):
    with _engine().connect() as conn:
        detail = review.applicant_detail(conn, g.user.installation_id, applicant_id)
        if detail is None:
            abort(404)
        state = review.review_states_of(conn, g.user.installation_id, [applicant_id])[applicant_id]
        decided_in = review.screening_results(
            conn, [d["screening_id"] for d in detail["decisions"] if d["screening_id"]]
        )
        installation = backends.installation_summary(g.user.installation_id)
        missing_at = missing_in_ats_since(conn, g.user.installation_id, detail)
    screening = detail["latest_screening"] or {"sanctions_hits": [], "flags": [], "reasons": []}
    groups = [_group_view(group, detail, state) for group in group_by_entity(screening["sanctions_hits"])]
    return render_template(
        "review/applicant.html",
        applicant=detail,
        record=presenting.applicant_record(detail["data"]),
        ats_url=presenting.candidate_url(installation, detail["external_id"]),
        screening=screening,
        groups=groups,
        flags=[_flag_view(flag, state) for flag in screening["flags"]],
        suppressed=presenting.suppressed_items(detail["decisions"], decided_in, state),
        history=presenting.history(detail["decisions"], decided_in),
        applicant_choices=presenting.choices("applicant"),
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


def _group_view(group: dict, detail: dict, state: review.ReviewState) -> dict:
    """One list entry the applicant matched: each match explained, and what the list says of
    the entry (identifiers, dates of birth, other names) beside the applicant's own record."""
    entry = backends.list_entry(group["list"], group["entity_id"])
    best = group["matches"][0]["hit"]
    kind = review.item_kind(best)
    return {
        **group,
        "key": review.entity_key(best),
        "kind": kind,
        "choices": presenting.choices(kind),
        "decision": presenting.latest_wording(state, [m["hit"]["key"] for m in group["matches"]], kind),
        "matches": [
            {
                **match,
                "label": presenting.MATCHED_ON.get(match["matched_on"], match["matched_on"]),
                "alignment": align_names(match["applicant_value"] or detail["name"], match["matched_name"])
                if match["matched_on"] in ("name", "alias")
                else [],
            }
            for match in group["matches"]
        ],
        "identifiers": [(presenting.IDENTIFIER_KINDS.get(i.kind, i.kind), i.value) for i in entry.identifiers]
        if entry
        else [],
        "birth_dates": list(entry.birth_dates) if entry else [],
        "aliases": [n.value for n in entry.names if n.value != entry.primary_name] if entry else [],
    }


def _flag_view(flag: dict, state: review.ReviewState) -> dict:
    kind = review.item_kind(flag)
    key = review.flag_key(flag)
    return {
        **flag,
        "key": key,
        "kind": kind,
        "choices": presenting.choices(kind),
        "decision": presenting.latest_wording(state, [key], kind),
        "evidence_lines": presenting.evidence_lines(flag.get("evidence") or {}),
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
            kind = request.form.get("kind", "")  # the form's own wording, for this message only
            wording = review.decision_wording(
                body["decision"], kind if kind in presenting.KINDS else "applicant"
            )
            flash(f"Recorded: {wording}. The applicant is now {decision['review_status']}.", "success")
        except ApiError as exc:
            flash(f"Not recorded: {exc.reason}.", "error")
    return redirect(url_for("review.applicant", applicant_id=applicant_id))


@bp.get("/search")
@login_required
def search():
    """Look a name (or e-mail, website, phone, wallet) up in the lists: nobody is stored."""
    query = request.args.get("q", "").strip()[:200]
    found, error = None, None
    if len(query) >= 2:
        try:
            found = audited_search(query, g.user.installation_id, f"user:{g.user.email}")
        except Unavailable as exc:
            error = str(exc)
    elif query:
        error = "Type at least two characters."
    for group in (found or {}).get("results", []):
        for match in group["matches"]:
            match["label"] = presenting.MATCHED_ON.get(match["matched_on"], match["matched_on"])
    return render_template("review/search.html", query=query, found=found, error=error)


def _audit_filters() -> dict[str, str]:
    """Applicant (subject), actor and action prefixes from the query string."""
    return {name: request.args.get(name, "").strip()[:200] for name in ("subject", "actor", "action")}


@bp.get("/audit")
@login_required
def audit_trail():
    filters = _audit_filters()
    with _engine().connect() as conn:
        rows = list(
            review.audit_entries(conn, g.user.installation_id, limit=300, newest_first=True, **filters)
        )
        actions = review.audit_actions(conn, g.user.installation_id)
    for row in rows:
        row["summary"] = presenting.audit_summary(row)
    return render_template("review/audit.html", rows=rows, filters=filters, actions=actions)


@bp.get("/audit.csv")
@login_required
def audit_export():
    with _engine().connect() as conn:
        rows = list(review.audit_entries(conn, g.user.installation_id, **_audit_filters()))
    return Response(
        csv_lines(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=hirewatch-audit.csv"},
    )


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
    with _engine().connect() as conn:
        for job in recent:
            # The trigger tasks.rescreen records a job's screenings under.
            job["changed"] = review.verdicts_changed(conn, g.user.installation_id, f"rescreen:{job['id']}")
    finished = next((job for job in recent if job["status"] != "running"), None)
    return render_template(
        "review/rescreen.html", jobs=recent, running=running, finished=finished, needs=needs
    )


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
        abort(404)
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
    return render_template(
        "review/lists.html",
        status=status,
        versions=backends.list_versions(),
        diff=diff,
        sources=presenting.list_sources(status["current"]),
        advisories=backends.advisories_watchlist(),
    )


@bp.get("/installation")
@admin_required
def installation():
    return render_template(
        "review/installation.html", installation=backends.installation_overview(g.user.installation_id)
    )


@bp.post("/installation/check")
@admin_required
def check_installation():
    result = backends.check_installation(g.user.installation_id, f"user:{g.user.email}")
    if result.ok:
        flash(f"Connection works: {result.message}.", "success")
    else:
        flash(f"Connection failed ({result.problem}): {result.message}", "error")
    return redirect(url_for("review.installation"))
