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
from werkzeug.security import check_password_hash, generate_password_hash

from screening.models import Flag, MatchedOn, Risk, SanctionsHit, ScreeningResult, Severity
from screening.verdict import decide
from store import audit
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
)

login_failures = Table(
    "review_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, index=True),
    Column("ip", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
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
    if not check_password_hash(stored, password) or row is None:
        return None
    return User(row.id, row.installation_id, row.email, Scope(row.role))


# Password guessing: a few tries per account, more per address (an office shares one), per window.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30


def login_retry_after(conn: Connection, email: str, ip: str, now: datetime | None = None) -> int:
    """Seconds until this e-mail may try again from this address (0: it may try now)."""
    now = now or datetime.now(UTC)
    since = now - LOGIN_WINDOW
    waits = []
    for column, value, limit in (
        (login_failures.c.email, email.strip().lower(), MAX_FAILURES_PER_EMAIL),
        (login_failures.c.ip, ip, MAX_FAILURES_PER_IP),
    ):
        recent = (
            conn.execute(
                select(login_failures.c.at).where(column == value, login_failures.c.at > since)
                .order_by(login_failures.c.at.desc()).limit(limit)
            ).scalars().all()
        )  # fmt: skip
        if len(recent) >= limit:
            oldest = min(_aware(at) for at in recent)
            waits.append(int((oldest + LOGIN_WINDOW - now).total_seconds()) + 1)
    return max(waits, default=0)


def record_login(conn: Connection, email: str, ip: str, succeeded: bool, now: datetime | None = None) -> None:
    """A failure counts against the e-mail and the address; a success clears the e-mail's."""
    email = email.strip().lower()
    if succeeded:
        conn.execute(login_failures.delete().where(login_failures.c.email == email))
        return
    now = now or datetime.now(UTC)
    conn.execute(login_failures.delete().where(login_failures.c.at <= now - LOGIN_WINDOW))
    conn.execute(login_failures.insert().values(email=email[:320], ip=ip[:64], at=now))
    audit.record(
        conn, action="user.login_failed", actor=f"ip:{ip}", installation_id=None, subject=email[:200]
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return User(row.id, row.installation_id, row.email, Scope(row.role)) if row else None


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


def create_token(
    conn: Connection, installation_id: str, scope: Scope, label: str = "", actor: str = "cli"
) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and only its hash is stored."""
    token_id = secrets.token_hex(6)
    plain = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    conn.execute(
        api_tokens.insert().values(
            id=token_id,
            installation_id=installation_id,
            scope=scope.value,
            token_hash=_token_hash(plain),
            label=label,
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
    if row is None:
        return None
    conn.execute(api_tokens.update().where(api_tokens.c.id == row.id).values(last_used_at=datetime.now(UTC)))
    return ApiToken(row.id, row.installation_id, Scope(row.scope))


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
    rows = conn.execute(
        select(decisions)
        .where(decisions.c.installation_id == installation_id, decisions.c.applicant_id == applicant_id)
        .order_by(decisions.c.id.desc())
    ).mappings()
    return [dict(row) for row in rows]


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
