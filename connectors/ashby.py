"""Ashby: webhooks and the RPC-style API (POST https://api.ashbyhq.com/<category>.<method>).

Sources: developers.ashbyhq.com (Setting up webhooks, Authenticating webhooks, Retries,
Pagination and incremental sync, Authentication) and the Ashby OpenAPI (mirrored at
github.com/api-evangelist/ashby, openapi/*.yml, contact "Ashby Support"): webhook payloads,
candidate, candidateTag, file, application, applicationForm, offer.
Ashby answers most API errors with HTTP 200 and `{"success": false, "errors": [...]}`.
Application-form answers: `application.info {applicationId, expand: ["applicationFormSubmissions"]}`
returns `applicationFormSubmissions[]`, each `{formDefinition: {sections: [{fields: [{field: {path,
title, type, selectableValues}}]}]}, submittedValues: {<path>: value}}` (application-api and
offer-api specs). Files: a file handle (`resumeFileHandle.handle`) becomes a short-lived URL with
`file.info {fileHandle}` -> `results.url` (file-api spec); that URL is downloaded without our key.

UNCONFIRMED in Ashby's docs: rate limits (none published: we honour Retry-After when sent and back
off otherwise); the ping's `data` shape (read nothing from it); `candidate.removeTag`
(`{candidateId, tagId}`) is seen in third-party clients only; the maximum `limit` of
`candidate.list` (100 per third parties); how each field type's answer reads back in
`submittedValues` (documented for submitting only: we read strings, numbers, booleans, lists,
`{value}` and location-like objects, and map select values to their labels); whether the
`applicationSubmit` webhook itself carries form answers (we fetch them); the shape of
`candidate.listNotes` answers (Ashby's docs name the method, "Lists all notes on a candidate",
permission candidatesRead; the paged `results` of `{id, content, createdAt, author}` we read come
from third-party clients).
Equal-opportunity answers (`_systemfield_eeoc_*`) and file fields are never read as answers; name,
e-mail and phone form fields duplicate the candidate record and are read from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from marshmallow import fields

from connectors.base import (
    AccessProbe,
    AuthType,
    CandidatePage,
    Connector,
    ConnectorError,
    EventKind,
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

_IDENTITY_PATHS = frozenset({"_systemfield_name", "_systemfield_email", "_systemfield_phone"})


class _Contact(VendorSchema):
    value = fields.String(required=True)


class _Social(VendorSchema):
    url = fields.String(required=True)


class _Tag(VendorSchema):
    id = IdField(required=True)
    title = fields.String(required=True)


class _CustomField(VendorSchema):
    title = optional_str()
    value = fields.Raw(load_default=None, allow_none=True)


class _FileHandle(VendorSchema):
    name = optional_str()
    handle = fields.String(required=True)


class _Location(VendorSchema):
    locationSummary = optional_str()


class _Candidate(VendorSchema):
    id = IdField(required=True)
    name = optional_str()
    primaryEmailAddress = fields.Nested(_Contact, load_default=None, allow_none=True)
    emailAddresses = optional_list(_Contact)
    primaryPhoneNumber = fields.Nested(_Contact, load_default=None, allow_none=True)
    phoneNumbers = optional_list(_Contact)
    socialLinks = optional_list(_Social)
    company = optional_str()
    school = optional_str()
    location = fields.Nested(_Location, load_default=None, allow_none=True)
    customFields = optional_list(_CustomField)
    resumeFileHandle = fields.Nested(_FileHandle, load_default=None, allow_none=True)
    tags = optional_list(_Tag)


class _Application(VendorSchema):
    id = IdField(required=True)
    candidate = fields.Nested(_Candidate, required=True)
    customFields = optional_list(_CustomField)


class _Option(VendorSchema):
    label = optional_str()
    value = optional_str()


class _FormField(VendorSchema):
    path = fields.String(required=True)
    title = optional_str()
    type = optional_str()
    selectableValues = optional_list(_Option)


class _FormEntry(VendorSchema):
    field = fields.Nested(_FormField, required=True)


class _FormSection(VendorSchema):
    entries = optional_list(_FormEntry, data_key="fields")


class _FormDefinition(VendorSchema):
    sections = optional_list(_FormSection)


class _FormSubmission(VendorSchema):
    formDefinition = fields.Nested(_FormDefinition, load_default=dict)
    submittedValues = fields.Dict(keys=fields.String(), load_default=dict)


class _ApplicationDetail(VendorSchema):
    """application.info with `applicationFormSubmissions` expanded."""

    id = IdField(required=True)
    customFields = optional_list(_CustomField)
    applicationFormSubmissions = optional_list(_FormSubmission)


class _ApplicationInfo(VendorSchema):
    results = fields.Nested(_ApplicationDetail, required=True)


class _Ref(VendorSchema):
    id = IdField(required=True)


class _SubmitData(VendorSchema):
    application = fields.Nested(_Application, required=True)


class _DeleteData(VendorSchema):
    candidate = fields.Nested(_Ref, required=True)


class _MergeData(VendorSchema):
    deletedCandidate = fields.Nested(_Ref, required=True)
    mergedCandidate = fields.Nested(_Ref, required=True)


class _Envelope(VendorSchema):
    action = fields.String(required=True)
    data = fields.Dict(load_default=dict)


class _FileUrl(VendorSchema):
    url = fields.String(required=True)


class _FileInfo(VendorSchema):
    results = fields.Nested(_FileUrl, required=True)


class _TagCreated(VendorSchema):
    results = fields.Nested(_Tag, required=True)


class _CandidateInfo(VendorSchema):
    results = fields.Nested(_Candidate, required=True)


class _Note(VendorSchema):
    content = optional_str()


class _Page(VendorSchema):
    results = fields.List(fields.Dict(), required=True)
    moreDataAvailable = fields.Boolean(load_default=False)
    nextCursor = optional_str()


class Ashby(Connector):
    name = "ashby"
    display_name = "Ashby"
    api_base = "https://api.ashbyhq.com"
    api_hosts = ("api.ashbyhq.com",)
    signature_header = "Ashby-Signature"
    signature_scheme = "hmac-sha256-hex over the raw body; header 'Ashby-Signature: sha256=<hex>'"
    events: ClassVar[Mapping[str, EventKind]] = {
        "applicationSubmit": EventKind.APPLICATION_CREATED,
        "candidateDelete": EventKind.CANDIDATE_DELETED,
        "candidateMerge": EventKind.CANDIDATE_MERGED,
        "ping": EventKind.PING,
        "applicationUpdate": EventKind.IGNORED,
        "candidateStageChange": EventKind.IGNORED,
        "candidateHire": EventKind.IGNORED,
    }
    auth_type = AuthType.BASIC_API_KEY
    access_probe = AccessProbe("candidate.list", "candidatesRead", method="POST", body={"limit": 1})
    required_permissions = ("candidatesRead", "candidatesWrite", "hiringProcessMetadataWrite")
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json; version=1"}
    settings_fields = (
        SettingField(
            id="note_private",
            type="boolean",
            label="Private notes",
            default=False,
            description="Post HireWatch notes as private (needs the API key's private-fields permission).",
        ),
    )
    page_size = 100

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        algorithm, _, digest = (header(headers, cls.signature_header) or "").strip().partition("=")
        if algorithm.lower() != "sha256":
            return False
        return same_digest(hmac_sha256_hex(secret, raw_body), digest)

    @classmethod
    def sign(cls, secret: str, raw_body: bytes, **kw: Any) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Ashby-Signature": f"sha256={hmac_sha256_hex(secret, raw_body)}",
        }

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        envelope = load(_Envelope, decode_json(raw_body))
        event = WebhookEvent(kind=cls.event_kind(envelope["action"]), event_type=envelope["action"])
        data = envelope["data"]
        if event.kind is EventKind.APPLICATION_CREATED:
            application = load(_SubmitData, data, "data")["application"]
            event.application_id = application["id"]
            event.candidate_id = application["candidate"]["id"]
            event.applicant = to_applicant(application["candidate"], application)
        elif event.kind is EventKind.CANDIDATE_DELETED:
            event.candidate_id = load(_DeleteData, data, "data")["candidate"]["id"]
        elif event.kind is EventKind.CANDIDATE_MERGED:
            merge = load(_MergeData, data, "data")
            event.candidate_id = merge["mergedCandidate"]["id"]
            event.merged_from = merge["deletedCandidate"]["id"]
        return event

    # ----- API ------------------------------------------------------------------------------

    def call(self, method: str, body: Mapping[str, Any], *, idempotent: bool = False) -> Any:
        """One RPC call; Ashby's `success: false` becomes a connector error naming its errors."""
        response = self.post_json(method, dict(body), idempotent=idempotent)
        if not isinstance(response, dict):
            raise ConnectorError("bad_response", f"Ashby {method} answered a non-object")
        if not response.get("success", False):
            # Ashby's error codes, each cut short: an answer's text is not ours to pass on whole.
            errors = ", ".join(str(e)[:80] for e in (response.get("errors") or [])[:5]) or "no reason given"
            raise ConnectorError("vendor_error", f"Ashby {method} failed: {errors}")
        return response

    def candidate_exists(self, candidate_id: str) -> bool | None:
        # UNCONFIRMED how candidate.info answers for a deleted candidate (`success: false` with
        # which error?): we cannot tell, so a signed candidateDelete alone decides.
        return None

    def _read_probe(self, probe: AccessProbe) -> None:
        self.call(probe.path, probe.body or {}, idempotent=True)  # `success: false` is a refusal

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        candidate = self._candidate(candidate_id)
        applicant = to_applicant(candidate, self._application(application_id) if application_id else None)
        handle = candidate["resumeFileHandle"]
        if handle:
            answer = self.call("file.info", {"fileHandle": handle["handle"]}, idempotent=True)
            url = load_api(_FileInfo, answer, "file.info")["results"]["url"]
            applicant.attachments.append(Attachment(filename=handle["name"] or "resume", url=url))
            self.read_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of candidate.list; the cursor is Ashby's `nextCursor`."""
        for rows, next_cursor in self._pages("candidate.list", {"limit": self.page_size}, cursor):
            applicants = [to_applicant(load_api(_Candidate, row, "candidate"), None) for row in rows]
            yield CandidatePage(applicants=applicants, next_cursor=next_cursor)

    def note_texts(self, candidate_id: str) -> Iterator[str]:
        body = {"candidateId": candidate_id, "limit": self.page_size}
        for rows, _cursor in self._pages("candidate.listNotes", body):
            yield from (load_api(_Note, row, "note")["content"] or "" for row in rows)

    def _pages(
        self, method: str, body: dict[str, Any], cursor: str | None = None
    ) -> Iterator[tuple[list[dict], str | None]]:
        """Each page's results and the cursor of the next page (None after the last)."""
        while True:
            request = {**body, "cursor": cursor} if cursor else body
            page = load_api(_Page, self.call(method, request, idempotent=True), method)
            cursor = page["nextCursor"] if page["moreDataAvailable"] else None
            yield page["results"], cursor
            if not cursor:
                return

    def add_tag(self, candidate_id: str, tag: str) -> None:
        # candidateTag.create is get-or-create by title; candidate.addTag is idempotent.
        answer = self.call("candidateTag.create", {"title": tag}, idempotent=True)
        tag_id = load_api(_TagCreated, answer, "candidateTag.create")["results"]["id"]
        self.call("candidate.addTag", {"candidateId": candidate_id, "tagId": tag_id}, idempotent=True)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        for existing in self._candidate(candidate_id)["tags"]:
            if existing["title"].casefold() == tag.casefold():
                body = {"candidateId": candidate_id, "tagId": existing["id"]}
                self.call("candidate.removeTag", body, idempotent=True)

    def add_note(self, candidate_id: str, text: str) -> None:
        body = {
            "candidateId": candidate_id,
            "note": {"type": "text/plain", "value": text},
            "sendNotifications": False,
            "isPrivate": bool(self.setting("note_private")),
        }
        self.call("candidate.createNote", body)

    def _application(self, application_id: str) -> dict:
        body = {"applicationId": application_id, "expand": ["applicationFormSubmissions"]}
        answer = self.call("application.info", body, idempotent=True)
        return load_api(_ApplicationInfo, answer, "application.info")["results"]

    def _candidate(self, candidate_id: str) -> dict:
        answer = self.call("candidate.info", {"id": candidate_id}, idempotent=True)
        return load_api(_CandidateInfo, answer, "candidate.info")["results"]


def _plain(value: Any, labels: Mapping[str, str]) -> str:
    """A submitted value as text: select values by their label, `{value}` objects by their value."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(text for text in (_plain(v, labels) for v in value) if text)
    if isinstance(value, dict):
        if "value" in value:
            return _plain(value["value"], labels)
        return ", ".join(str(v) for v in value.values() if isinstance(v, (str, int, float)) and v != "")
    return "" if value is None else labels.get(str(value), str(value))


def _not_an_answer(field: dict) -> bool:
    """Files, EEO answers (collected for reporting, never for hiring) and identity fields read elsewhere."""
    path = field["path"]
    return field["type"] == "File" or path.startswith("_systemfield_eeoc") or path in _IDENTITY_PATHS


def _form_answers(submission: dict) -> list[str]:
    """`title: value` for each answered form field, leaving out files and EEO answers."""
    answers = []
    for section in submission["formDefinition"].get("sections", []):
        for entry in section["entries"]:
            field = entry["field"]
            if _not_an_answer(field):
                continue
            labels = {o["value"]: o["label"] for o in field["selectableValues"] if o["value"] and o["label"]}
            text = _plain(submission["submittedValues"].get(field["path"]), labels)
            if text:
                answers.append(f"{field['title'] or field['path']}: {text}")
    return answers


def to_applicant(candidate: dict, application: dict | None) -> Applicant:
    """A validated Ashby candidate (full, or the webhook's summary) with its application, if any."""
    custom = [*candidate["customFields"], *(application["customFields"] if application else [])]
    forms = application.get("applicationFormSubmissions", []) if application else []
    source = {"platform": "ashby", "candidate_id": candidate["id"]}
    if application:
        source["application_id"] = application["id"]
    location = candidate["location"]
    return Applicant(
        id=candidate["id"],
        name=candidate["name"] or "",
        emails=unique(
            c["value"] for c in [candidate["primaryEmailAddress"], *candidate["emailAddresses"]] if c
        ),
        phones=unique(c["value"] for c in [candidate["primaryPhoneNumber"], *candidate["phoneNumbers"]] if c),
        location=location["locationSummary"] if location else None,
        urls=unique(s["url"] for s in candidate["socialLinks"]),
        employers=unique([candidate["company"]]),
        education=unique([candidate["school"]]),
        answers=unique(
            [
                *(f"{f['title']}: {f['value']}" for f in custom if f["value"] not in (None, "", [])),
                *(answer for submission in forms for answer in _form_answers(submission)),
            ]
        ),
        source=source,
    )
