"""The sandbox ATS's in-memory state: candidates, tags, notes, tokens, the rate-limit window, faults."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_RATE_LIMIT = 50  # requests per 10 seconds, Greenhouse's documented example
RATE_WINDOW_SECONDS = 10.0
FIRST_CANDIDATE_ID = 100_001
CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
TOKEN_TTL_SECONDS = 3600  # Greenhouse's partner guide says access tokens live 1 hour


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Fault:
    """The next `count` matching requests: wait `delay` seconds, then answer `status` (429 or 5xx)
    instead of serving them, or serve them normally when `status` is 200 (a slow ATS). `hold`
    keeps a served request's answer back that many seconds: the write is done, the caller not
    yet told (the window in which a worker dying leaves a write it does not know about)."""

    status: int
    count: int
    method: str | None = None  # None: any method
    path_contains: str = ""
    retry_after: int = 1
    delay: float = 0.0
    hold: float = 0.0


@dataclass
class RateWindow:
    started: float = 0.0
    used: int = 0


@dataclass
class SandboxState:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    token_ttl: float = TOKEN_TTL_SECONDS
    rate_limit: int = DEFAULT_RATE_LIMIT
    candidates: dict[int, dict] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)  # org tag id -> name
    applied_tags: dict[int, tuple[int, int]] = field(default_factory=dict)  # row id -> (candidate, tag)
    notes: dict[int, list[dict]] = field(default_factory=dict)
    tokens: dict[str, tuple[float, str]] = field(default_factory=dict)  # token -> (expires at, sub)
    faults: list[Fault] = field(default_factory=list)
    stats: dict[str, int] = field(
        default_factory=lambda: {"requests": 0, "rate_limited": 0, "faults": 0, "tokens_issued": 0}
    )
    _windows: dict[str, RateWindow] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(FIRST_CANDIDATE_ID))
    _other_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- candidates -------------------------------------------------------------------------
    def add_candidate(self, fields: dict) -> dict:
        """Store a candidate given Greenhouse-shaped fields (custom fields as the webhook's
        {name, type, value} objects); ids and timestamps are assigned here."""
        fields = {k: v for k, v in fields.items() if k != "custom_fields"} | {
            "keyed_custom_fields": fields.get("custom_fields") or fields.get("keyed_custom_fields") or {}
        }
        with self.lock:
            candidate_id = next(self._ids)
            now = _now_iso()
            candidate = {
                "first_name": "",
                "last_name": "",
                "company": None,
                "title": None,
                "is_private": False,
                "phone_numbers": [],
                "addresses": [],
                "email_addresses": [],
                "website_addresses": [],
                "social_media_addresses": [],
                "educations": [],
                "employments": [],
                "attachments": [],
                "keyed_custom_fields": {},
                **fields,
                "id": candidate_id,
                "created_at": now,
                "updated_at": now,
                "last_activity": now,
                "application_ids": [candidate_id * 10],
            }
            self.candidates[candidate_id] = candidate
            return self.render_candidate(candidate_id)

    def update_candidate(self, candidate_id: int, fields: dict) -> dict:
        with self.lock:
            candidate = self.candidates[candidate_id]
            candidate.update({k: v for k, v in fields.items() if k not in ("id", "created_at")})
            candidate["updated_at"] = candidate["last_activity"] = _now_iso()
            return self.render_candidate(candidate_id)

    def delete_candidate(self, candidate_id: int) -> dict:
        with self.lock:
            candidate = self.candidates.pop(candidate_id)
            for row_id in [r for r, (c, _t) in self.applied_tags.items() if c == candidate_id]:
                del self.applied_tags[row_id]
            self.notes.pop(candidate_id, None)
            return candidate

    def tag_names(self, candidate_id: int) -> list[str]:
        with self.lock:
            return sorted(self.tags[t] for c, t in self.applied_tags.values() if c == candidate_id)

    def render_candidate(self, candidate_id: int) -> dict:
        """The candidate as a Greenhouse webhook carries it: custom fields as {name, type, value}
        objects, employments inline, tags as names."""
        with self.lock:
            candidate = {k: v for k, v in self.candidates[candidate_id].items() if k != "keyed_custom_fields"}
            candidate["custom_fields"] = dict(self.candidates[candidate_id]["keyed_custom_fields"])
            candidate["tags"] = self.tag_names(candidate_id)
            return candidate

    def harvest_candidate(self, candidate_id: int) -> dict:
        """A `GET /v3/candidates` row: raw values in `custom_fields`, the objects in
        `keyed_custom_fields` (Greenhouse's documented candidate object); employments are their
        own resource (`harvest_employments`)."""
        with self.lock:
            stored = self.candidates[candidate_id]
            row = {k: v for k, v in stored.items() if k != "employments"}
            row["custom_fields"] = {key: f.get("value") for key, f in stored["keyed_custom_fields"].items()}
            row["tags"] = self.tag_names(candidate_id)
            return row

    def candidate_ids(self, ids: set[int] | None = None) -> list[int]:
        """The stored candidates' ids in order (those in `ids` when given)."""
        with self.lock:
            return sorted(self.candidates if ids is None else ids & self.candidates.keys())

    def employment_rows(self, candidate_ids: set[int] | None) -> list[dict]:
        with self.lock:
            return [
                {"id": candidate_id * 100 + n, "candidate_id": candidate_id, **employment}
                for candidate_id in sorted(self.candidates)
                if candidate_ids is None or candidate_id in candidate_ids
                for n, employment in enumerate(self.candidates[candidate_id]["employments"])
            ]

    def application_rows(self, ids: set[int] | None, candidate_ids: set[int] | None) -> list[dict]:
        with self.lock:
            return [
                {"id": app_id, "candidate_id": candidate_id, "status": "active", "answers": []}
                for candidate_id in sorted(self.candidates)
                for app_id in self.candidates[candidate_id]["application_ids"]
                if (ids is None or app_id in ids) and (candidate_ids is None or candidate_id in candidate_ids)
            ]

    # --- tags and notes ---------------------------------------------------------------------
    def get_or_create_tag(self, name: str) -> tuple[dict, bool]:
        with self.lock:
            for tag_id, existing in self.tags.items():
                if existing.lower() == name.lower():
                    return {"id": tag_id, "name": existing}, False
            tag_id = next(self._other_ids)
            self.tags[tag_id] = name
            return {"id": tag_id, "name": name}, True

    def tag_rows(self) -> list[dict]:
        with self.lock:
            return [{"id": i, "name": n} for i, n in sorted(self.tags.items())]

    def apply_tag(self, candidate_id: int, tag_id: int) -> dict:
        """A new applied-tag row (v3 refuses a second row for the same tag: see the server)."""
        with self.lock:
            row_id = next(self._other_ids)
            self.applied_tags[row_id] = (candidate_id, tag_id)
            return {"id": row_id, "candidate_id": candidate_id, "candidate_tag_id": tag_id}

    def applied_tag_rows(self, candidate_ids: set[int] | None) -> list[dict]:
        with self.lock:
            return [
                {"id": row_id, "candidate_id": c, "candidate_tag_id": t}
                for row_id, (c, t) in sorted(self.applied_tags.items())
                if candidate_ids is None or c in candidate_ids
            ]

    def remove_applied_tag(self, row_id: int) -> bool:
        with self.lock:
            return self.applied_tags.pop(row_id, None) is not None

    def add_note(self, candidate_id: int, user_id: int, body: str, visibility: str) -> dict:
        with self.lock:
            note = {
                "id": next(self._other_ids),
                "candidate_id": candidate_id,
                "created_at": _now_iso(),
                "body": body,
                "user_id": user_id,
                "visibility": visibility,
            }
            self.notes.setdefault(candidate_id, []).append(note)
            return note

    def note_rows(self, candidate_ids: set[int] | None) -> list[dict]:
        with self.lock:
            return [
                note
                for candidate_id in sorted(self.notes)
                if candidate_ids is None or candidate_id in candidate_ids
                for note in self.notes[candidate_id]
            ]

    def writebacks(self, candidate_id: int) -> dict:
        """What HireWatch wrote on one candidate: tag names and notes."""
        with self.lock:
            return {
                "candidate_id": candidate_id,
                "tags": self.tag_names(candidate_id),
                "notes": list(self.notes.get(candidate_id, [])),
            }

    def touched_candidates(self) -> list[int]:
        with self.lock:
            return sorted(set(self.notes) | {c for c, _t in self.applied_tags.values()})

    # --- OAuth tokens ---------------------------------------------------------------------
    def issue_token(self, sub: str) -> dict:
        """A JWT-shaped bearer token for user `sub` (its payload carries `exp`, unsigned: only this
        sandbox checks it) and the answer the token endpoint gives."""
        with self.lock:
            expires_at = time.time() + self.token_ttl
            claims = {"sub": sub, "exp": int(expires_at), "jti": secrets.token_hex(8)}
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
            token = f"eyJhbGciOiJub25lIn0.{payload}.sandbox"
            self.tokens[token] = (expires_at, sub)
            self.stats["tokens_issued"] += 1
            return {"access_token": token, "token_type": "Bearer", "expires_in": int(self.token_ttl)}

    def token_user(self, token: str) -> str | None:
        """The user a live token was issued for; None when unknown, revoked or expired."""
        with self.lock:
            expires_at, sub = self.tokens.get(token, (0.0, ""))
            return sub if expires_at > time.time() else None

    def revoke_tokens(self) -> int:
        with self.lock:
            count = len(self.tokens)
            self.tokens.clear()
            return count

    # --- traffic control --------------------------------------------------------------------
    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (fault.method in (None, method)) and fault.path_contains in path:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    self.stats["faults"] += 1
                    return fault
            return None

    def spend_rate_budget(self, account: str) -> tuple[bool, int, float]:
        """Count one request in the account's 10-second window: (allowed, remaining, reset_at)."""
        with self.lock:
            now = time.time()
            window = self._windows.setdefault(account, RateWindow(started=now))
            if now - window.started >= RATE_WINDOW_SECONDS:
                window.started, window.used = now, 0
            reset_at = window.started + RATE_WINDOW_SECONDS
            if window.used >= self.rate_limit:
                self.stats["rate_limited"] += 1
                return False, 0, reset_at
            window.used += 1
            return True, self.rate_limit - window.used, reset_at
