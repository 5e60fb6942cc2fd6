"""The sandbox ATS's in-memory state: candidates, tags, notes, the rate-limit window, faults."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_RATE_LIMIT = 50  # requests per 10 seconds, Greenhouse's documented example
RATE_WINDOW_SECONDS = 10.0
FIRST_CANDIDATE_ID = 100_001


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
    api_key: str = "sandbox-key"
    rate_limit: int = DEFAULT_RATE_LIMIT
    candidates: dict[int, dict] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)  # org tag id -> name
    candidate_tags: dict[int, set[int]] = field(default_factory=dict)
    notes: dict[int, list[dict]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=lambda: {"requests": 0, "rate_limited": 0, "faults": 0})
    _windows: dict[str, RateWindow] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(FIRST_CANDIDATE_ID))
    _other_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- candidates -------------------------------------------------------------------------
    def add_candidate(self, fields: dict) -> dict:
        """Store a candidate given Greenhouse-shaped fields; ids and timestamps are assigned here."""
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
                "custom_fields": {},
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
            self.candidate_tags.pop(candidate_id, None)
            self.notes.pop(candidate_id, None)
            return candidate

    def render_candidate(self, candidate_id: int) -> dict:
        """The candidate as Harvest returns it: tags as names, applications by id."""
        with self.lock:
            candidate = dict(self.candidates[candidate_id])
            candidate["tags"] = sorted(self.tags[t] for t in self.candidate_tags.get(candidate_id, ()))
            candidate["applications"] = [
                {"id": app_id, "candidate_id": candidate_id, "status": "active", "answers": []}
                for app_id in candidate["application_ids"]
            ]
            return candidate

    def page_of_candidates(self, page: int, per_page: int) -> tuple[list[dict], int]:
        """One page (1-based) in id order, and the number of pages."""
        with self.lock:
            ids = sorted(self.candidates)
            start = (page - 1) * per_page
            rows = [self.render_candidate(i) for i in ids[start : start + per_page]]
            return rows, max(1, -(-len(ids) // per_page))

    # --- tags and notes ---------------------------------------------------------------------
    def get_or_create_tag(self, name: str) -> tuple[dict, bool]:
        with self.lock:
            for tag_id, existing in self.tags.items():
                if existing.lower() == name.lower():
                    return {"id": tag_id, "name": existing}, False
            tag_id = next(self._other_ids)
            self.tags[tag_id] = name
            return {"id": tag_id, "name": name}, True

    def apply_tag(self, candidate_id: int, tag_id: int) -> None:
        with self.lock:
            self.candidate_tags.setdefault(candidate_id, set()).add(tag_id)

    def remove_tag(self, candidate_id: int, tag_id: int) -> None:
        with self.lock:
            self.candidate_tags.get(candidate_id, set()).discard(tag_id)

    def add_note(self, candidate_id: int, user_id: int, body: str, visibility: str) -> dict:
        with self.lock:
            note = {
                "id": next(self._other_ids),
                "created_at": _now_iso(),
                "body": body,
                "user": {"id": user_id, "name": "Sandbox User"},
                "visibility": visibility,
                "visiblity": visibility,  # the vendor's legacy misspelling, echoed as Harvest does
            }
            self.notes.setdefault(candidate_id, []).append(note)
            return note

    def activity_feed(self, candidate_id: int) -> dict:
        """Harvest's activity feed; the sandbox keeps notes only."""
        with self.lock:
            return {"notes": list(self.notes.get(candidate_id, [])), "emails": [], "activities": []}

    def writebacks(self, candidate_id: int) -> dict:
        """What HireWatch wrote on one candidate: tag names and notes."""
        with self.lock:
            return {
                "candidate_id": candidate_id,
                "tags": sorted(self.tags[t] for t in self.candidate_tags.get(candidate_id, ())),
                "notes": list(self.notes.get(candidate_id, [])),
            }

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
