"""Greenhouse Recruiting: webhooks and the Harvest v3 API (OAuth client credentials).

Every fact this module relies on, with its source or UNCONFIRMED, is in connectors/README.md.
In short:
- Token: `POST https://auth.greenhouse.io/token`, HTTP Basic client id:secret, form body
  `grant_type=client_credentials&sub=<Greenhouse user id>`; calls carry `Authorization: Bearer`
  (https://harvestdocs.greenhouse.io/docs/authentication). The acting user is the token's `sub`:
  no On-Behalf-Of header is sent. UNCONFIRMED: the token answer's expiry field; connectors.base
  reads `expires_in`, `expires_at` or the JWT's `exp` and otherwise assumes a short lifetime.
- Paging: first request with `per_page`, then the `Link rel="next"` URL verbatim, the cursor its
  only query parameter (https://harvestdocs.greenhouse.io/docs/pagination).
- Notes are read with `GET /v3/notes` (the v1 activity feed's replacement,
  https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions).
- UNCONFIRMED (from the issue's review of the v3 reference pages and third-party clients, not
  read in Greenhouse's pages here): `GET /v3/candidates?ids=`, `GET /v3/applications?ids=`,
  `GET /v3/candidate_employments?candidate_ids=`, `/v3/candidate_tags`,
  `/v3/applied_candidate_tags` rows `{id, candidate_id, candidate_tag_id}`, `POST /v3/notes`
  body `{candidate_id, body, visibility}`, and that a v3 candidate row keeps the v1 object's
  fields. Fail-safe: every field is optional, an answer of another shape is `bad_response`
  (retried, never guessed at), a tag row without `candidate_tag_id` is never deleted, and no
  query parameter is sent that the list above does not name.
- Webhooks are unchanged by v3; their `custom_fields` are `{name, type, value}` objects, while the
  Harvest candidate's `custom_fields` hold raw values and `keyed_custom_fields` the objects
  (github.com/grnhse/greenhouse-api-docs, source/includes/webhooks/_application_events.md and
  source/includes/harvest/_candidates.md).
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
    ConnectorError,
    EventKind,
    Installation,
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
    """A `{name, type, value}` object: webhook `custom_fields`, Harvest `keyed_custom_fields`."""

    name = optional_str()
    value = fields.Raw(load_default=None, allow_none=True)


def _custom_field_objects() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Nested(_CustomField), load_default=dict)


class _Education(VendorSchema):
    school_name = optional_str()


class _Employment(VendorSchema):
    company_name = optional_str()


class _Attachment(VendorSchema):
    filename = fields.String(required=True)
    url = optional_str()
    type = optional_str()


class _Person(VendorSchema):
    """The candidate fields both shapes share."""

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


class _WebhookCandidate(_Person):
    custom_fields = _custom_field_objects()


class _HarvestCandidate(_Person):
    """A Harvest candidate row: raw values in `custom_fields`, the objects in `keyed_custom_fields`."""

    custom_fields = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict)
    keyed_custom_fields = _custom_field_objects()


class _Answer(VendorSchema):
    question = optional_str()
    answer = optional_str()


class _WebhookApplication(VendorSchema):
    id = IdField(required=True)
    candidate = fields.Nested(_WebhookCandidate, required=True)
    custom_fields = _custom_field_objects()


class _ApplicationPayload(VendorSchema):
    application = fields.Nested(_WebhookApplication, required=True)


class _CandidatePayload(VendorSchema):
    candidate = fields.Nested(_WebhookCandidate, required=True)


class _PersonId(VendorSchema):
    id = IdField(required=True)


class _PersonPayload(VendorSchema):
    person = fields.Nested(_PersonId, required=True)


class _MergedPerson(_PersonId):
    new_candidate_id = IdField(required=True)  # the surviving candidate


class _MergePayload(VendorSchema):
    person = fields.Nested(_MergedPerson, required=True)


class _AnonymizedPayload(VendorSchema):
    candidate_id = IdField(required=True)


class _Envelope(VendorSchema):
    action = fields.String(required=True)
    payload = fields.Dict(load_default=dict)


class _HarvestApplication(VendorSchema):
    id = IdField(required=True)
    answers = optional_list(_Answer)


class _OrgTag(VendorSchema):
    id = IdField(required=True)
    name = fields.String(required=True)


class _AppliedTag(VendorSchema):
    id = IdField(required=True)
    candidate_tag_id = IdField(required=True)  # UNCONFIRMED name: without it we never delete


class _Note(VendorSchema):
    body = optional_str()


class Greenhouse(Connector):
    name = "greenhouse"
    display_name = "Greenhouse"
    api_base = "https://harvest.greenhouse.io/v3"
    token_url = "https://auth.greenhouse.io/token"
    credentials_label = "Harvest v3 credentials"
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
    auth_type = AuthType.OAUTH_CLIENT_CREDENTIALS
    access_probe = AccessProbe("candidates", "harvest:candidates:list", params={"per_page": 1})
    # Scopes are `harvest:<resource>:<action>` (https://harvestdocs.greenhouse.io/docs/harvest-partner-oauth);
    # the resource names below follow the endpoints used (UNCONFIRMED one by one).
    required_permissions = (
        "harvest:candidates:list",
        "harvest:applications:list",
        "harvest:candidate_employments:list",
        "harvest:candidate_tags:list",
        "harvest:candidate_tags:create",
        "harvest:applied_candidate_tags:list",
        "harvest:applied_candidate_tags:create",
        "harvest:applied_candidate_tags:delete",
        "harvest:notes:list",
        "harvest:notes:create",
    )
    acting_user = ActingUser(
        location="token",
        name="sub",
        required=True,
        description="a Greenhouse user id (numeric): the token is issued for this user (its sub)",
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
    # UNCONFIRMED for v3 (documented for v1): the limit headers; the limiter falls back to its budget.
    rate_limit_headers = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    page_size = 100

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

    # ----- credentials ------------------------------------------------------------------------

    @classmethod
    def credentials_problem(cls, installation: Installation) -> str | None:
        """A v1 installation (API key only) or one without the numeric user the token is for."""
        user = installation.on_behalf_of or ""
        missing = super().credentials_problem(installation)
        if missing or not user.isdigit():
            return f"needs {cls.credentials_label}"  # the fix command names client id, secret and user
        return None

    def token_form(self) -> dict[str, str]:
        return {"grant_type": "client_credentials", "sub": self.installation.on_behalf_of or ""}

    # ----- API ------------------------------------------------------------------------------

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        """v3 has no get-by-id: the candidate is the row of `GET /v3/candidates?ids=`."""
        candidate = self._one("candidates", candidate_id, _HarvestCandidate)
        employments = [
            load_api(_Employment, row, "candidate_employment")
            for row in self._rows("candidate_employments", {"candidate_ids": candidate_id})
        ]
        answers: list[dict] = []
        if application_id:
            answers = self._one("applications", application_id, _HarvestApplication)["answers"]
        applicant = to_applicant(
            candidate,
            _harvest_custom_fields(candidate),
            application_id=application_id,
            answers=answers,
            more_employers=[e["company_name"] for e in employments],
        )
        self.read_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /v3/candidates; the cursor is the Link rel="next" URL, followed verbatim."""
        for rows, next_url in self._pages("candidates", {"per_page": self.page_size}, cursor):
            applicants = []
            for row in rows:
                candidate = load_api(_HarvestCandidate, row, "candidate")
                applicants.append(to_applicant(candidate, _harvest_custom_fields(candidate)))
            yield CandidatePage(applicants=applicants, next_cursor=next_url)

    def add_tag(self, candidate_id: str, tag: str) -> None:
        """Apply the organisation tag (created when missing) unless the candidate has it already."""
        tag_id = self._org_tag_ids(tag)[:1] or [self._create_org_tag(tag)]
        if any(row["candidate_tag_id"] == tag_id[0] for row in self._applied_tags(candidate_id)):
            return
        body = {"candidate_id": _numeric(candidate_id), "candidate_tag_id": _numeric(tag_id[0])}
        self.post_json("applied_candidate_tags", body)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        """Delete the candidate's applied rows of the tag; a tag that is not there is not an error."""
        tag_ids = set(self._org_tag_ids(tag))
        for row in self._applied_tags(candidate_id):
            if row["candidate_tag_id"] in tag_ids:
                self.request("DELETE", f"applied_candidate_tags/{row['id']}")

    def add_note(self, candidate_id: str, text: str) -> None:
        """The note is written as the token's user (`sub`)."""
        body = {
            "candidate_id": _numeric(candidate_id),
            "body": text,
            "visibility": self.setting("note_visibility"),
        }
        self.post_json("notes", body)

    def note_texts(self, candidate_id: str) -> Iterable[str]:
        for row in self._rows("notes", {"candidate_ids": candidate_id}):
            yield load_api(_Note, row, "note")["body"] or ""

    def _look_up_candidate(self, candidate_id: str) -> None:
        """v3 has no GET by id: an `ids` filter answering no row is the candidate's absence."""
        self._one("candidates", candidate_id, _HarvestCandidate)

    # ----- v3 helpers -----------------------------------------------------------------------

    def _pages(
        self, path: str, first_params: dict[str, Any], cursor: str | None = None
    ) -> Iterator[tuple[list, str | None]]:
        """(rows, next URL) per page: filters and per_page on the first request only, then the
        Link rel="next" URL exactly as given (its cursor must be the only query parameter)."""
        url: str | None = cursor or self.url(path)
        params: dict[str, Any] | None = None if cursor else first_params
        while url:
            response = self.request("GET", url, params=params)
            rows = response_json(response, self.display_name)
            if not isinstance(rows, list):
                raise ConnectorError("bad_response", f"Greenhouse {path} answer is not a JSON array")
            url = response.links.get("next", {}).get("url")
            params = None
            yield rows, url

    def _rows(self, path: str, filters: dict[str, Any]) -> Iterator[dict]:
        for rows, _next in self._pages(path, filters):
            yield from rows

    def _one(self, path: str, record_id: str, schema: type[VendorSchema]) -> dict:
        """The record with this id, read through the `ids` filter (v3 has no GET by id)."""
        for row in self._rows(path, {"ids": record_id}):
            record = load_api(schema, row, path.rstrip("s"))
            if record["id"] == str(record_id):
                return record
        raise ConnectorError("not_found", f"Greenhouse has no {path.rstrip('s')} {record_id}")

    def _org_tag_ids(self, tag: str) -> list[str]:
        """Ids of the organisation's candidate tags named `tag` (case-insensitive)."""
        wanted = tag.casefold()
        tags = (load_api(_OrgTag, row, "candidate_tag") for row in self._rows("candidate_tags", {}))
        return [t["id"] for t in tags if t["name"].casefold() == wanted]

    def _create_org_tag(self, tag: str) -> str:
        created = self.post_json("candidate_tags", {"name": tag})
        return load_api(_OrgTag, created, "candidate_tag")["id"]

    def _applied_tags(self, candidate_id: str) -> list[dict]:
        rows = self._rows("applied_candidate_tags", {"candidate_ids": candidate_id})
        return [load_api(_AppliedTag, row, "applied_candidate_tag") for row in rows]


def _numeric(record_id: str) -> int:
    if not str(record_id).isdigit():
        raise ConnectorError("bad_request", f"Greenhouse ids are numeric, not {record_id!r}")
    return int(record_id)


def _fill_event(event: WebhookEvent, payload: dict) -> None:
    """Read the ids (and the candidate, when sent) the event's kind needs from `payload`."""
    if event.kind is EventKind.APPLICATION_CREATED:
        application = load(_ApplicationPayload, payload, "payload")["application"]
        candidate = application["candidate"]
        event.application_id = application["id"]
        event.candidate_id = candidate["id"]
        custom = _webhook_custom_fields(candidate["custom_fields"], application["custom_fields"])
        event.applicant = to_applicant(candidate, custom, application_id=application["id"])
    elif event.kind is EventKind.CANDIDATE_UPDATED:
        candidate = load(_CandidatePayload, payload, "payload")["candidate"]
        event.candidate_id = candidate["id"]
        event.applicant = to_applicant(candidate, _webhook_custom_fields(candidate["custom_fields"]))
    elif event.kind is EventKind.CANDIDATE_MERGED:
        person = load(_MergePayload, payload, "payload")["person"]
        event.merged_from = person["id"]
        event.candidate_id = person["new_candidate_id"]
    elif event.kind is EventKind.CANDIDATE_DELETED and event.event_type == "candidate_anonymized":
        event.candidate_id = load(_AnonymizedPayload, payload, "payload")["candidate_id"]
    elif event.kind is EventKind.CANDIDATE_DELETED:
        event.candidate_id = load(_PersonPayload, payload, "payload")["person"]["id"]


def _webhook_custom_fields(*maps: Mapping[str, dict]) -> list[tuple[str, Any]]:
    """(label, value) of webhook custom fields: each is a `{name, type, value}` object."""
    return [(field["name"] or key, field["value"]) for fields_ in maps for key, field in fields_.items()]


def _harvest_custom_fields(candidate: dict) -> list[tuple[str, Any]]:
    """(label, value) of a Harvest candidate's custom fields: the named objects of
    `keyed_custom_fields`, else the raw values of `custom_fields` under their keys."""
    if candidate["keyed_custom_fields"]:
        return _webhook_custom_fields(candidate["keyed_custom_fields"])
    return list(candidate["custom_fields"].items())


def _filled(value: Any) -> bool:
    return value not in (None, "", [])


def _as_text(value: Any) -> str:
    """A custom field's value as a recruiter reads it (multi-selects are lists)."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


_ATTACHMENT_KINDS = {"resume": "resume", "cover_letter": "cover_letter"}


def to_applicant(
    candidate: dict,
    custom_fields: list[tuple[str, Any]],
    *,
    application_id: str | None = None,
    answers: list[dict] | None = None,
    more_employers: Iterable[str | None] = (),
) -> Applicant:
    """A validated Greenhouse candidate (webhook or Harvest shape) as our Applicant."""
    source = {"platform": "greenhouse", "candidate_id": candidate["id"]}
    if application_id:
        source["application_id"] = application_id
    employers = [candidate["company"], *(e["company_name"] for e in candidate["employments"])]
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
        employers=unique([*employers, *more_employers]),
        education=unique(e["school_name"] for e in candidate["educations"]),
        answers=unique(
            [
                *(f"{label}: {_as_text(value)}" for label, value in custom_fields if _filled(value)),
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
