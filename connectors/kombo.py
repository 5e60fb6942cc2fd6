"""Kombo: one unified ATS API in front of Workday, SAP SuccessFactors, iCIMS, Teamtailor, Recruitee, ...

Sources (the Kombo OpenAPI document published with docs.kombo.dev, "Kombo API 1.0.0", and the
official Python SDK `kombo` 1.4.0, whose pydantic models are generated from it; we validate every
answer and webhook with those models):
- base URLs: https://api.kombo.dev/v1 (EU), https://api.us.kombo.dev/v1 (US) (OpenAPI `servers`);
- auth: `Authorization: Bearer <API key>` and the header `X-Integration-Id` on every ATS call
  (OpenAPI securitySchemes.ApiKey; parameter X-Integration-Id of each /ats operation);
- GET /check-api-key, GET /integrations/{integration_id} (tool, status, `write_actions` with
  `is_available`): https://docs.kombo.dev/general/check-api-key, /general/get-integration;
- GET /ats/candidates with `cursor`, `page_size` (max 250), `updated_after`, `ids`; answers
  `{status, data: {next, results}}`; the official SDK re-sends every filter with the cursor, and so
  do we: https://docs.kombo.dev/ats/v1/get-candidates;
- POST and DELETE /ats/candidates/{candidate_id}/tags with `{"tag": {"name"}}` (Kombo creates a
  missing tag; removing one that is not there succeeds; permission "Manage tags"):
  https://docs.kombo.dev/ats/v1/post-candidates-candidate-id-tags, .../delete-candidates-candidate-id-tags;
- POST /ats/applications/{application_id}/notes with `{content, content_type: "PLAIN_TEXT"}`
  (notes belong to applications; permission "Add notes"): .../post-applications-application-id-notes;
- GET /ats/candidates/{candidate_id}/attachments (type CV | COVER_LETTER | OTHER, `data_url`;
  permission "Read document attachments"): .../get-candidates-candidate-id-attachments;
- webhooks: `X-Kombo-Signature` = HMAC-SHA256 of the raw body with the Kombo webhook secret,
  base64url without `=` padding (https://docs.kombo.dev/webhooks, "Validate the data");
  `data-changed` names the changed models, never the records (SDK DataChangedWebhookPayload;
  https://docs.kombo.dev/guides/migrate-to-data-changed). Kombo delivers after its periodic sync
  of the underlying ATS: minutes after the applicant applied, not seconds.
- integration ids read `<tool>:<id>` ("personio:CBNMt7dSNCzBdnRTx87dev4E" in the webhook examples),
  so the underlying ATS is known before any call.

UNCONFIRMED (the code fails safe): Kombo's rate limits (none published in the documents we have:
we honour 429 and Retry-After, as for every platform); whether `data_url` attachment links need
our API key (we never send it off the API host: an unreadable file is logged and screening goes on);
the ids of the ATS write actions in `write_actions` (we match "tag" and "note" in their ids or
labels, and report an action we cannot find as unknown, not as available). Kombo has no endpoint to
read notes back, so a retried note may be written twice (at least once, like SmartRecruiters).
Candidates Kombo reports deleted are skipped, never deleted here: only a signed delete event does that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from connectors.base import (
    AccessCheck,
    AccessProbe,
    AuthType,
    CandidatePage,
    Connector,
    ConnectorError,
    EventKind,
    PayloadError,
    SettingField,
    WebhookEvent,
    response_json,
)
from connectors.payload import decode_json, header, same_digest, unique
from screening.models import Applicant, Attachment

# data-changed models that can change what we screen.
SCREENED_MODELS = frozenset({"ats_candidates", "ats_applications", "ats_attachments"})
ATTACHMENT_KINDS = {"CV": "resume", "COVER_LETTER": "cover_letter"}
PAGE_SIZE = 250  # Kombo's maximum, and what its guide recommends


@dataclass(frozen=True, slots=True)
class IntegrationInfo:
    """What `GET /integrations/{id}` says about the connected ATS and the writes it allows."""

    tool: str
    label: str
    status: str
    can_tag: bool | None  # None: Kombo did not say (we could not find the action)
    can_note: bool | None


def _sign(secret: str, raw_body: bytes) -> str:
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _validated(model: type, data: Any, what: str) -> Any:
    """An SDK model validated from a Kombo answer; a shape we do not know is a bad response."""
    from pydantic import ValidationError  # the SDK's dependency: loaded only where Kombo is used

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConnectorError("bad_response", f"Kombo {what}: {exc.error_count()} fields unexpected") from exc


def tool_of(integration_id: str | None) -> str | None:
    """The underlying ATS named in a Kombo integration id ("workday:8d1h..." -> "workday")."""
    tool, sep, _ = (integration_id or "").partition(":")
    return tool if sep and tool else None


class Kombo(Connector):
    name = "kombo"
    display_name = "Kombo"
    api_base = "https://api.kombo.dev/v1"
    api_hosts = ("api.kombo.dev", "api.us.kombo.dev")  # EU and US (OpenAPI `servers`)
    signature_header = "X-Kombo-Signature"
    signature_scheme = "hmac-sha256 over the raw body, base64url without padding"
    events: ClassVar[Mapping[str, EventKind]] = {
        "data-changed": EventKind.DATA_CHANGED,
        "sync-finished": EventKind.IGNORED,
        "integration-created": EventKind.IGNORED,
        "integration-deleted": EventKind.IGNORED,
        "integration-state-changed": EventKind.IGNORED,
        "connection-flow-failed": EventKind.IGNORED,
    }
    dedupe_source = "body field id"
    auth_type = AuthType.BEARER
    required_permissions = ("Manage tags", "Add notes", "Read document attachments")
    # UNCONFIRMED: the name Kombo's scope settings give candidate reads (only a message uses it).
    access_probe = AccessProbe("ats/candidates", "Read candidates", params={"page_size": 1})
    settings_fields = (
        SettingField(
            id="integration_id",
            type="text",
            label="Kombo integration id",
            required=True,
            description="The integration (one customer's ATS) to read and write, sent as X-Integration-Id.",
        ),
    )

    @classmethod
    def underlying_ats(cls, settings: Mapping[str, Any]) -> str | None:
        return tool_of(settings.get("integration_id"))

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        return same_digest(_sign(secret, raw_body), header(headers, cls.signature_header))

    @classmethod
    def sign(cls, secret: str, raw_body: bytes, **kw: Any) -> dict[str, str]:
        return {"Content-Type": "application/json", cls.signature_header: _sign(secret, raw_body)}

    @classmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        body = decode_json(raw_body)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise PayloadError(422, "type: missing")
        event = WebhookEvent(kind=cls.event_kind(body["type"]), event_type=body["type"])
        event.dedupe_key = str(body["id"]) if body.get("id") else None
        if event.kind is EventKind.DATA_CHANGED:
            from kombo.models import DataChangedWebhookPayload

            try:
                payload = DataChangedWebhookPayload.model_validate(body)
            except ValueError as exc:
                raise PayloadError(422, f"data-changed body: {exc}") from exc
            changed = {model.name for model in payload.data.changed_models}
            if payload.data.integration_category != "ATS" or not changed & SCREENED_MODELS:
                event.kind = EventKind.IGNORED
        return event

    # ----- API ------------------------------------------------------------------------------

    def _authenticate(self) -> None:
        super()._authenticate()
        integration_id = self.installation.settings.get("integration_id")
        if integration_id:
            self.session.headers["X-Integration-Id"] = str(integration_id)

    def integration(self) -> IntegrationInfo:
        """The connected ATS and which of our writes it supports (checked at installation)."""
        from kombo.models import GetIntegrationsIntegrationIDPositiveResponse

        integration_id = self.setting("integration_id")
        if not integration_id:
            raise ConnectorError("integration_id_missing", "set the installation's Kombo integration id")
        answer = self.get_json(f"integrations/{integration_id}")
        data = _validated(GetIntegrationsIntegrationIDPositiveResponse, answer, "integration").data
        actions = [(a.id, a.label or "", a.is_available) for a in data.write_actions]
        return IntegrationInfo(
            tool=data.tool.id,
            label=data.tool.label,
            status=str(data.status),
            can_tag=_available(actions, "tag"),
            can_note=_available(actions, "note"),
        )

    def check_access(self) -> AccessCheck:
        """The integration first (a wrong integration id is named as such), then the base check,
        then what the ATS behind Kombo lets us write: a tag or note write the integration does not
        offer is reported here, not discovered at the first flagged applicant."""
        if not self.installation.api_key:
            return super().check_access()
        try:
            info = self.integration()
        except ConnectorError as exc:
            if exc.reason == "not_found":
                integration_id = self.setting("integration_id")
                return AccessCheck(False, "wrong_integration", f"Kombo has no integration {integration_id!r}")
            checked = super().check_access()  # a wrong URL, key or permission: the base check names it
            if checked.ok:
                return AccessCheck(False, "refused", f"Kombo did not describe the integration ({exc.reason})")
            return checked
        checked = super().check_access()
        if not checked.ok:
            return checked
        writes = (("add tags", info.can_tag, "Manage tags"), ("add notes", info.can_note, "Add notes"))
        missing = [f"{what} (Kombo scope {scope!r})" for what, can, scope in writes if can is False]
        if missing:
            return AccessCheck(
                False,
                "missing_permission",
                f"{info.label} through Kombo does not let HireWatch {' or '.join(missing)}: enable it in "
                "Kombo's scope config, or the ATS does not offer it",
            )
        unknown = [what for what, can, _ in writes if can is None]
        said = f"; Kombo did not say whether it may {' or '.join(unknown)}" if unknown else ""
        return AccessCheck(True, message=f"{info.label} via Kombo ({info.status}): candidates readable{said}")

    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        candidate = self._candidate(candidate_id)
        applicant = to_applicant(candidate)
        self._add_attachments(applicant)
        return applicant

    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Pages of GET /ats/candidates. Our cursor is JSON `{"next", "updated_after"}`, so a
        changes listing (see `changes_cursor`) keeps its filter on every page, as Kombo's SDK does.
        A changes listing also reads each candidate's résumé: those pages hold new applicants."""
        position = json.loads(cursor) if cursor else {}
        since = position.get("updated_after")
        while True:
            params = {"page_size": PAGE_SIZE, "updated_after": since, "cursor": position.get("next")}
            results, next_page = self._candidates_page({k: v for k, v in params.items() if v})
            applicants = [to_applicant(c) for c in results if c.remote_deleted_at is None]
            if since:
                for applicant in applicants:
                    self._add_attachments(applicant)
            position = {"next": next_page, "updated_after": since}
            yield CandidatePage(applicants, json.dumps(position) if next_page else None)
            if not next_page:
                return

    @classmethod
    def changes_cursor(cls, since: datetime) -> str:
        """A `list_candidates` cursor for the candidates changed since `since`."""
        moment = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{since.microsecond // 1000:03d}Z"
        return json.dumps({"next": None, "updated_after": moment})

    def add_tag(self, candidate_id: str, tag: str) -> None:
        self.post_json(f"ats/candidates/{candidate_id}/tags", {"tag": {"name": tag}}, idempotent=True)

    def remove_tag(self, candidate_id: str, tag: str) -> None:
        self.request("DELETE", f"ats/candidates/{candidate_id}/tags", json_body={"tag": {"name": tag}})

    def add_note(self, candidate_id: str, text: str) -> None:
        """Notes belong to applications in Kombo: the candidate's most recent one gets it."""
        applications = sorted(
            self._candidate(candidate_id).applications,
            key=lambda a: a.remote_created_at or a.changed_at,
            reverse=True,
        )
        if not applications:
            raise ConnectorError("no_application", f"Kombo candidate {candidate_id} has no application")
        body = {"content": text, "content_type": "PLAIN_TEXT"}
        self.post_json(f"ats/applications/{applications[0].id}/notes", body)

    def _candidates_page(self, params: dict[str, Any]) -> tuple[list, str | None]:
        from kombo.models import GetAtsCandidatesPositiveResponse

        answer = response_json(self.request("GET", "ats/candidates", params=params), self.display_name)
        data = _validated(GetAtsCandidatesPositiveResponse, answer, "candidates").data
        return data.results, data.next

    def _look_up_candidate(self, candidate_id: str) -> None:
        self._candidate(candidate_id)

    def _candidate(self, candidate_id: str) -> Any:
        results, _ = self._candidates_page({"ids": candidate_id})
        found = [c for c in results if c.id == candidate_id]
        if not found:
            raise ConnectorError("not_found", f"Kombo has no candidate {candidate_id}")
        return found[0]

    def _add_attachments(self, applicant: Applicant) -> None:
        from kombo.models import GetAtsCandidatesCandidateIDAttachmentsPositiveResponse

        answer = self.get_json(f"ats/candidates/{applicant.id}/attachments")
        files = _validated(GetAtsCandidatesCandidateIDAttachmentsPositiveResponse, answer, "attachments")
        for item in files.data.results:
            kind = ATTACHMENT_KINDS.get(str(item.type), "other")
            applicant.attachments.append(
                Attachment(
                    filename=item.file_name, content_type=item.content_type, url=item.data_url, kind=kind
                )
            )
        self.read_attachments(applicant)


def _available(actions: list[tuple[str, str, bool]], word: str) -> bool | None:
    """Whether a write action about `word` ("tag", "note") is available; None if none is named so."""
    found = [available for action_id, label, available in actions if word in f"{action_id} {label}".lower()]
    return any(found) if found else None


def _text(value: Any) -> str:
    return "" if value in (None, "", [], {}) else str(value)


def to_applicant(candidate: Any) -> Applicant:
    """A Kombo candidate (SDK model) as an Applicant. Kombo's unified model has the current company
    and title, no work history or date of birth; custom fields are read as answers."""
    location = candidate.location
    applications = candidate.applications or []
    return Applicant(
        id=candidate.id,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        emails=unique(e.email_address for e in candidate.email_addresses or []),
        phones=unique(p.phone_number for p in candidate.phone_numbers or []),
        addresses=unique([_address(location)]),
        location=location.raw if location else None,
        urls=unique(s.link for s in candidate.social_media or []),
        employers=unique([candidate.company]),
        answers=unique(
            f"{key}: {_text(value)}" for key, value in (candidate.custom_fields or {}).items() if _text(value)
        ),
        source={
            "platform": "kombo",
            "candidate_id": candidate.id,
            "remote_id": str(candidate.remote_id),
            **({"remote_url": candidate.remote_url} if candidate.remote_url else {}),
            **({"application_id": applications[0].id} if applications else {}),
        },
    )


def _address(location: Any) -> str | None:
    if location is None or not location.street_1:
        return None
    parts = (location.street_1, location.street_2, location.zip_code, location.city, location.country)
    return ", ".join(p for p in parts if p)
