"""SmartRecruiters: webhooks (Webhooks Subscription API) and the Customer API.

Sources: developers.smartrecruiters.com (activating webhook subscriptions, receiving webhook
notifications, rate limiting, pagination, candidatesall, messagessharescreate),
dev.smartrecruiters.com/customer-api/webhooks/ and the Candidate API endpoint pages under
dev.smartrecruiters.com/customer-api/candidate-api__trashed/endpoints/ ("candidates-attachments-list":
`GET /candidates/{id}/attachments` answers `{totalFound, content: [{id, name, type, contentType,
actions: {download: {url, method}}}]}`, types seen there: RESUME, AVATAR; "download" returns the file).
Activation: SmartRecruiters POSTs with `X-Hook-Secret`; we echo it with 200. Deliveries carry ids
only and are signed over `timestamp.body.event-id.event-name.event-version.link` (the Link value
with its angle brackets); the reply is 202 within 5 seconds. An application is a candidate on a
job, so the event's `job_id` is our application id.

Screening answers: SmartRecruiters' reference page "Get candidate screening answers for a
candidate's job" (developers.smartrecruiters.com/reference/candidatesscreening-answersget-1, path
parameters candidate id and job id) confirms the endpoint, that it "Returns an empty array when
there is no screening answers", that a UUID category marks a custom question, and how to render
answers (labels, ignored for single-field answers; repeatable records such as Languages). Answers
can arrive after `application.created`: the `application.screening-answers.created` and `.updated`
events re-read the candidate with the job's answers, and the applicant is re-screened when the
answers changed (answers are part of what identifies an applicant, store.applicants).

UNCONFIRMED in SmartRecruiters' own pages (searched, not found there):
- the literal path `/candidates/{id}/jobs/{jobId}/screening-answers` and its `{totalFound,
  content: [{id, type, category, name, label, records: [{fields: [{id, label, values: [{id,
  label}]}]}]}]}` answer: from a client generated from the Customer API spec
  (github.com/roksela/smartrecruiters-python-client, docs/CandidatesApi.md, ScreeningAnswer.md) and
  Fivetran's SmartRecruiters schema; a bare array answer is read too ("returns an empty array"),
  and a 404 is read as "no answers", never as a deleted candidate;
- the body of the screening-answers events (read like `application.created`: `candidate_id` and
  `job_id`, or `candidateId` and `jobId`; a body naming no candidate is a 422);
- the attachment type of a cover letter (we read COVER_LETTER; anything else but RESUME is not read);
- the tag endpoints: `POST /candidates/{id}/tags` adds, `GET`/`PUT /candidates/{id}/tags` read and
  replace (the same generated client lists them; third-party integrators list tag support). A tag
  is removed only when the read answers `{"tags": [<strings>]}`; any other shape writes nothing,
  since the PUT replaces every tag the candidate has;
- event names besides `application.created` (`candidate.updated`, `candidate.deleted` and the
  screening-answers events are listed by Knit, a third party); the meaning of
  `shareWith.openNote` on notes; `Retry-After` on 429 (we back off exponentially when it is
  missing); the replay window (none documented: we accept 5 minutes of clock difference).
- notes are not read back: a generated client of the Customer API lists `GET /messages?candidateId=`
  ("Fetch messages", ADMINISTRATOR role only) but the shape of its answer is not documented in our
  sources, so `find_note` answers None and a retried note write may post the note twice (logged).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, validates_schema

from connectors.base import (
    AccessProbe,
    AuthType,
    CandidatePage,
    Connector,
    ConnectorError,
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
from screening.models import Applicant, Attachment

log = logging.getLogger(__name__)

EVENT_HEADERS = ("event-id", "event-name", "event-version", "link")
_ATTACHMENT_KINDS = {"RESUME": "resume", "COVER_LETTER": "cover_letter"}
# Equal-opportunity and diversity questions are asked for reporting, not for hiring: never read.
_PROTECTED_CATEGORIES = frozenset(
    {
        "eeoInformation",
        "ofccpDisability",
        "ofccpVeteransForm",
        "veteranStatus",
        "disabilityStatus",
        "ofccpReasonableAccommodation",
        "ethnicity",
        "ethnicGroupsDescriptions",
    }
)


class _Ids(VendorSchema):
    candidate_id = IdField(load_default=None)
    candidateId = IdField(load_default=None)  # UNCONFIRMED spelling, read in case
    id = IdField(load_default=None)
    job_id = IdField(load_default=None)
    jobId = IdField(load_default=None)

    @validates_schema
    def _names_candidate(self, data: dict, **kwargs: Any) -> None:
        if not (data["candidate_id"] or data["candidateId"] or data["id"]):
            raise ValidationError("missing: the event names no candidate", "candidate_id")


class _Location(VendorSchema):
    city = optional_str()
    region = optional_str()
    country = optional_str()


class _Education(VendorSchema):
    institution = optional_str()


class _Experience(VendorSchema):
    company = optional_str()


class _JobRef(VendorSchema):
    id = IdField(load_default=None)


class _Assignment(VendorSchema):
    job = fields.Nested(_JobRef, load_default=None, allow_none=True)


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
    primaryAssignment = fields.Nested(_Assignment, load_default=None, allow_none=True)


class _Attachment(VendorSchema):
    id = IdField(required=True)
    name = optional_str()
    type = optional_str()
    contentType = optional_str()


class _Attachments(VendorSchema):
    content = optional_list(_Attachment)


class _AnswerValue(VendorSchema):
    id = optional_str()  # the value text or the option id, by question type
    label = optional_str()


class _AnswerField(VendorSchema):
    label = optional_str()
    values = optional_list(_AnswerValue)


class _AnswerRecord(VendorSchema):
    answer_fields = optional_list(_AnswerField, data_key="fields")


class _ScreeningAnswer(VendorSchema):
    category = optional_str()
    name = optional_str()
    label = optional_str()
    records = optional_list(_AnswerRecord)


class _ScreeningAnswers(VendorSchema):
    content = optional_list(_ScreeningAnswer)


class _Page(VendorSchema):
    content = fields.List(fields.Dict(), required=True)
    nextPageId = optional_str()


class _Tags(VendorSchema):
    tags = fields.List(fields.String(), required=True)


class SmartRecruiters(Connector):
    name = "smartrecruiters"
    display_name = "SmartRecruiters"
    api_base = "https://api.smartrecruiters.com"
    api_hosts = ("api.smartrecruiters.com",)
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
        # Answers given after the application: re-read and re-screen when they changed.
        "application.screening-answers.created": EventKind.CANDIDATE_UPDATED,  # UNCONFIRMED body
        "application.screening-answers.updated": EventKind.CANDIDATE_UPDATED,  # UNCONFIRMED body
        "application.status.updated": EventKind.IGNORED,
    }
    auth_type = AuthType.TOKEN_HEADER
    auth_header = "X-SmartToken"
    access_probe = AccessProbe("candidates", "candidates_read", params={"limit": 1})
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
    def replay_key(cls, raw_body: bytes, headers: Mapping[str, str]) -> str:
        """The whole signed material: the same body under another event or timestamp is another event."""
        timestamp = header(headers, "smartrecruiters-timestamp") or ""
        return "sha256:" + hashlib.sha256(_signed_material(raw_body, timestamp, headers)).hexdigest()

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
            event.candidate_id = ids["candidate_id"] or ids["candidateId"] or ids["id"]
            event.application_id = ids["job_id"] or ids["jobId"]  # the candidate on a job
        return event

    # ----- API ------------------------------------------------------------------------------

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        """The candidate, the screening answers for the job (`application_id`, else the primary
        assignment's) and the résumé and cover-letter text."""
        candidate = load_api(_Candidate, self.get_json(f"candidates/{candidate_id}"), "candidate")
        job_id = application_id or _primary_job_id(candidate)
        applicant = to_applicant(candidate, job_id)
        if job_id:
            applicant.answers = self._screening_answers(candidate_id, job_id)
        applicant.attachments = self._attachments(candidate_id)
        self.read_attachments(applicant)
        return applicant

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

    def _screening_answers(self, candidate_id: str, job_id: str) -> list[str]:
        try:
            answer = self.get_json(f"candidates/{candidate_id}/jobs/{job_id}/screening-answers")
        except ConnectorError as exc:
            if exc.reason != "not_found":
                raise
            # An unconfirmed endpoint: its 404 must not read as "candidate deleted" upstream.
            log.info("smartrecruiters.no_screening_answers candidate=%s job=%s", candidate_id, job_id)
            return []
        wrapped = {"content": answer} if isinstance(answer, list) else answer  # either documented shape
        content = load_api(_ScreeningAnswers, wrapped, "screening answers")["content"]
        return unique(_answer_text(a) for a in content if a["category"] not in _PROTECTED_CATEGORIES)

    def _attachments(self, candidate_id: str) -> list[Attachment]:
        """The candidate's files; each downloads from the documented `.../attachments/{id}`, on the
        API host (so with our token), which is also what the listing's `actions.download.url` says."""
        path = f"candidates/{candidate_id}/attachments"
        return [
            Attachment(
                filename=a["name"] or a["id"],
                content_type=a["contentType"],
                url=self.url(f"{path}/{a['id']}"),
                kind=_ATTACHMENT_KINDS.get(a["type"] or "", "other"),
            )
            for a in load_api(_Attachments, self.get_json(path), "attachments")["content"]
        ]

    def add_tag(self, candidate_id: str, tag: str) -> None:
        self.request("POST", f"candidates/{candidate_id}/tags", json_body={"tags": [tag]}, idempotent=True)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        # UNCONFIRMED shape: anything but {"tags": [strings]} is a bad_response and nothing is written.
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


def _signed_material(raw_body: bytes, timestamp: str, headers: Mapping[str, str]) -> bytes:
    """What the signature covers: the timestamp, the body and the event headers."""
    parts = [
        timestamp.encode(),
        raw_body,
        *((header(headers, name) or "").encode() for name in EVENT_HEADERS),
    ]
    return b".".join(parts)


def _digest(secret: str, raw_body: bytes, timestamp: str, headers: Mapping[str, str]) -> str:
    return hmac_sha256_hex(secret, _signed_material(raw_body, timestamp, headers))


def _primary_job_id(candidate: dict) -> str | None:
    assignment = candidate["primaryAssignment"]
    return assignment["job"]["id"] if assignment and assignment["job"] else None


def _record_text(record: dict) -> str:
    """One answer record; field labels only where a question has several fields (vendor advice)."""
    several = len(record["answer_fields"]) > 1
    parts = []
    for item in record["answer_fields"]:
        values = ", ".join(v["label"] or v["id"] for v in item["values"] if v["label"] or v["id"])
        if values:
            parts.append(f"{item['label']}: {values}" if several and item["label"] else values)
    return "; ".join(parts)


def _answer_text(answer: dict) -> str | None:
    """`question: record | record` (repeatable questions such as languages have several records)."""
    question = answer["label"] or answer["name"]
    records = [text for text in map(_record_text, answer["records"]) if text]
    return f"{question}: {' | '.join(records)}" if question and records else None


def to_applicant(candidate: dict, job_id: str | None = None) -> Applicant:
    """A validated SmartRecruiters candidate as our Applicant."""
    location = candidate["location"]
    place = ", ".join(p for p in (location or {}).values() if p) or None
    source = {"platform": "smartrecruiters", "candidate_id": candidate["id"]}
    if job_id:
        source["job_id"] = job_id
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
        source=source,
    )
