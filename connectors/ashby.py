"""Ashby: webhooks and the RPC-style API (POST https://api.ashbyhq.com/<category>.<method>).

Sources (connectors/README.md lists each fact with its page): developers.ashbyhq.com (Setting up
webhooks, Authenticating webhooks, Retries, Pagination and incremental sync, Authentication, the
reference pages candidate.removeTag, candidate.listNotes, candidate.listFraudChecks,
candidate.setFraudStatus, and the changelog) and Ashby's OpenAPI (contact "Ashby Support", as
mirrored at github.com/api-evangelist/ashby, openapi/*.yml): webhook payloads, candidate,
candidateTag, file, application, applicationForm. Confirmed there, among others:
- `candidate.removeTag {candidateId, tagId}` returns the candidate; "If the tag was not on the
  candidate, the request succeeds" (changelog 2026-02-27);
- `candidate.listNotes {candidateId, cursor?, limit?}` "Lists all notes on a candidate", paged like
  every list, each result `{id, createdAt, isPrivate, content, author}` (createNote's result);
- `candidate.info` results carry `resumeFileHandle` and `fileHandles[]` (`{id, name, handle}`, "use
  the file handle to retrieve the file's URL by using the file.info endpoint") and `fraudStatus`
  (Fraudulent, NotFraudulent, Unsure, Unreviewed, PassedFraudCheck or null);
- `candidate.setFraudStatus {candidateId, fraudStatus: Fraudulent|NotFraudulent|Unsure}` "requires
  the Fraud Detection feature to be enabled for your organization" (candidatesWrite);
- the ping webhook is `{"action": "ping", "data": {"webhookActionType": "ping"}}`.
Ashby answers most API errors with HTTP 200 and `{"success": false, "errors": [...]}`.
Application-form answers: `application.info {applicationId, expand: ["applicationFormSubmissions"]}`
returns `applicationFormSubmissions[]`, each `{formDefinition: {sections: [{fields: [{field: {path,
title, type, selectableValues}}]}]}, submittedValues: {<path>: value}}`. The résumé submitted with
the application is the `_systemfield_resume` value, a file handle like the candidate's.
Every résumé handle (the candidate's, the application's, then the candidate's other files, since
Ashby does not say which file is what) becomes a short-lived URL with `file.info {fileHandle}` ->
`results.url`, downloaded without our key; at most MAX_FILES per candidate.

Fraud status (installation setting `fraud_status_writeback`, off by default): where the account has
Ashby's Fraud Detection, a flagged HireWatch verdict sets the candidate's fraud status to `Unsure`
("flagged for continued monitoring"). HireWatch never sets Fraudulent or NotFraudulent (a person
decides that), never changes a status already Fraudulent, NotFraudulent or Unsure, and writes
nothing for a clear verdict. An account without the feature refuses the call: that is logged and
audited, and the tag and note are written as usual.

UNCONFIRMED in Ashby's docs: rate limits (none published: we honour Retry-After when sent and back
off otherwise); the maximum `limit` of `candidate.list` (100 per third parties; listFraudChecks
documents 100); how each field type's answer reads back in `submittedValues` (documented for
submitting only: we read strings, numbers, booleans, lists, `{value}` and location-like objects,
and map select values to their labels); whether the `applicationSubmit` webhook itself carries form
answers (we fetch them); how an account without Fraud Detection answers setFraudStatus (we treat
`success: false`, 403 and other 4xx as "not available here").
Equal-opportunity answers (`_systemfield_eeoc_*`) and file fields are never read as answers; name,
e-mail and phone form fields duplicate the candidate record and are read from there.
"""

from __future__ import annotations

import logging
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
from screening.models import Applicant, Attachment, Risk

log = logging.getLogger(__name__)

_IDENTITY_PATHS = frozenset({"_systemfield_name", "_systemfield_email", "_systemfield_phone"})
RESUME_PATH = "_systemfield_resume"
MAX_FILES = 5  # résumé files read per candidate: each costs a file.info call and a download
FLAGGED_FRAUD_STATUS = "Unsure"  # "flagged for continued monitoring": a person decides the rest
# Statuses a person (or an earlier write) set: HireWatch leaves them as they are.
_KEPT_FRAUD_STATUSES = frozenset({"Fraudulent", "NotFraudulent", "Unsure"})


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
    id = IdField(load_default=None)
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
    fileHandles = optional_list(_FileHandle)
    tags = optional_list(_Tag)
    fraudStatus = optional_str()


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
        SettingField(
            id="fraud_status_writeback",
            type="boolean",
            label="Set Ashby fraud status",
            default=False,
            description="Where the account has Ashby's Fraud Detection: set a flagged applicant's fraud "
            "status to Unsure (flagged for monitoring). A status already set is never changed; "
            "Fraudulent and NotFraudulent are left to a person.",
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
        application = self._application(application_id) if application_id else None
        applicant = to_applicant(candidate, application)
        for handle in resume_handles(candidate, application):
            answer = self.call("file.info", {"fileHandle": handle["handle"]}, idempotent=True)
            url = load_api(_FileInfo, answer, "file.info")["results"]["url"]
            applicant.attachments.append(Attachment(filename=handle.get("name") or "resume", url=url))
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

    def verdict_status(self, risk: Risk) -> str | None:
        # Only a real true turns it on: a stray "false" string must not write to the ATS.
        if risk is Risk.CLEAR or self.setting("fraud_status_writeback") is not True:
            return None
        return FLAGGED_FRAUD_STATUS

    def write_verdict(self, candidate_id: str, status: str) -> str:
        current = self._candidate(candidate_id)["fraudStatus"]
        if current in _KEPT_FRAUD_STATUSES:
            return f"kept {current}"
        body = {"candidateId": candidate_id, "fraudStatus": status}
        try:
            self.call("candidate.setFraudStatus", body, idempotent=True)
        except ConnectorError as exc:
            if exc.reason not in ("vendor_error", "forbidden", "client_error"):
                raise
            log.warning(
                "ashby.fraud_status_refused installation=%s candidate=%s reason=%s: enable Fraud "
                "Detection in Ashby (Admin > Organization setup > Opt-in features) or turn off the "
                "installation setting fraud_status_writeback",
                self.installation.id,
                candidate_id,
                exc,
            )
            return f"refused: {exc}"
        return f"set {status}"

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


def resume_handles(candidate: dict, application: dict | None) -> list[dict]:
    """The file handles to read as résumés, each file once: the candidate's résumé, the one sent
    with this application, then the candidate's other files; at most MAX_FILES."""
    forms = application.get("applicationFormSubmissions", []) if application else []
    submitted = [form["submittedValues"].get(RESUME_PATH) for form in forms]
    handles = [candidate["resumeFileHandle"], *submitted, *candidate["fileHandles"]]
    seen: dict[str, dict] = {}
    for handle in handles:
        if isinstance(handle, Mapping) and handle.get("handle"):
            seen.setdefault(str(handle.get("id") or handle["handle"]), dict(handle))
    return list(seen.values())[:MAX_FILES]


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
