"""Workable: webhooks and the SPI v3 API (https://<subdomain>.workable.com/spi/v3).

Sources (connectors/README.md lists each fact with its page): workable.readme.io/reference/webhooks
and /reference/webhook-subscriptions-candidates-employees (Workable POSTs the Candidate object,
"similar to candidate details", signed with HMAC SHA256 "on the payload" in `X-Workable-Signature`,
keyed by the account token or the OAuth application secret; reply 200 or it is replayed),
/reference/candidate-events (the pushed candidate sits in a `data` wrapper), /docs/tag-candidate
(`PUT /candidates/{id}/tags`: "The tags list will be assigned to a candidate as is. If the array is
empty, all tags of the candidate will be deleted"), /reference/job-candidates-show, comment on
candidate, job candidates index, rate limits.
Because a PUT replaces every tag, we read, merge and write, and refuse to write when the candidate
we read carries no `tags` key: writing our list then would erase the tags a recruiter set.

UNCONFIRMED in Workable's docs: the signature's encoding (we accept hex or base64 and send hex);
whether other keys sit beside `data` (we also read a bare candidate and `{"candidate": {...}}`);
which event a delivery is, as no event name is documented in the body or headers (every delivery is
screened as a new candidate; `candidate_deleted`, listed on the subscriptions page since 2026, would
look the same, so subscribe to `candidate_created` only); whether `tags` is always in the candidate
details answer (see above); the retry schedule; the tag normalisation (third parties report
lower-casing, cutting at whitespace and dropping tags of 25+ characters, so we write slug-like
tags); how answers other than free text (`body`) and choices read back: question types boolean,
numeric and date exist (jobs/:shortcode/application_form), and we read `checked` (the name
Workable's custom-attribute API gives booleans), `number` and `date` (our guess); file answers are
not read; how comments are read back: we list `GET /candidates/{id}/activities` (`{activities: [{id,
action, body, member, created_at}], paging: {next}}`, scope r_candidates) and look in every
activity's `body`, a shape known from third-party clients citing
workable.readme.io/reference/candidate-activities, not from Workable.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
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

MAX_TAG_LENGTH = 24


class _Education(VendorSchema):
    school = optional_str()


class _Experience(VendorSchema):
    company = optional_str()


class _Social(VendorSchema):
    url = optional_str()


class _Location(VendorSchema):
    location_str = optional_str()


class _Candidate(VendorSchema):
    id = IdField(required=True)
    name = optional_str()
    firstname = optional_str()
    lastname = optional_str()
    email = optional_str()
    phone = optional_str()
    address = optional_str()
    cover_letter = optional_str()
    resume_url = optional_str()
    profile_url = optional_str()
    education_entries = optional_list(_Education)
    experience_entries = optional_list(_Experience)
    social_profiles = optional_list(_Social)
    answers = fields.List(fields.Dict(), load_default=list)
    tags = fields.List(fields.String(), load_default=None)  # None: the answer had no `tags` key
    location = fields.Nested(_Location, load_default=None, allow_none=True)


class _Envelope(VendorSchema):
    """The optional wrapper around the candidate (see the module docstring)."""

    id = IdField(load_default=None)
    event_type = optional_str()
    data = fields.Dict(load_default=None)
    candidate = fields.Dict(load_default=None)


class _Paged(VendorSchema):
    paging = fields.Dict(load_default=dict)


class _Page(_Paged):
    candidates = fields.List(fields.Dict(), required=True)


class _Activity(VendorSchema):
    body = optional_str()


class _Activities(_Paged):
    activities = optional_list(_Activity)


class Workable(Connector):
    name = "workable"
    display_name = "Workable"
    api_base = "https://{subdomain}.workable.com/spi/v3"
    api_hosts = ("*.workable.com",)  # each account's own subdomain
    signature_header = "X-Workable-Signature"
    signature_scheme = (
        "hmac-sha256 over the raw body, keyed by the account token; hex (or base64, unconfirmed)"
    )
    events: ClassVar[Mapping[str, EventKind]] = {
        "candidate_created": EventKind.APPLICATION_CREATED,
        "candidate_moved": EventKind.IGNORED,
    }
    auth_type = AuthType.BEARER
    access_probe = AccessProbe("candidates", "r_candidates", params={"limit": 1})
    required_permissions = ("r_candidates", "w_candidates", "w_comments")
    acting_user = ActingUser(
        location="body",
        name="member_id",
        required=True,
        description="a Workable member id (comment author)",
    )
    rate_limit_headers = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
    settings_fields = (
        SettingField(
            id="subdomain",
            type="text",
            label="Account subdomain",
            description="The <subdomain> of <subdomain>.workable.com (not needed when an API URL is set).",
        ),
        SettingField(
            id="note_policy",
            type="json",
            label="Comment visibility",
            description='Roles that see HireWatch comments, e.g. ["recruiting_admin", "recruiter"]; '
            "unset: everyone who sees the candidate.",
        ),
    )
    page_size = 100

    @property
    def base_url(self) -> str:
        if self.installation.api_base_url:
            return self.installation.api_base_url.rstrip("/")
        subdomain = self.setting("subdomain")
        if not subdomain:
            raise ConnectorAbort(
                "config", "Workable needs the account subdomain (settings.subdomain) or an API URL"
            )
        return self.api_base.format(subdomain=subdomain)

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        given = (header(headers, cls.signature_header) or "").strip()
        expected_hex = hmac_sha256_hex(secret, raw_body)
        return same_digest(expected_hex, given.lower()) or same_digest(_base64_of_hex(expected_hex), given)

    @classmethod
    def sign(cls, secret: str, raw_body: bytes, **kw: Any) -> dict[str, str]:
        return {"Content-Type": "application/json", cls.signature_header: hmac_sha256_hex(secret, raw_body)}

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        body = decode_json(raw_body)
        envelope = load(_Envelope, body)
        path, candidate_data = "", body
        if envelope["data"] is not None:
            path, candidate_data = "data", envelope["data"]
        elif envelope["candidate"] is not None:
            path, candidate_data = "candidate", envelope["candidate"]
        event_type = envelope["event_type"] or "candidate_created"
        event = WebhookEvent(kind=cls.event_kind(event_type), event_type=event_type, dedupe_key=None)
        if event.kind is EventKind.APPLICATION_CREATED:
            candidate = load(_Candidate, candidate_data, path)
            event.candidate_id = candidate["id"]
            event.applicant = to_applicant(candidate)
        return event

    # ----- API ------------------------------------------------------------------------------

    @staticmethod
    def normalise_tag(tag: str) -> str:
        """The form Workable keeps: lower case, no whitespace, short."""
        return re.sub(r"[^a-z0-9_-]+", "_", tag.casefold()).strip("_")[:MAX_TAG_LENGTH]

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        applicant = to_applicant(self._candidate(candidate_id))
        self.read_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /candidates; the cursor is Workable's `paging.next` URL."""
        url = cursor or self.url("candidates")
        params = None if cursor else {"limit": self.page_size}
        for rows, next_url in self._pages(url, params, _Page, "candidates"):
            applicants = [to_applicant(load_api(_Candidate, row, "candidate")) for row in rows]
            yield CandidatePage(applicants=applicants, next_cursor=next_url)

    def note_texts(self, candidate_id: str) -> Iterator[str]:
        url = self.url(f"candidates/{candidate_id}/activities")
        for rows, _next in self._pages(url, {"limit": self.page_size}, _Activities, "activities"):
            yield from (activity["body"] or "" for activity in rows)

    def _pages(
        self, url: str | None, params: dict[str, Any] | None, schema: type[_Paged], key: str
    ) -> Iterator[tuple[list[dict], str | None]]:
        """Each page's `key` rows and the next page's URL, which carries its own query."""
        while url:
            page = load_api(schema, self.get_json(url, params=params), key)
            url, params = page["paging"].get("next"), None
            yield page[key], url

    def add_tag(self, candidate_id: str, tag: str) -> None:
        wanted = self.normalise_tag(tag)
        current = self._current_tags(candidate_id)
        if wanted not in {t.casefold() for t in current}:
            self._put_tags(candidate_id, [*current, wanted])

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        unwanted = self.normalise_tag(tag)
        current = self._current_tags(candidate_id)
        kept = [t for t in current if t.casefold() != unwanted]
        if kept != current:
            self._put_tags(candidate_id, kept)

    def add_note(self, candidate_id: str, text: str) -> None:
        comment: dict[str, Any] = {"body": text}
        if policy := self.setting("note_policy"):
            comment["policy"] = policy
        body = {"member_id": self.acting_user_id(), "comment": comment}
        self.request("POST", f"candidates/{candidate_id}/comments", json_body=body)

    def _candidate(self, candidate_id: str) -> dict:
        data = self.get_json(f"candidates/{candidate_id}")
        wrapped = data.get("candidate") if isinstance(data, dict) else None
        return load_api(_Candidate, wrapped if wrapped is not None else data, "candidate")

    def _current_tags(self, candidate_id: str) -> list[str]:
        """The candidate's tags as read; ConnectorError when the answer has no `tags` key, since
        the PUT that follows replaces every tag the candidate has."""
        tags = self._candidate(candidate_id)["tags"]
        if tags is None:
            raise ConnectorError(
                "tags_unknown",
                f"Workable candidate {candidate_id} was read without a `tags` key: HireWatch will not "
                "replace tags it cannot see; set the tag by hand in Workable",
            )
        return tags

    def _put_tags(self, candidate_id: str, tags: list[str]) -> None:
        # Another writer may change the tags between our read and this write; the set we write
        # is the one we read plus or minus ours, so at worst a concurrent change is undone.
        self.request("PUT", f"candidates/{candidate_id}/tags", json_body={"tags": tags})


def _base64_of_hex(hex_digest: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(hex_digest)).decode()
    except (ValueError, binascii.Error):
        return ""


def _body(part: Any) -> str:
    """An answer part as text: `{"body"}` (free text), `{"choices"}` (texts or `{"body"}` objects),
    `{"checked"}` (yes/no), `{"date"}` or `{"number"}`; plain strings pass."""
    if not isinstance(part, dict):
        return str(part or "")
    if part.get("choices"):
        return ", ".join(text for text in map(_body, part["choices"]) if text)
    if isinstance(part.get("checked"), bool):
        return "Yes" if part["checked"] else "No"
    return next((str(part[key]) for key in ("body", "date", "number") if part.get(key) not in (None, "")), "")


def _answer_text(answer: dict) -> str | None:
    question, value = _body(answer.get("question")), _body(answer.get("answer"))
    return f"{question}: {value}" if question and value else None


def to_applicant(candidate: dict) -> Applicant:
    """A validated Workable candidate as our Applicant."""
    location = candidate["location"]
    return Applicant(
        id=candidate["id"],
        name=candidate["name"] or "",
        first_name=candidate["firstname"],
        last_name=candidate["lastname"],
        emails=unique([candidate["email"]]),
        phones=unique([candidate["phone"]]),
        addresses=unique([candidate["address"]]),
        location=location["location_str"] if location else None,
        urls=unique(s["url"] for s in candidate["social_profiles"]),
        employers=unique(e["company"] for e in candidate["experience_entries"]),
        education=unique(e["school"] for e in candidate["education_entries"]),
        cover_letter=candidate["cover_letter"] or "",
        answers=unique(_answer_text(a) for a in candidate["answers"]),
        attachments=[Attachment(filename="resume", url=candidate["resume_url"])]
        if candidate["resume_url"]
        else [],
        source={"platform": "workable", "candidate_id": candidate["id"]},
    )
