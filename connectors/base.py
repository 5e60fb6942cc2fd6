"""The one shape every ATS connector has.

A connector verifies a webhook signature, parses an event into our `Applicant` model, lists
candidates with the platform's pagination, and writes tags and notes back. The base class owns
HTTP: the session, timeouts, retries with back-off on 429/5xx honouring Retry-After, auth and
the acting-user header. A connector module sets its class attributes and implements the
platform-specific methods; `connectors.registry` maps the platform name to the class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from screening.models import Applicant


class EventKind(StrEnum):
    APPLICATION_CREATED = "application_created"  # screen
    CANDIDATE_UPDATED = "candidate_updated"  # re-screen when identity fields changed
    CANDIDATE_MERGED = "candidate_merged"
    CANDIDATE_DELETED = "candidate_deleted"  # deleted or anonymised: drop our copy and its keys
    PING = "ping"  # the platform checking the endpoint
    IGNORED = "ignored"  # a known event type we do not act on


@dataclass(slots=True)
class Installation:
    """What a connector needs to know about one tenant (one ATS account), secrets decrypted."""

    id: str
    platform: str
    api_key: str | None = None
    webhook_secret: str | None = None
    api_base_url: str | None = None
    on_behalf_of: str | None = None  # acting user id/email where the API requires one
    settings: dict = field(default_factory=dict)


@dataclass(slots=True)
class WebhookEvent:
    kind: EventKind
    event_type: str  # the vendor's own name for it
    dedupe_key: str | None = None  # vendor event id when it sends one
    candidate_id: str | None = None
    application_id: str | None = None
    applicant: Applicant | None = None  # when the payload carries the candidate
    merged_from: str | None = None  # for merges: the candidate id that disappeared


@dataclass(slots=True)
class CandidatePage:
    applicants: list[Applicant]
    next_cursor: str | None  # opaque; pass back to list_candidates to resume


class ConnectorError(Exception):
    """This candidate or request failed: retry it or skip it, and go on."""

    def __init__(self, reason: str, message: str = "", retry_after: float | None = None):
        super().__init__(message or reason)
        self.reason = reason
        self.retry_after = retry_after


class ConnectorAbort(ConnectorError):
    """The installation is unusable (bad credentials, revoked access): stop and tell the admin."""


class PayloadError(Exception):
    """A webhook body that is not what the vendor sends: 400 (not JSON) or 422 (fields)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Connector(ABC):
    name: ClassVar[str]  # registry key, lower case: "smartrecruiters"
    display_name: ClassVar[str]  # the vendor's spelling: "SmartRecruiters"
    api_base: ClassVar[str]
    event_header: ClassVar[str | None] = None
    signature_header: ClassVar[str]
    success_status: ClassVar[int] = 200

    def __init__(self, installation: Installation):
        self.installation = installation

    @classmethod
    @abstractmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        """True when the signature over the raw body bytes is valid (compared in constant time)."""

    @classmethod
    def handshake(cls, headers: Mapping[str, str]) -> dict[str, str] | None:
        """Headers to echo for a subscription handshake (SmartRecruiters' X-Hook-Secret), or None."""
        return None

    @classmethod
    @abstractmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The event in our terms; raises PayloadError naming what is wrong."""

    @abstractmethod
    def fetch_candidate(self, candidate_id: str, application_id: str | None = None) -> Applicant:
        """The full candidate (and application) from the API, résumé text extracted."""

    @abstractmethod
    def list_candidates(self, cursor: str | None = None) -> Iterator[CandidatePage]:
        """Every candidate, page by page, starting after `cursor` (None: the beginning)."""

    @abstractmethod
    def add_tag(self, candidate_id: str, tag: str) -> None: ...

    @abstractmethod
    def remove_tag(self, candidate_id: str, tag: str) -> None: ...

    @abstractmethod
    def add_note(self, candidate_id: str, text: str) -> None: ...
