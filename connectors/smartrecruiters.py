"""SmartRecruiters: webhooks (Webhooks Subscription API) and the Customer API.

Sources: developers.smartrecruiters.com (activating webhook subscriptions, receiving webhook
notifications, rate limiting, pagination, candidatesall, messagessharescreate) and
dev.smartrecruiters.com/customer-api/webhooks/.
Activation: SmartRecruiters POSTs with `X-Hook-Secret`; we echo it with 200. Deliveries carry ids
only and are signed over `timestamp.body.event-id.event-name.event-version.link` (the Link value
with its angle brackets); the reply is 202 within 5 seconds.

UNCONFIRMED in SmartRecruiters' docs: the tag endpoints (we use `POST /candidates/{id}/tags` to add
and `GET`/`PUT /candidates/{id}/tags` to remove; third-party integrators list tag support);
event names besides `application.created` (`candidate.updated` and `candidate.deleted` are
assumed); the meaning of `shareWith.openNote` on notes; `Retry-After` on 429 (we back off
exponentially when it is missing); the replay window (none documented: we accept 5 minutes of
clock difference). Résumé attachments are not fetched (endpoint unconfirmed). Notes are not read
back: a generated client of the Customer API lists `GET /messages?candidateId=` ("Fetch
messages", ADMINISTRATOR role only) but the shape of its answer is not documented in our sources,
so `find_note` answers None and a retried note write may post the note twice (logged).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, validates_schema

from connectors.base import (
    AuthType,
    CandidatePage,
    Connector,
    EventKind,
    PayloadError,
    SettingField,
    WebhookEvent,
)
from connectors.payload import (
    IdField,
    VendorSchema,
    decode_json,
    header,
    hmac_sha256_hex,
    load,
    load_api,
    optional_list,
    optional_str,
    same_digest,
    unique,
)
from screening.models import Applicant

EVENT_HEADERS = ("event-id", "event-name", "event-version", "link")


class _Ids(VendorSchema):
    candidate_id = IdField(load_default=None)
    id = IdField(load_default=None)
    job_id = IdField(load_default=None)

    @validates_schema
    def _names_candidate(self, data: dict, **kwargs: Any) -> None:
        if not (data["candidate_id"] or data["id"]):
            raise ValidationError("missing: the event names no candidate", "candidate_id")


class _Location(VendorSchema):
    city = optional_str()
    region = optional_str()
    country = optional_str()


class _Education(VendorSchema):
    institution = optional_str()


class _Experience(VendorSchema):
    company = optional_str()


class _Candidate(VendorSchema):
    id = IdField(required=True)
    firstName = optional_str()
    lastName = optional_str()
    email = optional_str()
    phoneNumber = optional_str()
    location = fields.Nested(_Location, load_default=None, allow_none=True)
    web = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), load_default=dict)
    education = optional_list(_Education)
    experience = optional_list(_Experience)


class _Page(VendorSchema):
    content = fields.List(fields.Dict(), required=True)
    nextPageId = optional_str()


class _Tags(VendorSchema):
    tags = fields.List(fields.String(), load_default=list)


class SmartRecruiters(Connector):
    name = "smartrecruiters"
    display_name = "SmartRecruiters"
    api_base = "https://api.smartrecruiters.com"
    event_header = "event-name"
    signature_header = "smartrecruiters-signature"
    signature_scheme = (
        "hmac-sha256-hex over 'timestamp.body.event-id.event-name.event-version.link'; "
        "header 'smartrecruiters-signature: v1=<hex>[;v1=<hex>]', timestamp in smartrecruiters-timestamp"
    )
    success_status = 202
    handshake_kind = "x-hook-secret-echo"
    handshake_status = 200
    dedupe_source = "header event-id"
    replay_window = 300.0
    events: ClassVar[Mapping[str, EventKind]] = {
        "application.created": EventKind.APPLICATION_CREATED,
        "candidate.updated": EventKind.CANDIDATE_UPDATED,  # UNCONFIRMED event name
        "candidate.deleted": EventKind.CANDIDATE_DELETED,  # UNCONFIRMED event name
        "application.status.updated": EventKind.IGNORED,
    }
    auth_type = AuthType.TOKEN_HEADER
    auth_header = "X-SmartToken"
    required_permissions = ("candidates_read", "candidates_manage", "messages_write", "webhooks_manage")
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", None)
    settings_fields = (
        SettingField(
            id="note_share_with",
            type="json",
            label="Note sharing",
            default={"openNote": True},
            description="The Messages API shareWith object for HireWatch notes "
            "(users, hiringTeamOf, everyone, openNote).",
        ),
    )
    page_size = 100

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def handshake(cls, headers: Mapping[str, str]) -> dict[str, str] | None:
        secret = header(headers, "X-Hook-Secret")
        return {"X-Hook-Secret": secret} if secret else None

    @classmethod
    def verify(
        cls, secret: str, raw_body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> bool:
        timestamp = header(headers, "smartrecruiters-timestamp") or ""
        if not timestamp.isdigit():
            return False
        if abs((now if now is not None else time.time()) - int(timestamp)) > cls.replay_window:
            return False
        expected = _digest(secret, raw_body, timestamp, headers)
        offered = re.split(r"[;,\s]+", header(headers, cls.signature_header) or "")
        return any(
            version == "v1" and same_digest(expected, digest)
            for version, _, digest in (part.partition("=") for part in offered)
        )

    @classmethod
    def sign(
        cls,
        secret: str,
        raw_body: bytes,
        *,
        event_name: str = "application.created",
        event_version: str = "v201910",
        event_id: str | None = None,
        link: str | None = None,
        timestamp: int | None = None,
    ) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "event-id": event_id or str(uuid.uuid4()),
            "event-name": event_name,
            "event-version": event_version,
            "link": link or "<https://api.smartrecruiters.com/webhooks-api/v201907/events>; rel=self",
            "smartrecruiters-timestamp": str(timestamp if timestamp is not None else int(time.time())),
        }
        digest = _digest(secret, raw_body, headers["smartrecruiters-timestamp"], headers)
        return {**headers, "smartrecruiters-signature": f"v1={digest}"}

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        event_name = header(headers, "event-name")
        if not event_name:
            raise PayloadError(422, "event-name (header): missing")
        body = decode_json(raw_body)
        event = WebhookEvent(
            kind=cls.event_kind(event_name), event_type=event_name, dedupe_key=header(headers, "event-id")
        )
        if event.kind in (
            EventKind.APPLICATION_CREATED,
            EventKind.CANDIDATE_UPDATED,
            EventKind.CANDIDATE_DELETED,
        ):
            ids = load(_Ids, body)
            event.candidate_id = ids["candidate_id"] or ids["id"]
        return event

    # ----- API ------------------------------------------------------------------------------

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        return to_applicant(load_api(_Candidate, self.get_json(f"candidates/{candidate_id}"), "candidate"))

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /candidates (one request at a time: its concurrency limit is 1)."""
        page_id = cursor
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if page_id:
                params["pageId"] = page_id
            page = load_api(_Page, self.get_json("candidates", params=params), "candidates")
            applicants = [to_applicant(load_api(_Candidate, row, "candidate")) for row in page["content"]]
            # An empty page ends the walk even if a nextPageId is sent.
            page_id = page["nextPageId"] if page["content"] else None
            yield CandidatePage(applicants=applicants, next_cursor=page_id)
            if not page_id:
                return

    def add_tag(self, candidate_id: str, tag: str) -> None:
        self.request("POST", f"candidates/{candidate_id}/tags", json_body={"tags": [tag]}, idempotent=True)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        current = load_api(_Tags, self.get_json(f"candidates/{candidate_id}/tags"), "tags")["tags"]
        kept = [t for t in current if t.casefold() != tag.casefold()]
        if kept != current:
            self.request("PUT", f"candidates/{candidate_id}/tags", json_body={"tags": kept})

    def add_note(self, candidate_id: str, text: str) -> None:
        body = {
            "content": f"#[CANDIDATE:{candidate_id}] {text}",
            "shareWith": self.setting("note_share_with"),
        }
        self.request("POST", "messages/shares", json_body=body)


def _digest(secret: str, raw_body: bytes, timestamp: str, headers: Mapping[str, str]) -> str:
    parts = [
        timestamp.encode(),
        raw_body,
        *((header(headers, name) or "").encode() for name in EVENT_HEADERS),
    ]
    return hmac_sha256_hex(secret, b".".join(parts))


def to_applicant(candidate: dict) -> Applicant:
    """A validated SmartRecruiters candidate as our Applicant."""
    location = candidate["location"]
    place = ", ".join(p for p in (location or {}).values() if p) or None
    return Applicant(
        id=candidate["id"],
        first_name=candidate["firstName"],
        last_name=candidate["lastName"],
        emails=unique([candidate["email"]]),
        phones=unique([candidate["phoneNumber"]]),
        location=place,
        urls=unique(v for k, v in candidate["web"].items() if k != "skype"),
        employers=unique(e["company"] for e in candidate["experience"]),
        education=unique(e["institution"] for e in candidate["education"]),
        source={"platform": "smartrecruiters", "candidate_id": candidate["id"]},
    )
