"""Review: users, API tokens, reviewer decisions, false-positive suppressions, and the read
queries behind the admin API and the review pages.

Everything here is scoped by `installation_id` (the tenant): no query reads across tenants.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
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
    # The service's operator: creates installations (tenants). Tied to none, so it reads no
    # tenant's data; made only by the CLI (`hirewatch tokens create --operator`).
    OPERATOR = "operator"
    ADMIN = "admin"  # everything of one installation, including settings, tokens, users, re-screens
    REVIEWER = "reviewer"  # applicants, screenings, decisions, lists, audit log


TENANT_SCOPES = (Scope.ADMIN, Scope.REVIEWER)  # what a user or a tenant's token can be
# What a token of each scope may do: an admin everything a reviewer may; the operator's scope is
# neither above nor below a tenant's, so one can never stand in for the other.
GRANTS = {
    Scope.OPERATOR: frozenset({Scope.OPERATOR}),
    Scope.ADMIN: frozenset({Scope.ADMIN, Scope.REVIEWER}),
    Scope.REVIEWER: frozenset({Scope.REVIEWER}),
}


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
    # NULL: made before expiry existed; such a token lives HIREWATCH_TOKEN_DAYS from created_at.
    Column("expires_at", DateTime(timezone=True)),
)

# Operator tokens belong to no installation: a table of their own, so no tenant query can list
# them and deleting an installation never touches them.
operator_tokens = Table(
    "operator_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("expires_at", DateTime(timezone=True), nullable=False),
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


# --- what a reviewer decides about (pure: the pipeline applies these to a ScreeningResult) ---
#
# An item is one sanctions hit (`hit_key`) or one red flag (`flag_key`). A decision covers one
# item, every hit on one list entry (`entity_key`: an e-mail and a website listed on the same
# entry are one question), or, with no key, every item the applicant's latest screening showed.


def _hit_value(hit: SanctionsHit | Flag | dict, name: str) -> Any:
    return hit.get(name) if isinstance(hit, dict) else getattr(hit, name)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


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


def flag_key(flag: Flag | dict) -> str:
    """A stable key for "this red flag on this evidence": new evidence (a third applicant behind
    the phone) is a new key, so it is reviewed again."""
    return f"flag:{_hit_value(flag, 'code')}:{_digest(_hit_value(flag, 'evidence') or {})}"


def entity_key(hit: SanctionsHit | dict) -> str:
    return f"{ENTITY_PREFIX}{_hit_value(hit, 'list')}:{_hit_value(hit, 'entity_id')}"


ENTITY_PREFIX = "entity:"


def item_keys(result: dict | None) -> list[str]:
    """The keys of a stored result's hits and flags, in the order the page shows them."""
    if result is None:
        return []
    return [hit_key(h) for h in result.get("sanctions_hits", [])] + [
        flag_key(f) for f in result.get("flags", [])
    ]


def keys_covered(key: str | None, result: dict | None) -> list[str]:
    """The item keys a decision on `key` covers in `result` (empty: `key` is not in it)."""
    if key is None:
        return item_keys(result)
    if key.startswith(ENTITY_PREFIX):
        hits = (result or {}).get("sanctions_hits", [])
        return [hit_key(h) for h in hits if entity_key(h) == key]
    return [key] if key in item_keys(result) else []


def item_kind(item: dict | None) -> str:
    """What a decision is about, for its wording: name | identifier | employer | contact | flag."""
    if item is None:
        return "applicant"
    if "code" in item:
        return "contact" if item["code"].startswith("shared_") else "flag"
    matched_on = str(item.get("matched_on"))
    if matched_on in (MatchedOn.NAME, MatchedOn.ALIAS):
        return "name"
    return "employer" if matched_on == MatchedOn.EMPLOYER else "identifier"


DECISION_WORDING = {
    Decision.FALSE_POSITIVE: {
        "name": "not this person",
        "identifier": "not this person: the identifier is explained",
        "employer": "not this employer",
        "contact": "explained: same household / agency",
        "flag": "explained",
        "applicant": "false positive",
    },
    Decision.CONFIRMED_MATCH: {
        "name": "confirmed: this is the listed person",
        "identifier": "confirmed: the listed identifier is theirs",
        "employer": "confirmed: the listed employer",
        "contact": "confirmed: a suspicious link",
        "flag": "confirmed",
        "applicant": "confirmed match",
    },
}


def decision_wording(decision: Decision | str, kind: str) -> str:
    decision = Decision(decision)
    if decision == Decision.ESCALATE:
        return "escalated to compliance"
    return DECISION_WORDING[decision][kind]


def item_label(item: dict | None) -> str:
    """One line naming a hit or flag for a reviewer or a recruiter."""
    if item is None:
        return "the whole application"
    if "code" in item:
        return item.get("message") or item["code"]
    source = LIST_LABELS.get(item.get("list"), item.get("list"))
    return f"{item.get('entity_name')} ({source} {item.get('entity_id')})"


LIST_LABELS = {"ofac_sdn": "OFAC SDN", "ofac_cons": "OFAC non-SDN", "un": "UN", "advisories": "Advisories"}


@dataclass(frozen=True, slots=True)
class ReviewState:
    """What reviewers decided about one applicant's items, as the next screening applies it."""

    suppressed: frozenset[str] = frozenset()  # false positives, while the identity is unchanged
    latest: dict[str, str] = field(default_factory=dict)  # item key -> its latest decision
    notes: tuple[str, ...] = ()  # one line per decision still standing, for the ATS note

    def status(self, keys: Iterable[str]) -> str:
        """decided when every item has a decision other than escalate; escalated when one is
        escalated; else pending."""
        decisions = [self.latest.get(key) for key in keys]
        if all(d not in (None, Decision.ESCALATE) for d in decisions):
            return "decided"
        return "escalated" if Decision.ESCALATE in decisions else "pending"


def apply_review(result: ScreeningResult, state: ReviewState) -> ScreeningResult:
    """The result without the items reviewed as false positive, the verdict recomputed, and
    the reviewers' decisions among the reasons (so the ATS note says them). Needs review only
    while an item has no decision. Applying it twice gives the same result."""
    if not state.latest and not state.suppressed:
        return result
    hits = [hit for hit in result.sanctions_hits if hit_key(hit) not in state.suppressed]
    flags = [flag for flag in result.flags if flag_key(flag) not in state.suppressed]
    verdict = decide(hits, flags)
    undecided = [key for key in [*map(hit_key, hits), *map(flag_key, flags)] if key not in state.latest]
    return replace(
        result,
        sanctions_hits=hits,
        flags=flags,
        risk=verdict.risk,
        score=verdict.score,
        reasons=[*verdict.reasons, *state.notes],
        needs_review=verdict.needs_review and bool(undecided),
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


def review_states_of(
    conn: Connection, installation_id: str, applicant_ids: list[int]
) -> dict[int, ReviewState]:
    """Each applicant's ReviewState, in three queries however many applicants (a re-screen chunk)."""
    rows = conn.execute(
        select(decisions)
        .where(decisions.c.installation_id == installation_id, decisions.c.applicant_id.in_(applicant_ids))
        .order_by(decisions.c.id)
    ).mappings().all()  # fmt: skip
    results = screening_results(conn, {row["screening_id"] for row in rows if row["screening_id"]})
    suppressed = suppressed_hits_of(conn, installation_id, applicant_ids)
    by_applicant: dict[int, list] = {applicant_id: [] for applicant_id in applicant_ids}
    for row in rows:
        by_applicant[row["applicant_id"]].append(row)
    return {
        applicant_id: _review_state(mine, results, suppressed[applicant_id])
        for applicant_id, mine in by_applicant.items()
    }


def _review_state(rows: list, results: dict[int, dict], suppressed: set[str]) -> ReviewState:
    latest: dict[str, str] = {}
    standing: dict[str, Any] = {}  # item key -> the decision row that decided it last
    for row in rows:
        for key in keys_covered(row["hit_key"], results.get(row["screening_id"])):
            latest[key], standing[key] = row["decision"], row
    decided_rows = {row["id"]: row for row in standing.values()}
    notes = tuple(
        decision_note(row, results.get(row["screening_id"])) for _, row in sorted(decided_rows.items())
    )
    return ReviewState(frozenset(suppressed), latest, notes)


def decision_note(row, result: dict | None) -> str:
    """The line the ATS note carries for a decision: what about, what was decided, why, who."""
    item = find_item(row["hit_key"], result)
    when = row["created_at"].strftime("%Y-%m-%d") if row["created_at"] else ""
    who = str(row["actor"]).removeprefix("user:")
    wording = decision_wording(row["decision"], item_kind(item))
    return f"Reviewed {when} by {who}: {item_label(item)}: {wording}. Reason: {row['reason']}"


def find_item(key: str | None, result: dict | None) -> dict | None:
    """The hit or flag a decision key names in a stored result (the first hit, for an entity key)."""
    if key is None or result is None:
        return None
    for hit in result.get("sanctions_hits", []):
        if key in (hit_key(hit), entity_key(hit)):
            return hit
    return next((flag for flag in result.get("flags", []) if flag_key(flag) == key), None)


def screening_results(conn: Connection, screening_ids: Iterable[int]) -> dict[int, dict]:
    wanted = sorted(set(screening_ids))
    if not wanted:
        return {}
    rows = conn.execute(select(screenings.c.id, screenings.c.result).where(screenings.c.id.in_(wanted)))
    return {row.id: row.result for row in rows}


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
    audit.record(conn, action="user.add", actor="cli", installation_id=installation_id, subject=email,
                 details={"role": role.value})  # fmt: skip
    return User(user_id, installation_id, email, role)


def reset_user(
    conn: Connection, email: str, installation_id: str, password: str, actor: str = "cli"
) -> User | None:
    """Give an existing user this installation and a new password (None: no such user). The demo
    reviewer of `hirewatch run` needs it: each run's sandbox ATS is a new installation."""
    email = email.strip().lower()
    row = conn.execute(select(users).where(users.c.email == email)).first()
    if row is None:
        return None
    if len(password) < 12:
        raise ReviewError("password too short: use at least 12 characters")
    conn.execute(
        users.update()
        .where(users.c.id == row.id)
        .values(
            installation_id=installation_id, password_hash=generate_password_hash(password, method="scrypt")
        )
    )
    audit.record(conn, action="user.reset", actor=actor, installation_id=installation_id, subject=email)
    return User(row.id, installation_id, email, Scope(row.role))


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


_USER_COLUMNS = (
    users.c.id,
    users.c.installation_id,
    users.c.email,
    users.c.role,
    users.c.created_at,
    users.c.disabled_at,
)


def _users_where(conn: Connection, *conditions) -> list[dict]:
    """Users (never their password hashes) by e-mail."""
    query = select(*_USER_COLUMNS).where(*conditions).order_by(users.c.email)
    return [dict(row) for row in conn.execute(query).mappings()]


def list_users(conn: Connection, installation_id: str | None = None) -> list[dict]:
    """Every user, or one installation's."""
    return _users_where(
        conn, *([] if installation_id is None else [users.c.installation_id == installation_id])
    )


def find_user(conn: Connection, email: str) -> dict | None:
    """The user with this e-mail (any installation: e-mails are unique), for the CLI."""
    found = _users_where(conn, users.c.email == email.strip().lower())
    return found[0] if found else None


def _user_of(conn: Connection, installation_id: str, user_id: int) -> dict | None:
    found = _users_where(conn, users.c.installation_id == installation_id, users.c.id == user_id)
    return found[0] if found else None


def disable_user(conn: Connection, installation_id: str, user_id: int, actor: str) -> dict | None:
    """The user can no longer sign in and every session of theirs ends now (audited); None when
    the installation has no such user."""
    if _user_of(conn, installation_id, user_id) is None:
        return None
    conn.execute(
        users.update()
        .where(users.c.id == user_id)
        .values(disabled_at=func.coalesce(users.c.disabled_at, datetime.now(UTC)))
    )
    end_sessions(conn, user_id)
    return _audited_user_change(conn, installation_id, user_id, "user.disable", actor)


def enable_user(conn: Connection, installation_id: str, user_id: int, actor: str) -> dict | None:
    """A disabled user may sign in again (their old sessions stay ended); None: no such user."""
    if _user_of(conn, installation_id, user_id) is None:
        return None
    conn.execute(users.update().where(users.c.id == user_id).values(disabled_at=None))
    return _audited_user_change(conn, installation_id, user_id, "user.enable", actor)


def _audited_user_change(
    conn: Connection, installation_id: str, user_id: int, action: str, actor: str
) -> dict:
    user = _user_of(conn, installation_id, user_id)
    audit.record(conn, action=action, actor=actor, installation_id=installation_id, subject=user["email"])
    return user


def remove_user(conn: Connection, installation_id: str, user_id: int, actor: str) -> dict | None:
    """Delete the user (audited); None when the installation has no such user. Their decisions
    and audit entries stay as they are: they name the actor as text (`user:<email>`), not by a
    key into this table, so nothing they did loses its author."""
    user = _user_of(conn, installation_id, user_id)
    if user is None:
        return None
    conn.execute(users.delete().where(users.c.id == user_id))
    audit.record(
        conn,
        action="user.remove",
        actor=actor,
        installation_id=installation_id,
        subject=user["email"],
        details={"role": user["role"]},
    )
    return user


_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method="scrypt")


# --- API tokens ---

TOKEN_PREFIX = "hwt_"
OPERATOR_TOKEN_PREFIX = "hwo_"  # tells `authenticate_token` which table to look in


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    installation_id: str | None  # None: an operator token
    scope: Scope
    expires_at: datetime | None = None

    def allows(self, needed: Scope) -> bool:
        return needed in GRANTS[self.scope]

    @property
    def actor(self) -> str:
        return f"{'operator' if self.scope == Scope.OPERATOR else 'token'}:{self.id}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


DEFAULT_TOKEN_DAYS = 90  # HIREWATCH_TOKEN_DAYS overrides it for the CLI and the API


def create_token(
    conn: Connection,
    installation_id: str,
    scope: Scope,
    label: str = "",
    actor: str = "cli",
    days: float = DEFAULT_TOKEN_DAYS,
    not_after: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token of one installation valid for `days` (and never past `not_after`: a token
    made by a token does not outlive it); the plain value is returned once, only its hash stored."""
    if scope not in TENANT_SCOPES:
        raise ReviewError(f"a token of an installation is admin or reviewer, not {scope.value}")
    expires_at = datetime.now(UTC) + timedelta(days=days)
    if not_after is not None:
        expires_at = min(expires_at, _aware(not_after))
    token_id, plain = secrets.token_hex(6), f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    conn.execute(
        api_tokens.insert().values(
            id=token_id,
            installation_id=installation_id,
            scope=scope.value,
            token_hash=_token_hash(plain),
            label=label,
            expires_at=expires_at,
        )
    )
    audit.record(
        conn,
        action="token.create",
        actor=actor,
        installation_id=installation_id,
        subject=token_id,
        details={"scope": scope.value, "label": label, "expires_at": expires_at.isoformat()},
    )
    return ApiToken(token_id, installation_id, scope, expires_at), plain


def create_operator_token(
    conn: Connection, label: str = "", actor: str = "cli", days: float = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """A new operator token (creates installations, reads none); audited outside any tenant."""
    expires_at = datetime.now(UTC) + timedelta(days=days)
    token_id, plain = secrets.token_hex(6), f"{OPERATOR_TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    conn.execute(
        operator_tokens.insert().values(
            id=token_id, token_hash=_token_hash(plain), label=label, expires_at=expires_at
        )
    )
    audit.record(
        conn,
        action="token.create",
        actor=actor,
        installation_id=None,
        subject=token_id,
        details={"scope": Scope.OPERATOR.value, "label": label, "expires_at": expires_at.isoformat()},
    )
    return ApiToken(token_id, None, Scope.OPERATOR, expires_at), plain


def _expiry(row: dict, legacy_days: float) -> datetime:
    """When a token stops working. One made before expiry existed (expires_at NULL) lives
    `legacy_days` (HIREWATCH_TOKEN_DAYS) from its creation, like any other: never forever."""
    if row["expires_at"] is not None:
        return _aware(row["expires_at"])
    return _aware(row["created_at"]) + timedelta(days=legacy_days)


def authenticate_token(
    conn: Connection, plain: str, legacy_days: float = DEFAULT_TOKEN_DAYS
) -> ApiToken | None:
    """The live (not revoked, not expired) token with this value, its use recorded; else None."""
    table = operator_tokens if plain.startswith(OPERATOR_TOKEN_PREFIX) else api_tokens
    row = (
        conn.execute(
            select(table).where(table.c.token_hash == _token_hash(plain), table.c.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    if row is None or (expires_at := _expiry(row, legacy_days)) <= datetime.now(UTC):
        return None
    conn.execute(table.update().where(table.c.id == row["id"]).values(last_used_at=datetime.now(UTC)))
    if table is operator_tokens:
        return ApiToken(row["id"], None, Scope.OPERATOR, expires_at)
    return ApiToken(row["id"], row["installation_id"], Scope(row["scope"]), expires_at)


def list_tokens(
    conn: Connection, installation_id: str | None = None, legacy_days: float = DEFAULT_TOKEN_DAYS
) -> list[dict]:
    """Tokens (never their hashes), newest first, each with when it expires: one installation's,
    or (None) every installation's and the operator's (installation_id None, scope operator)."""
    query = select(*[c for c in api_tokens.c if c.name != "token_hash"])
    if installation_id is not None:
        query = query.where(api_tokens.c.installation_id == installation_id)
    found = [dict(row) for row in conn.execute(query).mappings()]
    if installation_id is None:
        operators = select(*[c for c in operator_tokens.c if c.name != "token_hash"])
        found += [
            {**row, "installation_id": None, "scope": Scope.OPERATOR.value}
            for row in conn.execute(operators).mappings()
        ]
    for token in found:
        token["expires_at"] = _expiry(token, legacy_days)
        token["created_at"] = _aware(token["created_at"])
    return sorted(found, key=lambda token: token["created_at"], reverse=True)


def revoke_token(
    conn: Connection, token_id: str, actor: str = "cli", installation_id: str | None = None
) -> bool:
    """Revoke at once (audited); False when there is no such live token. With `installation_id`
    (the admin API) only that installation's tokens are found; without (the CLI) any, the
    operator's included."""
    tables = [api_tokens] if installation_id is not None else [api_tokens, operator_tokens]
    for table in tables:
        conditions = [table.c.id == token_id, table.c.revoked_at.is_(None)]
        if installation_id is not None:
            conditions.append(table.c.installation_id == installation_id)
        if conn.execute(table.update().where(*conditions).values(revoked_at=datetime.now(UTC))).rowcount:
            owner = select(api_tokens.c.installation_id).where(api_tokens.c.id == token_id)
            audit.record(
                conn,
                action="token.revoke",
                actor=actor,
                installation_id=conn.execute(owner).scalar() if table is api_tokens else None,
                subject=token_id,
            )
            return True
    return False


# --- applicants and screenings (read side) ---

_RISK_RANK = case({risk.value: risk.rank for risk in Risk}, value=applicants.c.risk, else_=-1)


def _needs_review_clause():
    return or_(
        applicants.c.review_status.in_(OPEN_REVIEW_STATUSES),
        and_(applicants.c.review_status == "none", applicants.c.risk.in_([r.value for r in REVIEW_RISKS])),
    )


QUEUE_VIEWS = {
    "pending": lambda: [
        or_(
            applicants.c.review_status == "pending",
            and_(
                applicants.c.review_status == "none", applicants.c.risk.in_([r.value for r in REVIEW_RISKS])
            ),
        )
    ],
    "escalated": lambda: [applicants.c.review_status == "escalated"],
    "decided": lambda: [applicants.c.review_status == "decided"],
    "all": lambda: [],
}


def latest_reasons(conn: Connection, applicant_ids: list[int]) -> dict[int, list[str]]:
    """Each applicant's latest screening's reasons (the queue's one-line why), in one query."""
    if not applicant_ids:
        return {}
    latest = (
        select(func.max(screenings.c.id))
        .where(screenings.c.applicant_id.in_(applicant_ids))
        .group_by(screenings.c.applicant_id)
    )
    rows = conn.execute(
        select(screenings.c.applicant_id, screenings.c.result).where(screenings.c.id.in_(latest))
    )
    return {row.applicant_id: list(row.result.get("reasons", [])) for row in rows}


def search_applicants(
    conn: Connection,
    installation_id: str,
    *,
    risks: Iterable[str] = (),
    query: str = "",
    needs_review: bool = False,
    view: str = "all",
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Applicants of one tenant, highest risk first; `query` matches name or ATS id; `view` is
    one of QUEUE_VIEWS."""
    conditions = [applicants.c.installation_id == installation_id, *QUEUE_VIEWS[view]()]
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
    """Record a reviewer's decision on one item, one list entry's hits, or (no key) every item of
    the latest screening, and audit it.

    A false positive suppresses exactly the items it covers, for this applicant's current
    fingerprint; the verdict without them (and with the decision among its reasons, for the ATS
    note) is recorded at once as a "decision" screening.
    """
    reason = reason.strip()
    if not reason:
        raise ReviewError("a decision needs a reason")
    applicant = get_applicant(conn, installation_id, applicant_id)
    if applicant is None:
        raise LookupError(f"no applicant {applicant_id}")
    screening = latest_screening(conn, installation_id, applicant_id)
    result = screening["result"] if screening else None
    decided_keys = keys_covered(hit, result)
    if hit is not None and not decided_keys:
        raise ReviewError(f"hit {hit!r} is not in the applicant's latest screening")
    decision_id = conn.execute(
        decisions.insert().values(
            installation_id=installation_id,
            applicant_id=applicant_id,
            screening_id=screening["id"] if screening else None,
            hit_key=hit,
            decision=decision.value,
            reason=reason,
            actor=actor,
            created_at=datetime.now(UTC),
        )
    ).inserted_primary_key[0]
    if decision == Decision.FALSE_POSITIVE:
        for key in decided_keys:
            _suppress(conn, installation_id, applicant_id, key, applicant["fingerprint"], decision_id)
    state = review_states_of(conn, installation_id, [applicant_id])[applicant_id]
    if screening is not None:
        _record_reviewed_verdict(conn, installation_id, applicant_id, screening, state)
    status = state.status(item_keys(result))
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


def _record_reviewed_verdict(
    conn: Connection, installation_id: str, applicant_id: int, screening: dict, state: ReviewState
) -> None:
    """Record the verdict with the decisions applied at once (trigger "decision"), so the page
    and the tag written back reflect the decision rather than waiting for the re-screen."""
    after = apply_review(result_from_dict(screening["result"]), state)
    stored = json.loads(json.dumps(after.to_dict(), default=str))
    if stored == screening["result"]:
        return
    conn.execute(
        screenings.insert().values(
            installation_id=installation_id,
            applicant_id=applicant_id,
            trigger="decision",
            risk=after.risk.value,
            score=after.score,
            result=stored,
            list_versions=screening["list_versions"],
            ruleset_version=screening["ruleset_version"],
        )
    )
    conn.execute(
        applicants.update()
        .where(applicants.c.id == applicant_id)
        .values(risk=after.risk.value, score=after.score)
    )


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
    conn: Connection,
    installation_id: str,
    *,
    since: datetime | None = None,
    limit: int = 10_000,
    subject: str = "",
    actor: str = "",
    action: str = "",
    newest_first: bool = False,
) -> Iterator[dict]:
    """The tenant's audit trail, oldest first (an export) or newest first (the page), filtered
    by applicant (subject), actor and action (each a prefix, case as stored)."""
    query = select(audit_log).where(audit_log.c.installation_id == installation_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    for column, value in (
        (audit_log.c.subject, subject),
        (audit_log.c.actor, actor),
        (audit_log.c.action, action),
    ):
        if value:
            query = query.where(column.startswith(value, autoescape=True))
    order = audit_log.c.id.desc() if newest_first else audit_log.c.id
    for row in conn.execute(query.order_by(order).limit(limit)).mappings():
        yield dict(row)


def audit_actions(conn: Connection, installation_id: str) -> list[str]:
    """The actions this tenant's trail holds, for the page's filter."""
    query = select(audit_log.c.action).where(audit_log.c.installation_id == installation_id).distinct()
    return sorted(conn.execute(query).scalars())


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


def verdicts_changed(conn: Connection, installation_id: str, trigger: str) -> int:
    """How many of the screenings recorded with `trigger` (a re-screen job's) changed the
    applicant's risk from the screening before it."""
    screened = select(screenings.c.applicant_id).where(
        screenings.c.installation_id == installation_id, screenings.c.trigger == trigger
    )
    ranked = (
        select(
            screenings.c.trigger,
            screenings.c.risk,
            func.lag(screenings.c.risk)
            .over(partition_by=screenings.c.applicant_id, order_by=screenings.c.id)
            .label("before"),
        )
        .where(screenings.c.installation_id == installation_id, screenings.c.applicant_id.in_(screened))
        .subquery()
    )
    changed = (
        select(func.count())
        .select_from(ranked)
        .where(ranked.c.trigger == trigger, ranked.c.risk != ranked.c.before)
    )
    return conn.execute(changed).scalar_one()


def settle_review_status(conn: Connection, applicant_ids: list[int]) -> None:
    """Applicants still `pending` whom their latest screening no longer asks to review (what was
    open went away, or has a decision now): decided when a reviewer decided anything, else none."""
    if not applicant_ids:
        return
    decided = select(decisions.c.id).where(decisions.c.applicant_id == applicants.c.id).exists()
    conn.execute(
        applicants.update()
        .where(applicants.c.id.in_(applicant_ids), applicants.c.review_status == "pending")
        .values(review_status=case((decided, "decided"), else_="none"))
    )
