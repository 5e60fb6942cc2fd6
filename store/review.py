"""Review: users, API tokens, reviewer decisions, false-positive suppressions, and the read
queries behind the admin API and the review pages.

Everything here is scoped by `installation_id` (the tenant): no query reads across tenants.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from screening.models import Flag, MatchedOn, Risk, SanctionsHit, ScreeningResult, Severity
from screening.verdict import decide
from store import audit, outbox
from store.db import metadata
from store.tables import applicants, audit_log, screenings


class Scope(StrEnum):
    ADMIN = "admin"  # everything, including installation settings and re-screens
    REVIEWER = "reviewer"  # applicants, screenings, decisions, lists, audit log


class Decision(StrEnum):
    CONFIRMED_MATCH = "confirmed_match"
    FALSE_POSITIVE = "false_positive"
    ESCALATE = "escalate"


REVIEW_RISKS = (Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL)  # a reviewer looks at these
OPEN_REVIEW_STATUSES = ("pending", "escalated")

users = Table(
    "review_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False, unique=True),  # unique: the login finds the tenant
    Column("password_hash", String(300), nullable=False),
    Column("role", String(16), nullable=False, default=Scope.REVIEWER.value),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A session remembers the generation it was made in; logout (or disabling) moves it on, so
    # every cookie issued before is dead server-side. NULL (older rows) is generation 0.
    Column("session_generation", Integer),
    Column("disabled_at", DateTime(timezone=True)),  # a disabled user cannot sign in
)

# Sign-in attempts per e-mail ("email:<address>") and per client address ("ip:<address>") in the
# current window, counted before the password is checked (see `claim_login_attempt`).
login_attempts = Table(
    "review_login_attempts",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),  # public id, shown in the audit trail
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False),
    Column("scope", String(16), nullable=False),
    # sha256 is enough: the token carries 256 random bits, so there is nothing to brute-force.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True)),  # None (tokens made before expiry existed): never
)

decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False),
    Column("applicant_id", Integer, ForeignKey("applicants.id", ondelete="CASCADE"), nullable=False),
    Column("screening_id", Integer),
    Column("hit_key", String(200)),  # None: a decision on the applicant as a whole
    Column("decision", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A false positive holds while the applicant's identity data (fingerprint) is unchanged; the
# list entry's content is part of the hit key, so a changed entry no longer matches either.
suppressions = Table(
    "hit_suppressions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False),
    Column("applicant_id", Integer, ForeignKey("applicants.id", ondelete="CASCADE"), nullable=False),
    Column("hit_key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("decision_id", Integer, ForeignKey("review_decisions.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("applicant_id", "hit_key", "fingerprint", name="uq_suppression"),
)


class ReviewError(ValueError):
    """A request the store refuses, with a reason fit to show the caller."""


# --- hit identity and suppression (pure: the pipeline applies these to a ScreeningResult) ---


def _hit_value(hit: SanctionsHit | dict, name: str) -> Any:
    return hit.get(name) if isinstance(hit, dict) else getattr(hit, name)


def hit_key(hit: SanctionsHit | dict) -> str:
    """A stable key for "this applicant matched this list entry this way".

    It includes a digest of the entry's content: the matcher's `details["entity_digest"]` when
    it provides one, else the entry's name, matched name, type and programs. A changed entry
    therefore gets a new key and is reviewed again.
    """
    details = _hit_value(hit, "details") or {}
    digest_source = details.get("entity_digest") or json.dumps(
        [
            _hit_value(hit, "entity_name"),
            _hit_value(hit, "matched_name"),
            _hit_value(hit, "entity_type") or "",
            sorted(_hit_value(hit, "programs") or []),
        ]
    )
    digest = hashlib.sha256(str(digest_source).encode()).hexdigest()[:20]
    matched_on = str(_hit_value(hit, "matched_on"))
    return f"{_hit_value(hit, 'list')}:{_hit_value(hit, 'entity_id')}:{matched_on}:{digest}"


def apply_suppressions(result: ScreeningResult, suppressed: set[str]) -> ScreeningResult:
    """The result without the hits a reviewer marked false positive, with the verdict recomputed."""
    kept = [hit for hit in result.sanctions_hits if hit_key(hit) not in suppressed]
    dropped = len(result.sanctions_hits) - len(kept)
    if not dropped:
        return result
    verdict = decide(kept, result.flags)
    note = f"{dropped} sanctions hit(s) previously reviewed as false positive and suppressed"
    return replace(
        result,
        sanctions_hits=kept,
        risk=verdict.risk,
        score=verdict.score,
        reasons=[*verdict.reasons, note],
        needs_review=verdict.needs_review,
    )


def result_from_dict(data: dict) -> ScreeningResult:
    """A stored `ScreeningResult.to_dict()` back as dataclasses (unknown keys ignored)."""

    def build(cls, values: dict, **enums):
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known}, **enums)

    hits = [
        build(SanctionsHit, {**h, "matched_on": MatchedOn(h["matched_on"])}) for h in data["sanctions_hits"]
    ]
    flags = [build(Flag, {**f, "severity": Severity(f["severity"])}) for f in data["flags"]]
    return build(
        ScreeningResult, {**data, "risk": Risk(data["risk"]), "sanctions_hits": hits, "flags": flags}
    )


def suppressed_hits(conn: Connection, installation_id: str, applicant_id: int) -> set[str]:
    """Hit keys to drop from this applicant's next screening (fingerprint still matching)."""
    return suppressed_hits_of(conn, installation_id, [applicant_id])[applicant_id]


def suppressed_hits_of(
    conn: Connection, installation_id: str, applicant_ids: list[int]
) -> dict[int, set[str]]:
    """`suppressed_hits` for many applicants in one query (a re-screen chunk)."""
    found: dict[int, set[str]] = {applicant_id: set() for applicant_id in applicant_ids}
    query = (
        select(suppressions.c.applicant_id, suppressions.c.hit_key)
        .join(applicants, applicants.c.id == suppressions.c.applicant_id)
        .where(
            suppressions.c.installation_id == installation_id,
            suppressions.c.applicant_id.in_(applicant_ids),
            suppressions.c.fingerprint == applicants.c.fingerprint,
        )
    )
    for applicant_id, hit_key in conn.execute(query):
        found[applicant_id].add(hit_key)
    return found


# --- users ---


@dataclass(frozen=True, slots=True)
class User:
    id: int
    installation_id: str
    email: str
    role: Scope
    session_generation: int = 0

    @classmethod
    def from_row(cls, row) -> User:
        return cls(row.id, row.installation_id, row.email, Scope(row.role), row.session_generation or 0)


def add_user(conn: Connection, installation_id: str, email: str, password: str, role: Scope) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ReviewError(f"not an e-mail address: {email!r}")
    if len(password) < 12:
        raise ReviewError("password too short: use at least 12 characters")
    if conn.execute(select(users.c.id).where(users.c.email == email)).first():
        raise ReviewError(f"a user {email} already exists")
    user_id = conn.execute(
        users.insert().values(
            installation_id=installation_id,
            email=email,
            password_hash=generate_password_hash(password, method="scrypt"),
            role=role.value,
        )
    ).inserted_primary_key[0]
    audit.record(conn, action="user.add", actor="cli", installation_id=installation_id, subject=email)
    return User(user_id, installation_id, email, role)


def authenticate_user(conn: Connection, email: str, password: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    # Hash even when the user is unknown so timing does not reveal which e-mails exist.
    stored = row.password_hash if row else _DUMMY_HASH
    if not check_password_hash(stored, password) or row is None or row.disabled_at is not None:
        return None
    return User.from_row(row)


# Password guessing: a few tries per account, more per address (an office shares one), per window.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


def claim_login_attempt(conn: Connection, email: str, ip: str, now: datetime | None = None) -> int:
    """Count this attempt against the e-mail and the address BEFORE its password is checked;
    seconds to wait (0: check the password). Commit before checking: each count is one atomic
    upsert that returns its new value, so parallel guesses each get their own number and only
    the first MAX_FAILURES_PER_EMAIL of a window reach the password check."""
    now = now or datetime.now(UTC)
    waits = []
    for key, limit in (
        (f"email:{email.strip().lower()}", MAX_FAILURES_PER_EMAIL),
        (f"ip:{ip}", MAX_FAILURES_PER_IP),
    ):
        attempts, window_start = _count_attempt(conn, key[:400], now)
        if attempts > limit:
            waits.append(int((_aware(window_start) + LOGIN_WINDOW - now).total_seconds()) + 1)
    return max(waits, default=0)


def _count_attempt(conn: Connection, key: str, now: datetime) -> tuple[int, datetime]:
    """One more attempt on `key` (a new window once the last one is over): (attempts, window start)."""
    dialect_insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    expired = login_attempts.c.window_start <= now - LOGIN_WINDOW
    upsert = (
        dialect_insert(login_attempts)
        .values(key=key, window_start=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[login_attempts.c.key],
            set_={
                "attempts": case((expired, 1), else_=login_attempts.c.attempts + 1),
                "window_start": case((expired, now), else_=login_attempts.c.window_start),
            },
        )
        .returning(login_attempts.c.attempts, login_attempts.c.window_start)
    )
    return tuple(conn.execute(upsert).one())


def record_login(conn: Connection, email: str, ip: str, succeeded: bool) -> None:
    """A failure stays counted (its attempt was claimed) and is audited; a success clears the
    e-mail's count."""
    email = email.strip().lower()
    if succeeded:
        conn.execute(login_attempts.delete().where(login_attempts.c.key == f"email:{email}"[:400]))
        return
    audit.record(
        conn, action="user.login_failed", actor=f"ip:{ip}", installation_id=None, subject=email[:200]
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def get_user(conn: Connection, user_id: int) -> User | None:
    """The user, if they exist and are not disabled."""
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.disabled_at.is_(None))).first()
    return User.from_row(row) if row else None


def end_sessions(conn: Connection, user_id: int) -> None:
    """Every session cookie issued to this user so far stops working (logout)."""
    conn.execute(
        users.update()
        .where(users.c.id == user_id)
        .values(session_generation=func.coalesce(users.c.session_generation, 0) + 1)
    )


_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


# --- API tokens ---

TOKEN_PREFIX = "hwt_"


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    installation_id: str
    scope: Scope

    def allows(self, needed: Scope) -> bool:
        return self.scope == Scope.ADMIN or self.scope == needed

    @property
    def actor(self) -> str:
        return f"token:{self.id}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


DEFAULT_TOKEN_DAYS = 90  # HIREWATCH_TOKEN_DAYS overrides it for the CLI


def create_token(
    conn: Connection,
    installation_id: str,
    scope: Scope,
    label: str = "",
    actor: str = "cli",
    days: float = DEFAULT_TOKEN_DAYS,
) -> tuple[ApiToken, str]:
    """A new token valid for `days`; the plain value is returned once and only its hash is stored."""
    token_id = secrets.token_hex(6)
    plain = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    conn.execute(
        api_tokens.insert().values(
            id=token_id,
            installation_id=installation_id,
            scope=scope.value,
            token_hash=_token_hash(plain),
            label=label,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
    )
    audit.record(
        conn,
        action="token.create",
        actor=actor,
        installation_id=installation_id,
        subject=token_id,
        details={"scope": scope.value, "label": label},
    )
    return ApiToken(token_id, installation_id, scope), plain


def authenticate_token(conn: Connection, plain: str) -> ApiToken | None:
    row = conn.execute(
        select(api_tokens).where(
            api_tokens.c.token_hash == _token_hash(plain), api_tokens.c.revoked_at.is_(None)
        )
    ).first()
    if row is None or (row.expires_at is not None and _aware(row.expires_at) <= datetime.now(UTC)):
        return None
    conn.execute(api_tokens.update().where(api_tokens.c.id == row.id).values(last_used_at=datetime.now(UTC)))
    return ApiToken(row.id, row.installation_id, Scope(row.scope))


def list_tokens(conn: Connection, installation_id: str | None = None) -> list[dict]:
    """Tokens (never their hashes), newest first; of one installation when given."""
    columns = [c for c in api_tokens.c if c.name != "token_hash"]
    query = select(*columns).order_by(api_tokens.c.created_at.desc())
    if installation_id is not None:
        query = query.where(api_tokens.c.installation_id == installation_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def revoke_token(conn: Connection, token_id: str, actor: str = "cli") -> bool:
    """Revoke at once (audited); False when there is no such live token."""
    row = conn.execute(
        select(api_tokens.c.installation_id).where(
            api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return False
    conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=datetime.now(UTC)))
    audit.record(
        conn, action="token.revoke", actor=actor, installation_id=row.installation_id, subject=token_id
    )
    return True


# --- applicants and screenings (read side) ---

_RISK_RANK = case({risk.value: risk.rank for risk in Risk}, value=applicants.c.risk, else_=-1)


def _needs_review_clause():
    return or_(
        applicants.c.review_status.in_(OPEN_REVIEW_STATUSES),
        and_(applicants.c.review_status == "none", applicants.c.risk.in_([r.value for r in REVIEW_RISKS])),
    )


def search_applicants(
    conn: Connection,
    installation_id: str,
    *,
    risks: Iterable[str] = (),
    query: str = "",
    needs_review: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Applicants of one tenant, highest risk first; `query` matches name or ATS id."""
    conditions = [applicants.c.installation_id == installation_id]
    if risks := list(risks):
        conditions.append(applicants.c.risk.in_(risks))
    if query:
        pattern = f"%{query.strip().lower()}%"
        conditions.append(
            or_(
                func.lower(applicants.c.name).like(pattern),
                func.lower(applicants.c.external_id).like(pattern),
            )
        )
    if needs_review:
        conditions.append(_needs_review_clause())
    rows = conn.execute(
        select(applicants)
        .where(*conditions)
        .order_by(_RISK_RANK.desc(), applicants.c.score.desc(), applicants.c.id)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return [_applicant_summary(row) for row in rows]


def _applicant_summary(row) -> dict:
    return {
        "id": row["id"],
        "external_id": row["external_id"],
        "application_id": row["application_id"],
        "name": row["name"],
        "risk": row["risk"],
        "score": row["score"],
        "review_status": row["review_status"],
        "updated_at": row["updated_at"],
    }


def get_applicant(conn: Connection, installation_id: str, applicant_id: int) -> dict | None:
    row = (
        conn.execute(
            select(applicants).where(
                applicants.c.installation_id == installation_id, applicants.c.id == applicant_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {**_applicant_summary(row), "data": row["data"], "fingerprint": row["fingerprint"]}


def list_screenings(conn: Connection, installation_id: str, applicant_id: int, limit: int = 20) -> list[dict]:
    rows = conn.execute(
        select(screenings)
        .where(screenings.c.installation_id == installation_id, screenings.c.applicant_id == applicant_id)
        .order_by(screenings.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(row) for row in rows]


def latest_screening(conn: Connection, installation_id: str, applicant_id: int) -> dict | None:
    found = list_screenings(conn, installation_id, applicant_id, limit=1)
    return found[0] if found else None


def applicants_by_external_id(conn: Connection, installation_id: str, external_ids: Iterable[str]) -> dict:
    """external id -> summary, for the applicants a red flag links to (same tenant only)."""
    wanted = sorted({str(x) for x in external_ids})
    if not wanted:
        return {}
    rows = conn.execute(
        select(applicants).where(
            applicants.c.installation_id == installation_id, applicants.c.external_id.in_(wanted)
        )
    ).mappings()
    return {row["external_id"]: _applicant_summary(row) for row in rows}


# --- decisions ---


def record_decision(
    conn: Connection,
    installation_id: str,
    applicant_id: int,
    *,
    decision: Decision,
    reason: str,
    actor: str,
    hit: str | None = None,
) -> dict:
    """Record a reviewer's decision on one hit (or the whole applicant) and audit it.

    A false positive on a hit suppresses that hit for this applicant's current fingerprint.
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError("a decision needs a reason")
    applicant = get_applicant(conn, installation_id, applicant_id)
    if applicant is None:
        raise LookupError(f"no applicant {applicant_id}")
    screening = latest_screening(conn, installation_id, applicant_id)
    hit_keys = _current_hit_keys(screening)
    if hit is not None and hit not in hit_keys:
        raise ReviewError(f"hit {hit!r} is not in the applicant's latest screening")
    decided_keys = [hit] if hit is not None else (hit_keys if decision != Decision.ESCALATE else [])
    decision_id = conn.execute(
        decisions.insert().values(
            installation_id=installation_id,
            applicant_id=applicant_id,
            screening_id=screening["id"] if screening else None,
            hit_key=hit,
            decision=decision.value,
            reason=reason,
            actor=actor,
        )
    ).inserted_primary_key[0]
    if decision == Decision.FALSE_POSITIVE:
        for key in decided_keys:
            _suppress(conn, installation_id, applicant_id, key, applicant["fingerprint"], decision_id)
        if screening is not None:
            _rescore_without_suppressed(conn, installation_id, applicant_id, screening)
    status = _review_status_after(conn, installation_id, applicant_id, decision, hit_keys)
    conn.execute(
        applicants.update()
        .where(applicants.c.id == applicant_id)
        .values(review_status=status, updated_at=datetime.now(UTC))
    )
    audit.record(
        conn,
        action="decision",
        actor=actor,
        installation_id=installation_id,
        subject=applicant["external_id"],
        details={"decision": decision.value, "reason": reason, "hits": decided_keys, "review_status": status},
    )
    return {
        "id": decision_id,
        "applicant_id": applicant_id,
        "external_id": applicant["external_id"],
        "decision": decision.value,
        "hit_key": hit,
        "hits": decided_keys,
        "reason": reason,
        "actor": actor,
        "review_status": status,
    }


def _rescore_without_suppressed(
    conn: Connection, installation_id: str, applicant_id: int, screening: dict
) -> None:
    """Record the verdict without the suppressed hits at once (trigger "decision"), so the tag
    written back to the ATS reflects the decision rather than waiting for a re-screen."""
    before = result_from_dict(screening["result"])
    after = apply_suppressions(before, suppressed_hits(conn, installation_id, applicant_id))
    if after is before:
        return
    conn.execute(
        screenings.insert().values(
            installation_id=installation_id,
            applicant_id=applicant_id,
            trigger="decision",
            risk=after.risk.value,
            score=after.score,
            result=json.loads(json.dumps(after.to_dict())),
            list_versions=screening["list_versions"],
            ruleset_version=screening["ruleset_version"],
        )
    )
    conn.execute(
        applicants.update()
        .where(applicants.c.id == applicant_id)
        .values(risk=after.risk.value, score=after.score)
    )


def _current_hit_keys(screening: dict | None) -> list[str]:
    if screening is None:
        return []
    return [hit_key(hit) for hit in screening["result"].get("sanctions_hits", [])]


def _suppress(
    conn: Connection, installation_id: str, applicant_id: int, key: str, fingerprint: str, decision_id: int
) -> None:
    exists = conn.execute(
        select(suppressions.c.id).where(
            suppressions.c.applicant_id == applicant_id,
            suppressions.c.hit_key == key,
            suppressions.c.fingerprint == fingerprint,
        )
    ).first()
    if not exists:
        conn.execute(
            suppressions.insert().values(
                installation_id=installation_id,
                applicant_id=applicant_id,
                hit_key=key,
                fingerprint=fingerprint,
                decision_id=decision_id,
            )
        )


def _review_status_after(
    conn: Connection, installation_id: str, applicant_id: int, decision: Decision, hit_keys: list[str]
) -> str:
    """escalated on an escalation; decided once every current hit has a decision; else pending."""
    if decision == Decision.ESCALATE:
        return "escalated"
    rows = conn.execute(
        select(decisions.c.hit_key).where(
            decisions.c.installation_id == installation_id,
            decisions.c.applicant_id == applicant_id,
            decisions.c.decision != Decision.ESCALATE.value,
        )
    ).scalars()
    decided = set(rows)
    if None in decided or all(key in decided for key in hit_keys):
        return "decided"
    return "pending"


def list_decisions(conn: Connection, installation_id: str, applicant_id: int) -> list[dict]:
    """Newest first, each with whether its ATS write-back is done (`store.outbox` statuses)."""
    rows = conn.execute(
        select(decisions)
        .where(decisions.c.installation_id == installation_id, decisions.c.applicant_id == applicant_id)
        .order_by(decisions.c.id.desc())
    ).mappings()
    found = [dict(row) for row in rows]
    states = outbox.statuses(conn, [d["id"] for d in found])
    return [{**d, "writeback_status": states.get(d["id"])} for d in found]


# --- audit export ---


def audit_entries(
    conn: Connection, installation_id: str, *, since: datetime | None = None, limit: int = 10_000
) -> Iterator[dict]:
    query = select(audit_log).where(audit_log.c.installation_id == installation_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    for row in conn.execute(query.order_by(audit_log.c.id).limit(limit)).mappings():
        yield dict(row)


def linked_external_ids(evidence: dict) -> list[str]:
    """The other applicants a red flag names: any list of ids under an evidence key about applicants."""
    found: list[str] = []
    for key, value in evidence.items():
        if "applicant" in key and isinstance(value, list):
            found.extend(str(item) for item in value if isinstance(item, str | int))
    return found


def applicant_detail(conn: Connection, installation_id: str, applicant_id: int) -> dict | None:
    """One applicant with the latest screening (each hit keyed for decisions, each flag with the
    applicants it links to) and the decisions so far."""
    applicant = get_applicant(conn, installation_id, applicant_id)
    if applicant is None:
        return None
    screening = latest_screening(conn, installation_id, applicant_id)
    if screening is not None:
        result = screening["result"]
        flags = result.get("flags", [])
        linked = applicants_by_external_id(
            conn,
            installation_id,
            [x for flag in flags for x in linked_external_ids(flag.get("evidence") or {})],
        )
        screening = {
            **screening,
            "reasons": result.get("reasons", []),
            "sanctions_hits": [{**hit, "key": hit_key(hit)} for hit in result.get("sanctions_hits", [])],
            "flags": [
                {
                    **flag,
                    "linked_applicants": [
                        linked[x] for x in linked_external_ids(flag.get("evidence") or {}) if x in linked
                    ],
                }
                for flag in flags
            ],
        }
    return {
        **applicant,
        "latest_screening": screening,
        "decisions": list_decisions(conn, installation_id, applicant_id),
    }
