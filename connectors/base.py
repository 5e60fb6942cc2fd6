"""The one shape every ATS connector has.

A connector verifies a webhook signature, parses an event into our `Applicant` model, lists
candidates with the platform's pagination, writes tags and notes back and, where the platform
allows, reads notes back (so a retried note write can tell whether an earlier attempt landed).
The base class owns HTTP: the session, timeouts, retries with back-off on 429/5xx honouring
Retry-After, auth and the acting-user header. A connector module sets its class attributes and
implements the platform-specific methods; `connectors.registry` maps the platform name to the class.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import logging
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol
from urllib.parse import quote, urljoin, urlsplit

import requests

from connectors import resume, urls
from screening.models import Applicant, Risk

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    APPLICATION_CREATED = "application_created"  # screen
    CANDIDATE_UPDATED = "candidate_updated"  # re-screen when identity fields changed
    CANDIDATE_MERGED = "candidate_merged"
    CANDIDATE_DELETED = "candidate_deleted"  # deleted or anonymised: drop our copy and its keys
    DATA_CHANGED = "data_changed"  # records changed, not named (Kombo): screen what changed since last time
    PING = "ping"  # the platform checking the endpoint
    IGNORED = "ignored"  # a known event type we do not act on


class AuthType(StrEnum):
    BASIC_API_KEY = "basic_api_key"  # HTTP Basic, API key as user name, empty password
    BEARER = "bearer"  # Authorization: Bearer <token>
    TOKEN_HEADER = "token_header"  # the key in a vendor header (SmartRecruiters X-SmartToken)
    # OAuth 2.0 client credentials: client id and secret buy a short-lived bearer token.
    OAUTH_CLIENT_CREDENTIALS = "oauth_client_credentials"


@dataclass(frozen=True, slots=True)
class ActingUser:
    """Where a platform wants the user a write is made on behalf of."""

    location: str  # header | query | body
    name: str  # header, query parameter or body field name
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class SettingField:
    """A per-installation setting a platform reads (manifest.json lists them as config fields)."""

    id: str
    type: str  # text | boolean | select | json
    label: str
    description: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessProbe:
    """The one cheap read that proves an installation works, and the vendor permission it needs."""

    path: str
    permission: str  # the vendor's own name for the permission, as its admin screen shows it
    method: str = "GET"
    params: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AccessCheck:
    """What `Connector.check_access` found: ok, or which of URL, credentials or permission is wrong."""

    ok: bool
    problem: str | None = None  # wrong_url | bad_credentials | missing_permission | unreachable | refused
    message: str = "authenticated and read one page of candidates"


@dataclass(slots=True)
class Installation:
    """What a connector needs to know about one tenant (one ATS account), secrets decrypted."""

    id: str
    platform: str
    api_key: str | None = field(default=None, repr=False)  # secrets stay out of reprs and logs
    webhook_secret: str | None = field(default=None, repr=False)
    api_base_url: str | None = None
    on_behalf_of: str | None = None  # acting user id/email where the API requires one
    settings: dict = field(default_factory=dict)
    client_id: str | None = None  # OAuth client credentials (AuthType.OAUTH_CLIENT_CREDENTIALS)
    client_secret: str | None = field(default=None, repr=False)
    token_url: str | None = None  # the token endpoint, when not the vendor's default


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


@dataclass(slots=True)
class RateLimitState:
    """What the platform's rate-limit headers said on the last response (None: not sent)."""

    limit: int | None = None
    remaining: int | None = None
    reset_in: float | None = None  # seconds until the window resets


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    expires_at: float  # Unix time
    renew_at: float = 0.0  # Unix time after which a new token is fetched first (0: expires_at)

    def due(self, now: float) -> bool:
        return now >= (self.renew_at or self.expires_at)


class TokenCache(Protocol):
    """Where access tokens are kept between requests; the workers share one (tasks.tokens)."""

    def get(self, key: str) -> AccessToken | None: ...

    def put(self, key: str, token: AccessToken) -> None: ...

    def drop(self, key: str) -> None: ...

    def renewing(self, key: str) -> AbstractContextManager[object]:
        """Held while one process renews the token, so that the others wait for its token
        instead of each buying one."""
        ...


class MemoryTokenCache:
    """Tokens kept in this process (tests, the CLI); expired ones are never returned."""

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> AccessToken | None:
        token = self._tokens.get(key)
        return token if token and token.expires_at > time.time() else None

    def put(self, key: str, token: AccessToken) -> None:
        self._tokens[key] = token

    def drop(self, key: str) -> None:
        self._tokens.pop(key, None)

    def renewing(self, key: str) -> AbstractContextManager[object]:
        return self._lock


_PROCESS_TOKENS = MemoryTokenCache()
# A token is renewed this long before it expires (a quarter of its life when that is shorter), so
# none expires in the middle of a request.
TOKEN_RENEW_MARGIN = 60.0
# When a token answer says nothing of its lifetime: assume a short one (renewing early is cheap).
TOKEN_DEFAULT_LIFETIME = 300.0


class _Retryable(Exception):
    """One attempt failed in a way another attempt may fix."""

    def __init__(self, reason: str, message: str, delay: float):
        super().__init__(message)
        self.reason, self.message, self.delay = reason, message, delay


CHECK_MAX_WAIT = 5.0  # seconds of retrying an access check may spend (an admin waits for it)
MAX_REDIRECTS = 5  # attachment downloads: hops followed, each one checked
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_EPOCH_THRESHOLD = 1_000_000_000  # a reset value above this is a Unix timestamp, not a delay


class Connector(ABC):
    # Identity and webhook metadata (the registry turns these into routes and manifest.json).
    name: ClassVar[str]  # registry key, lower case: "smartrecruiters"
    display_name: ClassVar[str]  # the vendor's spelling: "SmartRecruiters"
    api_base: ClassVar[str]
    # The hosts the vendor's API (and its token endpoint) lives on, regional variants included:
    # the only places an installation's credentials may be sent ("*.example.com": any subdomain).
    api_hosts: ClassVar[tuple[str, ...]]
    event_header: ClassVar[str | None] = None
    signature_header: ClassVar[str]  # header name, or the body field when signature_location is "body"
    signature_location: ClassVar[str] = "header"  # header | body (Lever signs inside the body)
    signature_scheme: ClassVar[str]  # e.g. "hmac-sha256-hex(raw body)"
    success_status: ClassVar[int] = 200
    handshake_kind: ClassVar[str | None] = None  # e.g. "x-hook-secret-echo"
    handshake_status: ClassVar[int] = 200  # the reply status to a handshake request
    events: ClassVar[Mapping[str, EventKind]]  # vendor event name -> what we do with it
    dedupe_source: ClassVar[str | None] = None  # where the vendor's delivery id comes from
    # Delete events after which the ATS keeps the (anonymised) candidate: not confirmed by a 404.
    anonymise_events: ClassVar[frozenset[str]] = frozenset()
    replay_window: ClassVar[float | None] = None  # seconds a signed timestamp stays acceptable
    # Whether the signature covers the body that names the event and its candidate (Lever's
    # covers only a token and a time): an unsigned body is acted on only as the ATS confirms it.
    signs_event_body: ClassVar[bool] = True

    # API metadata.
    auth_type: ClassVar[AuthType]
    auth_header: ClassVar[str | None] = None  # for AuthType.TOKEN_HEADER
    token_url: ClassVar[str | None] = None  # for AuthType.OAUTH_CLIENT_CREDENTIALS
    required_permissions: ClassVar[tuple[str, ...]] = ()
    access_probe: ClassVar[AccessProbe]  # the read `check_access` makes
    candidate_path: ClassVar[str] = "candidates/{id}"  # GET one candidate (`candidate_exists`)
    writeback_kinds: ClassVar[tuple[str, ...]] = ("tag", "note")
    acting_user: ClassVar[ActingUser | None] = None
    settings_fields: ClassVar[tuple[SettingField, ...]] = ()
    default_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}
    # (limit, remaining, reset) header names; reset is seconds or a Unix timestamp, None if not sent.
    rate_limit_headers: ClassVar[tuple[str, str, str | None] | None] = None

    # HTTP behaviour (overridable per platform; tests shrink the waits through `sleep`).
    connect_timeout: ClassVar[float] = 5.0
    read_timeout: ClassVar[float] = 30.0
    max_attempts: ClassVar[int] = 4
    max_total_wait: ClassVar[float] = 60.0  # beyond this, hand the wait to the caller (Celery)
    backoff_base: ClassVar[float] = 1.0
    backoff_cap: ClassVar[float] = 30.0

    def __init__(
        self,
        installation: Installation,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        tokens: TokenCache | None = None,
        allowed_urls: Sequence[str] = (),
        resume_limits: resume.Limits = resume.DEFAULT_LIMITS,
    ):
        self.installation = installation
        self.session = session or requests.Session()
        self.session.headers.update(self.default_headers)
        self._sleep = sleep
        self._tokens = tokens or _PROCESS_TOKENS
        self.allowed_urls = tuple(allowed_urls)  # the operator's HIREWATCH_ALLOW_API_URLS
        self.resume_limits = resume_limits
        self._public_session = urls.public_session()  # attachment URLs from strangers
        self._plain_session = requests.Session()  # operator-allowed URLs (sandbox, test stand-ins)
        self.rate_limit = RateLimitState()
        self._authenticate()

    # ----- webhooks -------------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def verify(cls, secret: str, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        """True when the signature over the raw body bytes is valid (compared in constant time);
        PayloadError(400) where the signature is inside a body that cannot be decoded."""

    @classmethod
    @abstractmethod
    def sign(cls, secret: str, raw_body: bytes, **kw: Any) -> dict[str, str]:
        """The headers the vendor would send with `raw_body` (tests, sandbox ATS, benchmarks)."""

    @classmethod
    def signed_delivery(
        cls, secret: str, payload: Mapping[str, Any], **kw: Any
    ) -> tuple[bytes, dict[str, str]]:
        """A complete delivery: body bytes as the vendor sends them and their headers."""
        raw_body = json.dumps(payload).encode()
        return raw_body, cls.sign(secret, raw_body, **kw)

    @classmethod
    def replay_key(cls, raw_body: bytes, headers: Mapping[str, str]) -> str:
        """What the signature covers, as a key: a verified delivery whose key was seen before is a
        replay, whatever else (an unsigned event-id header) differs. The default is the body's
        hash, for platforms that sign the whole body; call it only on a verified delivery."""
        return "sha256:" + hashlib.sha256(raw_body).hexdigest()

    @classmethod
    def handshake(cls, headers: Mapping[str, str]) -> dict[str, str] | None:
        """Headers to echo for a subscription handshake (SmartRecruiters' X-Hook-Secret), or None."""
        return None

    @classmethod
    @abstractmethod
    def parse_event(cls, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The event in our terms; raises PayloadError naming what is wrong."""

    @classmethod
    def event_kind(cls, vendor_event: str) -> EventKind:
        return cls.events.get(vendor_event, EventKind.IGNORED)

    # ----- API ------------------------------------------------------------------------------

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

    def candidate_exists(self, candidate_id: str) -> bool | None:
        """Whether the ATS still has the candidate (a signed delete is confirmed by False); None
        where the platform cannot tell us."""
        try:
            self._look_up_candidate(candidate_id)
        except ConnectorError as exc:
            if exc.reason == "not_found":
                return False
            raise
        return True

    def _look_up_candidate(self, candidate_id: str) -> None:
        """One cheap read of the candidate; ConnectorError('not_found') when the ATS has none."""
        self.request("GET", self.candidate_path.format(id=quote(candidate_id, safe="")))

    @classmethod
    def underlying_ats(cls, settings: Mapping[str, Any]) -> str | None:
        """The ATS behind a unified API (Kombo: "workday", ...), for display; None for a direct ATS."""
        return None

    @classmethod
    def changes_cursor(cls, since: datetime) -> str | None:
        """A `list_candidates` cursor for the candidates changed since `since`; None where the
        platform cannot list changes (its webhooks name each candidate instead)."""
        return None

    def note_texts(self, candidate_id: str) -> Iterable[str] | None:
        """The text of the candidate's notes, fetched lazily page by page; None where the platform
        offers no way to read notes back (the default)."""
        return None

    def verdict_status(self, risk: Risk) -> str | None:
        """The value HireWatch's verdict writes to a platform field of the candidate's own (Ashby's
        fraud status) where the installation opted in; None: nothing to write (the default)."""
        return None

    def write_verdict(self, candidate_id: str, status: str) -> str:
        """Write `verdict_status`'s value; what happened, in words for the audit log."""
        raise NotImplementedError(f"{self.display_name} has no verdict field to write")

    def find_note(self, candidate_id: str, marker: str) -> bool | None:
        """Whether a note containing `marker` is on the candidate; None: this platform cannot tell.

        A write-back retry asks this before posting a note an earlier attempt may have written.
        """
        texts = self.note_texts(candidate_id)
        return None if texts is None else any(marker in text for text in texts)

    # ----- HTTP (shared by every connector) ---------------------------------------------------

    @property
    def base_url(self) -> str:
        """The installation's API base (EU data centre, sandbox, tests) or the vendor default."""
        return (self.installation.api_base_url or self.api_base).rstrip("/")

    def _authenticate(self) -> None:
        if self.auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS:
            problem = self.credentials_problem(self.installation)
            if problem:  # never call the vendor with credentials it no longer accepts
                raise ConnectorAbort("needs_credentials", f"{self.display_name}: {problem}")
            return  # the bearer token is fetched on the first request (`_auth_headers`)
        key = self.installation.api_key
        if not key:
            return  # requests then fail with 401 -> ConnectorAbort, which names the fix
        if self.auth_type is AuthType.BASIC_API_KEY:
            self.session.auth = (key, "")
        elif self.auth_type is AuthType.BEARER:
            self.session.headers["Authorization"] = f"Bearer {key}"
        else:
            self.session.headers[self.auth_header or "Authorization"] = key

    # ----- OAuth client credentials ------------------------------------------------------------

    credentials_label: ClassVar[str] = "OAuth client credentials"

    @classmethod
    def credentials_problem(cls, installation: Installation) -> str | None:
        """What stops this installation from authenticating, in words an admin acts on; None if
        nothing. Only OAuth platforms can tell without calling the vendor."""
        if cls.auth_type is not AuthType.OAUTH_CLIENT_CREDENTIALS:
            return None
        if installation.client_id and installation.client_secret:
            return None
        return f"needs {cls.credentials_label}"

    def has_credentials(self) -> bool:
        """Whether there is anything to authenticate with (an API key, or OAuth client credentials)."""
        if self.auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS:
            return bool(self.installation.client_id and self.installation.client_secret)
        return bool(self.installation.api_key)

    def token_form(self) -> dict[str, str]:
        """The form body of the token request (a platform adds what its token endpoint wants)."""
        return {"grant_type": "client_credentials"}

    @property
    def token_endpoint(self) -> str:
        """The token URL: the vendor's, or the installation's when it passes the same check as
        its API URL (the platform's `api_hosts` over https, or an operator-allowed prefix)."""
        url = self.installation.token_url or self.token_url
        if not url:
            raise ConnectorAbort("needs_credentials", f"{self.display_name}: no token URL configured")
        return self.check_api_url(url, field="token_url")

    def token_key(self) -> str:
        """One cache entry per installation and credential set: new credentials, new token."""
        credentials = f"{self.installation.client_id}|{self.installation.client_secret}|{self.token_form()}"
        digest = hashlib.sha256(f"{self.token_endpoint}|{credentials}".encode()).hexdigest()[:16]
        return f"{self.name}:{self.installation.id}:{digest}"

    def _auth_headers(self) -> dict[str, str]:
        if self.auth_type is not AuthType.OAUTH_CLIENT_CREDENTIALS:
            return {}
        key = self.token_key()
        token = self._tokens.get(key)
        if token is None or token.due(time.time()):
            with self._tokens.renewing(key):
                token = self._tokens.get(key)  # another worker may have renewed it meanwhile
                if token is None or token.due(time.time()):
                    token = self._issue_token()
                    self._tokens.put(key, token)
        return {"Authorization": f"Bearer {token.value}"}

    def _drop_token(self) -> None:
        self._tokens.drop(self.token_key())

    def _issue_token(self) -> AccessToken:
        """POST the client credentials to the token endpoint (through the same session, so the
        request spends the account's rate budget like any other)."""
        where = f"{self.display_name} token endpoint"
        client = (self.installation.client_id or "", self.installation.client_secret or "")
        if not all(_header_safe(part) for part in client):
            raise ConnectorAbort(
                "unauthorized", "the client id or secret has characters no credential has: paste it again"
            )
        try:
            response = self.session.post(
                self.token_endpoint,
                data=self.token_form(),
                auth=client,
                timeout=(self.connect_timeout, self.read_timeout),
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ConnectorError("network", f"{where}: {exc.__class__.__name__}") from exc
        status = response.status_code
        if status in (400, 401, 403):
            raise ConnectorAbort(
                "token_refused",
                f"{where} answered {status}: check the client id, secret and on-behalf-of user, "
                "and the credential's scopes",
            )
        if status == 429 or status >= 500:
            reason = "rate_limited" if status == 429 else "server_error"
            raise ConnectorError(reason, f"{where} answered {status}", self._retry_delay(response, 1))
        if status >= 300:
            raise ConnectorError("client_error", f"{where} answered {status}")
        return parse_token(response_json(response, self.display_name))

    def setting(self, field_id: str) -> Any:
        """The installation's value for one of `settings_fields`, or that field's default."""
        defaults = {f.id: f.default for f in self.settings_fields}
        if field_id not in defaults:
            raise KeyError(f"{self.name} declares no setting {field_id!r}")
        return self.installation.settings.get(field_id, defaults[field_id])

    def acting_user_id(self) -> str | None:
        """The configured acting user; ConnectorAbort when the platform requires one and it is unset."""
        spec = self.acting_user
        value = self.installation.on_behalf_of
        if spec and spec.required and not value:
            raise ConnectorAbort(
                "acting_user_missing",
                f"{self.display_name} needs {spec.description} for write-backs: "
                "set the installation's on-behalf-of user",
            )
        return value

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def check_api_url(self, url: str, field: str = "api_base_url") -> str:
        """`url` when the installation's credentials may go there (the platform's API hosts over
        https, or an operator-allowed prefix); ConnectorAbort naming the field otherwise."""
        try:
            return urls.check_api_url(
                url, self.api_hosts, field=field, operator_allowed=self.allowed_urls, vendor=self.display_name
            )
        except urls.UrlRefused as refused:
            raise ConnectorAbort("api_url_refused", str(refused)) from None

    def check_access(self) -> AccessCheck:
        """Authenticate and make one read (`access_probe`): whether this installation works and,
        when it does not, whether the URL, the credentials or a permission is wrong."""
        probe = self.access_probe
        self.max_total_wait = min(self.max_total_wait, CHECK_MAX_WAIT)  # an admin is waiting
        try:
            if not self.has_credentials():  # nothing to authenticate with: the URL alone
                self.check_api_url(self.base_url)
                return AccessCheck(ok=True, message="no API key, so only the API URL was checked")
            self._read_probe(probe)
        except ConnectorError as exc:  # ConnectorAbort too: 401/403, a refused URL, missing config
            return _access_problem(self, exc.reason, probe, str(exc))
        return AccessCheck(ok=True)

    def _read_probe(self, probe: AccessProbe) -> None:
        """Make the probe's call; a connector whose answers carry their own error overrides this."""
        response = self.request(
            probe.method, probe.path, params=probe.params, json_body=probe.body, idempotent=True
        )
        response_json(response, self.display_name)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        acting: bool = False,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """One API call with retries; returns a 2xx/3xx response or raises a connector error.

        429 is always retried (the request was not processed). 5xx and network errors are retried
        only for idempotent calls, so a note is never written twice by a retry.
        """
        method = method.upper()
        retry_server_errors = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        params = dict(params or {})
        headers: dict[str, str] = {}
        if acting:
            self._apply_acting_user(headers, params)
        url = self.check_api_url(self.url(path))
        if not _header_safe(self.installation.api_key):
            raise ConnectorAbort("unauthorized", "the API key has characters no API key has: paste it again")
        waited = 0.0
        token_renewed = False
        for attempt in range(1, self.max_attempts + 1):
            try:
                attempt_headers = {**headers, **self._auth_headers()}
                return self._attempt(method, url, params, json_body, attempt_headers, attempt)
            except ConnectorAbort as refused:
                # A bearer token can be revoked or expire early: get a new one, once, then give up.
                oauth = self.auth_type is AuthType.OAUTH_CLIENT_CREDENTIALS
                if not (oauth and refused.reason == "unauthorized" and not token_renewed):
                    raise
                log.info("connector.token_renewed platform=%s reason=401", self.name)
                self._drop_token()
                token_renewed = True
            except _Retryable as failure:
                if failure.reason != "rate_limited" and not retry_server_errors:
                    raise ConnectorError(failure.reason, failure.message) from None
                if attempt == self.max_attempts or waited + failure.delay > self.max_total_wait:
                    raise ConnectorError(
                        failure.reason,
                        f"{failure.message}; gave up after {attempt} attempts",
                        retry_after=failure.delay,
                    ) from None
                log.info(
                    "connector.retry platform=%s reason=%s attempt=%d delay=%.2f",
                    self.name,
                    failure.reason,
                    attempt,
                    failure.delay,
                )
                self._sleep(failure.delay)
                waited += failure.delay
        raise AssertionError("unreachable: the loop returns or raises")

    def _attempt(
        self, method: str, url: str, params: dict, json_body: Any, headers: dict, attempt: int
    ) -> requests.Response:
        """Send once: the response, a connector error, or _Retryable when worth another go."""
        where = f"{self.display_name} {method} {urlsplit(url).path}"
        try:
            response = self.session.request(
                method,
                url,
                params=params or None,
                json=json_body,
                headers=headers,
                timeout=(self.connect_timeout, self.read_timeout),
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable("network", f"{where}: {exc.__class__.__name__}", self._backoff(attempt)) from exc
        self._note_rate_limit(response)
        status = response.status_code
        if status < 400:
            return response
        if status in (401, 403):
            raise ConnectorAbort(
                "unauthorized" if status == 401 else "forbidden",
                f"{where} answered {status}: check the installation's API key and its permissions",
            )
        if status == 429:
            raise _Retryable("rate_limited", f"{where} answered 429", self._retry_delay(response, attempt))
        if status >= 500:
            raise _Retryable(
                "server_error", f"{where} answered {status}", self._retry_delay(response, attempt)
            )
        # The body stays out: it may be an internal service's answer, and errors reach the tenant.
        reason = "not_found" if status == 404 else "client_error"
        raise ConnectorError(reason, f"{where} answered {status}")

    def _apply_acting_user(self, headers: dict[str, str], params: dict[str, Any]) -> None:
        user = self.acting_user_id()
        spec = self.acting_user
        if not (spec and user):
            return
        if spec.location == "header":
            headers[spec.name] = user
        elif spec.location == "query":
            params[spec.name] = user
        # location "body": the connector puts it into the body it builds

    def _note_rate_limit(self, response: requests.Response) -> None:
        if not self.rate_limit_headers:
            return
        limit, remaining, reset = (response.headers.get(h) if h else None for h in self.rate_limit_headers)
        self.rate_limit = RateLimitState(
            limit=_int_or_none(limit), remaining=_int_or_none(remaining), reset_in=_seconds_until(reset)
        )

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        """Retry-After first, then the platform's reset header, else exponential back-off."""
        delay = _seconds_until(response.headers.get("Retry-After"))
        reset_header = self.rate_limit_headers[2] if self.rate_limit_headers else None
        if delay is None and response.status_code == 429 and reset_header:
            delay = _seconds_until(response.headers.get(reset_header))
        return delay if delay is not None else self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter spreads workers apart

    def get_json(self, path: str, **kw: Any) -> Any:
        return response_json(self.request("GET", path, **kw), self.display_name)

    def post_json(self, path: str, body: Any, **kw: Any) -> Any:
        response = self.request("POST", path, json_body=body, **kw)
        return response_json(response, self.display_name) if response.content else None

    def read_attachments(self, applicant: Applicant) -> None:
        """Fill in the text of résumé and cover-letter attachments and the applicant's résumé text.

        A file we cannot fetch or read (expired link, scanned image, damaged or hostile file) keeps
        no text and records why in `attachment.unreadable`, which the screening reports to the
        recruiter; it never stops the screening of the rest.
        """
        limits = self.resume_limits
        for attachment in applicant.attachments:
            if attachment.kind not in ("resume", "cover_letter") or not attachment.url:
                continue
            try:
                data = self.download(attachment.url, limits.max_bytes)
                attachment.text = resume.extract_text(
                    data, attachment.filename, attachment.content_type, limits
                )
            except ConnectorError as exc:
                attachment.unreadable = f"could not be downloaded: {exc}"
            except resume.ResumeError as exc:
                attachment.unreadable = str(exc)
            except OSError as exc:  # the parsing child could not be started (out of processes...)
                attachment.unreadable = f"could not be read here ({exc.__class__.__name__})"
            if attachment.unreadable:
                log.warning(
                    "connector.attachment_unread platform=%s applicant=%s file=%s reason=%s",
                    self.name,
                    applicant.id,
                    attachment.filename,
                    attachment.unreadable,
                )
        applicant.resume_text = applicant.resume_text or _joined_text(applicant, "resume")
        applicant.cover_letter = applicant.cover_letter or _joined_text(applicant, "cover_letter")

    def download(self, url: str, max_bytes: int) -> bytes:
        """An attachment's bytes, at most `max_bytes` (ConnectorError beyond or when refused).

        Credentials go only to the API's own host: attachment URLs are often pre-signed storage
        links (Greenhouse's S3 URLs) that must not receive our API key. Any other URL is fetched
        only over https from public addresses (`connectors.urls`), or under an operator-allowed
        prefix; redirects are followed by hand, each hop checked again, at most MAX_REDIRECTS.
        """
        for hop in range(MAX_REDIRECTS + 1):
            response = self._get_attachment(url, first=hop == 0)
            with response:
                if not response.is_redirect:
                    return _read_capped(response, max_bytes)
                url = urljoin(url, response.headers["Location"])
        raise ConnectorError(
            "attachment_unavailable", f"attachment redirected more than {MAX_REDIRECTS} times"
        )

    def _get_attachment(self, url: str, first: bool) -> requests.Response:
        """One GET, by the session the URL may be fetched with; no redirect followed."""
        same_host = urlsplit(url).netloc == urlsplit(self.base_url).netloc
        if first and same_host:
            self.check_api_url(url)  # our credentials go with it: the API's own rules apply
            session = self.session
        elif urls.under_prefix(url, self.allowed_urls):
            session = self._plain_session
        else:
            try:
                urls.check_file_url(url)
            except urls.UrlRefused as refused:
                raise ConnectorError("attachment_refused", refused.reason) from None
            session = self._public_session
        try:
            return session.get(
                url, stream=True, allow_redirects=False, timeout=(self.connect_timeout, self.read_timeout)
            )
        except urls.UrlRefused as refused:  # raised on connect: the host resolved to a private address
            raise ConnectorError("attachment_refused", refused.reason) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ConnectorError("network", f"attachment download failed: {exc.__class__.__name__}") from exc


def _read_capped(response: requests.Response, max_bytes: int) -> bytes:
    if response.status_code >= 400:
        raise ConnectorError("attachment_unavailable", f"attachment answered {response.status_code}")
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ConnectorError("attachment_too_large", f"attachment exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _access_problem(connector: Connector, reason: str, probe: AccessProbe, detail: str = "") -> AccessCheck:
    """The failed access check in words an admin can act on, naming what to fix."""
    vendor = connector.display_name
    if reason in ("api_url_refused", "config"):
        return AccessCheck(False, "wrong_url", detail)
    url = f"{connector.base_url}/{probe.path}"
    if reason in ("token_refused", "needs_credentials"):
        return AccessCheck(False, "bad_credentials", detail)
    if reason == "unauthorized":
        return AccessCheck(False, "bad_credentials", f"{vendor} refused the API key (401): check the key")
    if reason == "forbidden":
        return AccessCheck(
            False,
            "missing_permission",
            f"{vendor} refused to list candidates (403): give the API key the permission "
            f"{probe.permission!r}",
        )
    if reason in ("not_found", "bad_response"):
        return AccessCheck(
            False, "wrong_url", f"{url} is not {vendor}'s API ({detail or reason}): check the API base URL"
        )
    if reason == "network":
        return AccessCheck(False, "unreachable", f"could not reach {url}: check the API base URL")
    return AccessCheck(False, "refused", f"{vendor} did not answer the check ({reason}); try again later")


def parse_token(answer: Any) -> AccessToken:
    """The bearer token and when it expires, from a token endpoint's JSON answer.

    The lifetime is read from `expires_in` (seconds), else `expires_at` (ISO 8601 or Unix time),
    else the JWT's own `exp` claim, else assumed short (TOKEN_DEFAULT_LIFETIME).
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("access_token"), str):
        raise ConnectorError("bad_response", "the token endpoint answered without an access_token")
    value = answer["access_token"]
    now = time.time()
    expires_at = _expiry(answer.get("expires_in"), answer.get("expires_at"), value)
    if expires_at is None:
        expires_at = now + TOKEN_DEFAULT_LIFETIME
    margin = min(TOKEN_RENEW_MARGIN, max(0.0, expires_at - now) / 4)
    return AccessToken(value=value, expires_at=expires_at, renew_at=expires_at - margin)


def _expiry(expires_in: Any, expires_at: Any, jwt: str) -> float | None:
    if isinstance(expires_in, int | float) and expires_in > 0:
        return time.time() + float(expires_in)
    if isinstance(expires_at, int | float) and expires_at > _EPOCH_THRESHOLD:
        return float(expires_at)
    if isinstance(expires_at, str):
        try:
            return datetime.fromisoformat(expires_at.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return _jwt_exp(jwt)


def _jwt_exp(jwt: str) -> float | None:
    """The `exp` claim of a JWT, read without verifying it (we only want to know when to renew)."""
    parts = jwt.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


def _header_safe(credential: str | None) -> bool:
    """Whether an HTTP header can carry the credential (printable ASCII); absent is fine."""
    return not credential or (credential.isascii() and credential.isprintable())


def _joined_text(applicant: Applicant, kind: str) -> str:
    return "\n\n".join(a.text for a in applicant.attachments if a.kind == kind and a.text)


def response_json(response: requests.Response, vendor: str) -> Any:
    """The decoded JSON of an API answer; ConnectorError('bad_response') when it is not JSON."""
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        raise ConnectorError(
            "bad_response", f"{vendor} answered {response.status_code} with non-JSON"
        ) from exc


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _seconds_until(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After/reset value: delay seconds, Unix timestamp or HTTP date."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    if number > _EPOCH_THRESHOLD:
        return max(0.0, number - time.time())
    return max(0.0, number)
