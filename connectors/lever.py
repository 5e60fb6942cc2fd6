"""Lever: webhooks and the Data API (opportunities).

Source: the Lever Data API documentation, https://hire.lever.co/developer/documentation (sections
Webhooks, Opportunities, Applications, Notes, Resumes; read from a verbatim copy of that page, as
connectors/README.md says), and help.lever.co article 20087284427677 "Configuring webhooks".
Confirmed there: every delivery is `{id, event, triggeredAt, token, signature, data}`; "To verify
the webhook is originating from Lever you need to: Concatenate token and triggeredAt values; Encode
the resulting string with the HMAC algorithm (using your signature token as a key and SHA256 digest
mode); Compare the resulting hexdigest to the signature". The body is not signed, so an event only
names ids and the candidate is always fetched through the API. The page's test request is
`candidateHired` with `data: {}`. Tags and notes live on the opportunity, so our applicant id is
the opportunity id. Résumé files download from `GET /opportunities/:id/resumes/:resume/download`
on the API (the listing's `downloadUrl` points at hire.lever.co, the web app, not the API);
a résumé whose file `status` is "error" answers 422 there and is skipped.

UNCONFIRMED in Lever's docs: the `data` fields of `applicationCreated` (the page collapses them
under "Show child fields"; its example delivery, `candidateStageChange`, carries `opportunityId`,
the deprecated alias `candidateId` and `contactId`: we read `opportunityId`, else `candidateId`,
and `applicationId` when present); whether `addTags` is idempotent (string-set semantics suggest
so); how long Lever keeps retrying ("five times, waiting longer and longer in between": so the
accepted age of `triggeredAt` is generous and replays are stopped by the `token` dedupe key);
rate-limit headers (none documented: we back off exponentially on 429).
Each Lever webhook has its own signature token: an installation's webhook secret may list several,
separated by commas or spaces.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, validates_schema

from connectors.base import (
    AccessProbe,
    ActingUser,
    AuthType,
    CandidatePage,
    Connector,
    EventKind,
    SettingField,
    WebhookEvent,
)
from connectors.payload import (
    IdField,
    VendorSchema,
    decode_json,
    hmac_sha256_hex,
    load,
    load_api,
    optional_list,
    optional_str,
    same_digest,
    unique,
)
from screening.models import Applicant, Attachment


class _EventIds(VendorSchema):
    opportunityId = IdField(load_default=None)  # vendor field names are camelCase
    candidateId = IdField(load_default=None)  # deprecated alias of opportunityId
    applicationId = IdField(load_default=None)

    @validates_schema
    def _has_opportunity(self, data: dict, **kwargs: Any) -> None:
        if not (data["opportunityId"] or data["candidateId"]):
            raise ValidationError("missing: the event names no opportunity", "opportunityId")


class _Envelope(VendorSchema):
    event = fields.String(required=True)
    token = fields.String(required=True)
    triggeredAt = fields.Integer(required=True, strict=True)
    signature = fields.String(required=True)
    data = fields.Dict(load_default=dict)


class _Phone(VendorSchema):
    value = optional_str()


class _Field(VendorSchema):
    text = optional_str()
    value = fields.Raw(load_default=None, allow_none=True)


class _Form(VendorSchema):
    questions = optional_list(_Field, data_key="fields")


class _Application(VendorSchema):
    id = IdField(required=True)
    company = optional_str()
    comments = optional_str()  # the applicant's additional information / cover text
    # Lever sends null for an application without forms (documented example of a "user" application).
    customQuestions = fields.List(fields.Nested(_Form), load_default=list, allow_none=True)


class _Opportunity(VendorSchema):
    id = IdField(required=True)
    name = optional_str()
    headline = optional_str()
    location = optional_str()
    emails = fields.List(fields.String(), load_default=list)
    phones = optional_list(_Phone)
    links = fields.List(fields.String(), load_default=list)
    applications = fields.List(fields.Raw(), load_default=list)  # ids, or objects with expand


class _ResumeFile(VendorSchema):
    name = optional_str()
    ext = optional_str()
    status = optional_str()  # "processed"; "error": the download answers 422


class _Position(VendorSchema):
    org = optional_str()


class _School(VendorSchema):
    org = optional_str()


class _Parsed(VendorSchema):
    positions = optional_list(_Position)
    schools = optional_list(_School)


class _Resume(VendorSchema):
    id = IdField(required=True)
    file = fields.Nested(_ResumeFile, load_default=None, allow_none=True)  # none for parsed profiles
    parsedData = fields.Nested(_Parsed, load_default=dict)


class _OneOpportunity(VendorSchema):
    data = fields.Nested(_Opportunity, required=True)


class _Resumes(VendorSchema):
    data = fields.List(fields.Nested(_Resume), required=True)


class _Note(VendorSchema):
    parts = optional_list(_Field, data_key="fields")


class _Many(VendorSchema):
    data = fields.List(fields.Dict(), required=True)
    next = optional_str()
    hasNext = fields.Boolean(load_default=False)


class Lever(Connector):
    name = "lever"
    display_name = "Lever"
    api_base = "https://api.lever.co/v1"
    # api.lever.co is documented; the sandbox and EU hosts are Lever's own domain but UNCONFIRMED in
    # Lever's API docs (seen in client libraries).
    api_hosts = ("api.lever.co", "api.sandbox.lever.co", "api.eu.lever.co")
    event_header = None  # the event name is the body's `event`
    signature_header = "signature"
    signature_location = "body"
    signature_scheme = "hmac-sha256-hex over token + triggeredAt (body fields); the body itself is unsigned"
    dedupe_source = "body field token"
    replay_window = 3 * 24 * 3600.0  # see the module docstring: retries reuse the original triggeredAt
    events: ClassVar[Mapping[str, EventKind]] = {
        "applicationCreated": EventKind.APPLICATION_CREATED,
        "candidateDeleted": EventKind.CANDIDATE_DELETED,
        "candidateStageChange": EventKind.IGNORED,
        "candidateArchiveChange": EventKind.IGNORED,
        "candidateHired": EventKind.IGNORED,  # also the settings page's "test" request
        "interviewCreated": EventKind.IGNORED,
        "interviewUpdated": EventKind.IGNORED,
        "interviewDeleted": EventKind.IGNORED,
        # Contact events carry a contact id; identity changes reach us on the next application.
        "contactCreated": EventKind.IGNORED,
        "contactUpdated": EventKind.IGNORED,
    }
    auth_type = AuthType.BASIC_API_KEY
    access_probe = AccessProbe("opportunities", "opportunities:read:admin", params={"limit": 1})
    candidate_path = "opportunities/{id}"
    required_permissions = (
        "opportunities:read:admin",
        "opportunities:write:admin",
        "applications:read:admin",
        "resumes:read:admin",
        "notes:read:admin",
        "notes:write:admin",
        "tags:read:admin",
    )
    acting_user = ActingUser(
        location="query",
        name="perform_as",
        required=False,
        description="a Lever user id in the perform_as query parameter (optional)",
    )
    settings_fields = (
        SettingField(
            id="note_secret",
            type="boolean",
            label="Secret notes",
            default=False,
            description="Post HireWatch notes as secret (visible to sensitive-information users only).",
        ),
    )
    page_size = 100

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def verify(
        cls, secret: str, raw_body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> bool:
        try:
            body = json.loads(raw_body)
            token, triggered_at, signature = body["token"], body["triggeredAt"], body["signature"]
        except (ValueError, KeyError, TypeError):
            return False
        if not (isinstance(token, str) and isinstance(signature, str) and isinstance(triggered_at, int)):
            return False
        age = (now if now is not None else time.time()) - triggered_at / 1000
        if cls.replay_window is not None and abs(age) > cls.replay_window:
            return False
        message = f"{token}{triggered_at}".encode()
        return any(same_digest(hmac_sha256_hex(key, message), signature) for key in _keys(secret))

    @classmethod
    def sign(cls, secret: str, raw_body: bytes, **kw: Any) -> dict[str, str]:
        """Lever's headers; its signature travels inside the body, so build deliveries with
        `signed_delivery`, which writes token, triggeredAt and signature into the body."""
        return {"Content-Type": "application/json", "User-Agent": "Lever-Webhooks"}

    @classmethod
    def signed_delivery(
        cls,
        secret: str,
        payload: Mapping[str, Any],
        *,
        token: str | None = None,
        triggered_at_ms: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        token = token or secrets.token_hex(24)
        triggered_at = triggered_at_ms if triggered_at_ms is not None else int(time.time() * 1000)
        signature = hmac_sha256_hex(_keys(secret)[0], f"{token}{triggered_at}".encode())
        body = {**payload, "token": token, "triggeredAt": triggered_at, "signature": signature}
        raw_body = json.dumps(body).encode()
        return raw_body, cls.sign(secret, raw_body)

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        envelope = load(_Envelope, decode_json(raw_body))
        event = WebhookEvent(
            kind=cls.event_kind(envelope["event"]), event_type=envelope["event"], dedupe_key=envelope["token"]
        )
        if event.kind in (EventKind.APPLICATION_CREATED, EventKind.CANDIDATE_DELETED):
            ids = load(_EventIds, envelope["data"], "data")
            event.candidate_id = ids["opportunityId"] or ids["candidateId"]
            event.application_id = ids["applicationId"]
        return event

    # ----- API ------------------------------------------------------------------------------

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        answer = self.get_json(f"opportunities/{candidate_id}", params={"expand": "applications"})
        opportunity = load_api(_OneOpportunity, answer, "opportunity")["data"]
        resumes = load_api(_Resumes, self.get_json(f"opportunities/{candidate_id}/resumes"), "resumes")[
            "data"
        ]
        applicant = to_applicant(opportunity, resumes, self.base_url)
        self.read_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /v1/opportunities; the cursor is Lever's opaque `next` offset token."""
        params = {"limit": self.page_size, "expand": "applications"}
        for rows, offset in self._pages("opportunities", params, cursor):
            applicants = [to_applicant(load_api(_Opportunity, row, "opportunity"), []) for row in rows]
            yield CandidatePage(applicants=applicants, next_cursor=offset)

    def note_texts(self, candidate_id: str) -> Iterator[str]:
        for rows, _offset in self._pages(f"opportunities/{candidate_id}/notes", {"limit": self.page_size}):
            for note in (load_api(_Note, row, "note") for row in rows):
                yield from (part["value"] for part in note["parts"] if isinstance(part["value"], str))

    def _pages(
        self, path: str, params: dict[str, Any], offset: str | None = None
    ) -> Iterator[tuple[list[dict], str | None]]:
        """Each page's rows and the `offset` token of the next page (None after the last)."""
        while True:
            query = {**params, "offset": offset} if offset else params
            page = load_api(_Many, self.get_json(path, params=query), path)
            offset = page["next"] if page["hasNext"] else None
            yield page["data"], offset
            if not offset:
                return

    def add_tag(self, candidate_id: str, tag: str) -> None:
        self._tags("addTags", candidate_id, tag)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        self._tags("removeTags", candidate_id, tag)

    def add_note(self, candidate_id: str, text: str) -> None:
        body = {"value": text, "secret": bool(self.setting("note_secret"))}
        self.request("POST", f"opportunities/{candidate_id}/notes", json_body=body, acting=True)

    def _tags(self, action: str, candidate_id: str, tag: str) -> None:
        # Tags are a string set: adding or removing twice leaves the same set, so retrying is safe.
        self.request(
            "POST",
            f"opportunities/{candidate_id}/{action}",
            json_body={"tags": [tag]},
            acting=True,
            idempotent=True,
        )


def _keys(secret: str) -> list[str]:
    return [key for key in re.split(r"[,\s]+", secret) if key] or [secret]


def _readable(resumes: list[dict]) -> list[dict]:
    """Résumés with a file Lever could process (an "error" file answers 422 on download)."""
    return [r for r in resumes if r["file"] and r["file"].get("status") != "error"]


def _answer_value(value: Any) -> str:
    """A form answer as text: several choices joined; an uploaded file (an object) is no answer."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    if value is None or isinstance(value, dict):
        return ""
    return str(value).strip()


def to_applicant(opportunity: dict, resumes: list[dict], api_base: str = "") -> Applicant:
    """A validated Lever opportunity (with expanded applications, when present) as our Applicant;
    each readable résumé downloads from the API under `api_base`."""
    applications = [a for a in opportunity["applications"] if isinstance(a, dict)]
    forms = [load_api(_Application, a, "application") for a in applications]
    answers = [
        f"{f['text']}: {text}"
        for application in forms
        for form in application["customQuestions"] or []
        for f in form["questions"]
        if (text := _answer_value(f["value"]))
    ]
    parsed = [r["parsedData"] for r in resumes]
    name = opportunity["name"] or ""
    return Applicant(
        id=opportunity["id"],
        name=name,
        emails=unique(opportunity["emails"]),
        phones=unique(p["value"] for p in opportunity["phones"]),
        location=opportunity["location"],
        urls=unique(opportunity["links"]),
        employers=unique(
            [
                *(a["company"] for a in forms),
                *(p["org"] for d in parsed for p in d.get("positions", [])),
            ]
        ),
        education=unique(s["org"] for d in parsed for s in d.get("schools", [])),
        cover_letter="\n\n".join(a["comments"] for a in forms if a["comments"]),
        answers=unique(answers),
        attachments=[
            Attachment(
                filename=r["file"].get("name") or f"resume-{r['id']}",
                url=f"{api_base}/opportunities/{opportunity['id']}/resumes/{r['id']}/download",
            )
            for r in _readable(resumes)
        ],
        source={"platform": "lever", "opportunity_id": opportunity["id"]},
    )
