"""Greenhouse Recruiting: webhooks and the Harvest v1 API.

Sources: github.com/grnhse/greenhouse-api-docs, source/includes/webhooks/*.md and
source/includes/harvest/*.md (the docs behind developers.greenhouse.io).
Unconfirmed (UNCONFIRMED in Greenhouse's docs): the ping payload's shape (we accept
`{"action": "ping", ...}` and treat any unknown action as ignorable, so a ping is answered 200
whatever it looks like); whether re-PUTting an already-applied tag is a no-op; the webhook timeout.
Notes are read back with `GET /v1/candidates/{id}/activity_feed` (its `notes` array, each with
`body`; source: harvest/_activity_feed.md in the same docs); the docs show no pagination for it.
Harvest v1/v2 are being replaced by v3 (OAuth); this connector speaks v1 with a Basic API key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from marshmallow import fields

from connectors.base import (
    AccessProbe,
    ActingUser,
    AuthType,
    CandidatePage,
    Connector,
    ConnectorAbort,
    ConnectorError,
    EventKind,
    SettingField,
    WebhookEvent,
    response_json,
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


class _Value(VendorSchema):
    value = fields.String(required=True)
    type = optional_str()


class _CustomField(VendorSchema):
    name = optional_str()
    value = fields.Raw(load_default=None, allow_none=True)


class _Education(VendorSchema):
    school_name = optional_str()
    degree = optional_str()
    discipline = optional_str()


class _Employment(VendorSchema):
    company_name = optional_str()
    title = optional_str()


class _Attachment(VendorSchema):
    filename = fields.String(required=True)
    url = optional_str()
    type = optional_str()


class _Candidate(VendorSchema):
    id = IdField(required=True)
    first_name = optional_str()
    last_name = optional_str()
    company = optional_str()
    phone_numbers = optional_list(_Value)
    email_addresses = optional_list(_Value)
    addresses = optional_list(_Value)
    website_addresses = optional_list(_Value)
    social_media_addresses = optional_list(_Value)
    educations = optional_list(_Education)
    employments = optional_list(_Employment)
    attachments = optional_list(_Attachment)
    custom_fields = fields.Dict(keys=fields.String(), values=fields.Nested(_CustomField), load_default=dict)


class _Answer(VendorSchema):
    question = optional_str()
    answer = optional_str()


class _Application(VendorSchema):
    id = IdField(required=True)
    candidate = fields.Nested(_Candidate, required=True)
    custom_fields = fields.Dict(keys=fields.String(), values=fields.Nested(_CustomField), load_default=dict)
    answers = optional_list(_Answer)  # only on GET /v1/applications/{id}, never in the webhook


class _ApplicationPayload(VendorSchema):
    application = fields.Nested(_Application, required=True)


class _CandidatePayload(VendorSchema):
    candidate = fields.Nested(_Candidate, required=True)


class _Person(VendorSchema):
    id = IdField(required=True)


class _PersonPayload(VendorSchema):
    person = fields.Nested(_Person, required=True)


class _MergedPerson(_Person):
    new_candidate_id = IdField(required=True)  # the surviving candidate


class _MergePayload(VendorSchema):
    person = fields.Nested(_MergedPerson, required=True)


class _AppliedTag(VendorSchema):
    id = IdField(required=True)
    name = fields.String(required=True)


class _AnonymizedPayload(VendorSchema):
    candidate_id = IdField(required=True)


class _Envelope(VendorSchema):
    action = fields.String(required=True)
    payload = fields.Dict(load_default=dict)


class _FeedNote(VendorSchema):
    body = optional_str()


class _ActivityFeed(VendorSchema):
    """GET /v1/candidates/{id}/activity_feed; its `emails` and `activities` are not read."""

    notes = optional_list(_FeedNote)


class _ApplicationOnly(VendorSchema):
    """GET /v1/applications/{id}: the answers to application questions."""

    id = IdField(required=True)
    answers = optional_list(_Answer)


class Greenhouse(Connector):
    name = "greenhouse"
    display_name = "Greenhouse"
    api_base = "https://harvest.greenhouse.io/v1"
    # Harvest and its OAuth token endpoint; no regional Harvest host is documented (UNCONFIRMED:
    # an EU one is refused until an operator allows it with HIREWATCH_ALLOW_API_URLS).
    api_hosts = ("harvest.greenhouse.io", "auth.greenhouse.io")
    event_header = None  # the event name is the body's `action`
    signature_header = "Signature"
    signature_scheme = "hmac-sha256-hex over the raw body; header 'Signature: sha256 <hex>'"
    success_status = 200
    dedupe_source = "header Greenhouse-Event-ID"
    anonymise_events = frozenset({"candidate_anonymized"})  # the candidate stays, anonymised
    events: ClassVar[Mapping[str, EventKind]] = {
        "new_candidate_application": EventKind.APPLICATION_CREATED,
        "new_prospect_application": EventKind.APPLICATION_CREATED,
        "update_candidate": EventKind.CANDIDATE_UPDATED,
        "merge_candidate": EventKind.CANDIDATE_MERGED,
        "delete_candidate": EventKind.CANDIDATE_DELETED,
        "candidate_anonymized": EventKind.CANDIDATE_DELETED,
        "ping": EventKind.PING,  # UNCONFIRMED: the ping's action name is not in Greenhouse's docs
        "application_updated": EventKind.IGNORED,
        "candidate_stage_change": EventKind.IGNORED,
        "delete_application": EventKind.IGNORED,
        "hire_candidate": EventKind.IGNORED,
        "reject_candidate": EventKind.IGNORED,
        "unreject_candidate": EventKind.IGNORED,
        "unhire_candidate": EventKind.IGNORED,
    }
    auth_type = AuthType.BASIC_API_KEY
    access_probe = AccessProbe(
        "candidates", "Harvest: GET List Candidates", params={"per_page": 1, "skip_count": "true"}
    )
    required_permissions = (
        "Harvest: GET List Candidates",
        "Harvest: GET Retrieve Candidate",
        "Harvest: GET Retrieve Application",
        "Harvest: GET List Candidate Tags",
        "Harvest: POST Add Candidate Tag (org tag)",
        "Harvest: PUT Add a candidate tag",
        "Harvest: DELETE Remove tag from candidate",
        "Harvest: POST Add Note",
        "Harvest: GET Retrieve Activity Feed",
    )
    acting_user = ActingUser(
        location="header",
        name="On-Behalf-Of",
        required=True,
        description="a Greenhouse user id (numeric) in the On-Behalf-Of header",
    )
    settings_fields = (
        SettingField(
            id="note_visibility",
            type="select",
            label="Note visibility",
            default="public",
            choices=("public", "private", "admin_only"),
            description="Who sees HireWatch notes in Greenhouse (admin_only: admins and the acting user).",
        ),
    )
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    page_size = 100  # per_page may go to 500; 100 keeps one page's work small

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        algorithm, _, digest = (header(headers, cls.signature_header) or "").strip().partition(" ")
        if algorithm.lower() != "sha256":
            return False
        return same_digest(hmac_sha256_hex(secret, raw_body), digest)

    @classmethod
    def sign(cls, secret: str, raw_body: bytes, *, event_id: str | None = None) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Signature": f"sha256 {hmac_sha256_hex(secret, raw_body)}",
            "Greenhouse-Event-ID": event_id or str(uuid.uuid4()),
        }

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        envelope = load(_Envelope, decode_json(raw_body))
        action = envelope["action"]
        event = WebhookEvent(
            kind=cls.event_kind(action), event_type=action, dedupe_key=header(headers, "Greenhouse-Event-ID")
        )
        _fill_event(event, envelope["payload"])
        return event

    # ----- API ------------------------------------------------------------------------------

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        candidate = load_api(_Candidate, self.get_json(f"candidates/{candidate_id}"), "candidate")
        answers: list[dict] = []
        if application_id:
            application = load_api(
                _ApplicationOnly, self.get_json(f"applications/{application_id}"), "application"
            )
            answers = application["answers"]
        applicant = to_applicant(candidate, application_id=application_id, answers=answers)
        self.read_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /v1/candidates; the cursor is the Link rel="next" URL, followed verbatim."""
        url = cursor or self.url("candidates")
        params: dict[str, Any] | None = None if cursor else {"per_page": self.page_size, "skip_count": "true"}
        while url:
            response = self.request("GET", url, params=params)
            rows = response_json(response, self.display_name)
            if not isinstance(rows, list):
                raise ConnectorError("bad_response", "Greenhouse candidate list is not a JSON array")
            applicants = [to_applicant(load_api(_Candidate, row, "candidate")) for row in rows]
            url = response.links.get("next", {}).get("url")
            params = None  # the next URL carries its own query
            yield CandidatePage(applicants=applicants, next_cursor=url)

    def add_tag(self, candidate_id: str, tag: str) -> None:
        tag_id = self._org_tag_id(tag)
        self.request("PUT", f"candidates/{candidate_id}/tags/{tag_id}", acting=True)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        """Remove by name if the candidate carries it; a tag that is not there is not an error."""
        applied = self.get_json(f"candidates/{candidate_id}/tags")
        if not isinstance(applied, list):
            raise ConnectorError("bad_response", "Greenhouse candidate tags are not a JSON array")
        for existing in (load_api(_AppliedTag, row, "tag") for row in applied):
            if existing["name"].casefold() == tag.casefold():
                self.request("DELETE", f"candidates/{candidate_id}/tags/{existing['id']}", acting=True)

    def add_note(self, candidate_id: str, text: str) -> None:
        user_id = self.acting_user_id()
        if not (user_id and user_id.isdigit()):
            raise ConnectorAbort("acting_user_invalid", "Greenhouse On-Behalf-Of must be a numeric user id")
        body = {
            "user_id": int(user_id),
            "body": text,
            "visibility": self.setting("note_visibility"),
        }
        self.request("POST", f"candidates/{candidate_id}/activity_feed/notes", json_body=body, acting=True)

    def note_texts(self, candidate_id: str) -> Iterable[str]:
        feed = self.get_json(f"candidates/{candidate_id}/activity_feed")
        return (note["body"] or "" for note in load_api(_ActivityFeed, feed, "activity_feed")["notes"])

    def _org_tag_id(self, tag: str) -> str:
        """POST /v1/tags/candidate is get-or-create by name (200 existing, 201 created)."""
        created = self.post_json("tags/candidate", {"name": tag}, acting=True, idempotent=True)
        if not isinstance(created, dict) or "id" not in created:
            raise ConnectorError("bad_response", "Greenhouse tags/candidate answered without an id")
        return str(created["id"])


def _fill_event(event: WebhookEvent, payload: dict) -> None:
    """Read the ids (and the candidate, when sent) the event's kind needs from `payload`."""
    if event.kind is EventKind.APPLICATION_CREATED:
        application = load(_ApplicationPayload, payload, "payload")["application"]
        event.application_id = application["id"]
        event.candidate_id = application["candidate"]["id"]
        event.applicant = to_applicant(
            application["candidate"],
            application_id=application["id"],
            application_fields=application["custom_fields"],
        )
    elif event.kind is EventKind.CANDIDATE_UPDATED:
        candidate = load(_CandidatePayload, payload, "payload")["candidate"]
        event.candidate_id = candidate["id"]
        event.applicant = to_applicant(candidate)
    elif event.kind is EventKind.CANDIDATE_MERGED:
        person = load(_MergePayload, payload, "payload")["person"]
        event.merged_from = person["id"]
        event.candidate_id = person["new_candidate_id"]
    elif event.kind is EventKind.CANDIDATE_DELETED and event.event_type == "candidate_anonymized":
        event.candidate_id = load(_AnonymizedPayload, payload, "payload")["candidate_id"]
    elif event.kind is EventKind.CANDIDATE_DELETED:
        event.candidate_id = load(_PersonPayload, payload, "payload")["person"]["id"]


_ATTACHMENT_KINDS = {"resume": "resume", "cover_letter": "cover_letter"}


def to_applicant(
    candidate: dict,
    *,
    application_id: str | None = None,
    application_fields: Mapping[str, dict] | None = None,
    answers: list[dict] | None = None,
) -> Applicant:
    """A validated Greenhouse candidate (webhook or Harvest shape) as our Applicant."""
    custom = [*candidate["custom_fields"].values(), *(application_fields or {}).values()]
    source = {"platform": "greenhouse", "candidate_id": candidate["id"]}
    if application_id:
        source["application_id"] = application_id
    return Applicant(
        id=candidate["id"],
        first_name=candidate["first_name"],
        last_name=candidate["last_name"],
        emails=unique(v["value"] for v in candidate["email_addresses"]),
        phones=unique(v["value"] for v in candidate["phone_numbers"]),
        addresses=unique(v["value"] for v in candidate["addresses"]),
        urls=unique(
            v["value"] for v in [*candidate["website_addresses"], *candidate["social_media_addresses"]]
        ),
        employers=unique([candidate["company"], *(e["company_name"] for e in candidate["employments"])]),
        education=unique(e["school_name"] for e in candidate["educations"]),
        answers=unique(
            [
                *(f"{f['name']}: {f['value']}" for f in custom if f["value"] not in (None, "", [])),
                *(f"{a['question']}: {a['answer']}" for a in answers or [] if a["answer"]),
            ]
        ),
        attachments=[
            Attachment(
                filename=a["filename"], url=a["url"], kind=_ATTACHMENT_KINDS.get(a["type"] or "", "other")
            )
            for a in candidate["attachments"]
        ],
        source=source,
    )
