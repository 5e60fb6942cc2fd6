"""One contract every ATS connector passes; each platform supplies only its URLs and bodies.

The vendor API is mocked with `responses` (third-party HTTP only). Webhook bodies come from
vendor-shaped fixtures in tests/fixtures/<platform>/ named after the vendor's event, signed the
way the vendor signs them. Adding an ATS = its connector module + fixtures + one subclass here;
`test_every_registered_platform_has_a_contract` fails until the subclass exists.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from connectors.base import (
    AccessToken,
    Connector,
    ConnectorAbort,
    ConnectorError,
    EventKind,
    Installation,
    MemoryTokenCache,
    PayloadError,
)
from connectors.lever import to_applicant as lever_to_applicant
from connectors.registry import PLATFORMS
from tests.test_connectors_resume import make_docx, make_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures"
API_KEY = "key-123"
SECRET = "whsec-test-secret"
TAG = "HireWatch: high risk"
NOTE = "HireWatch: potential sanctions match, review needed."
REFERENCE = "hw-0123456789ab"
NOTE_WITH_REFERENCE = f"{NOTE}\n\nHireWatch ref: {REFERENCE}"  # what tasks.writeback posts
FILES_HOST = "https://files.test"
BASIC_AUTH = ("Authorization", "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode())


@dataclass
class Call:
    """One expected API request and the vendor's answer to it."""

    method: str
    path: str  # relative to the installation's API base, or an absolute URL
    answer: Any = None  # JSON (dict/list) or raw bytes
    status: int = 200
    params: dict[str, str] | None = None  # exact query parameters expected
    body: Any = None  # exact JSON body expected
    headers: dict[str, str] = field(default_factory=dict)  # answer headers
    acting: bool = False  # must carry the acting user where the platform wants it


class ConnectorContract:
    connector: ClassVar[type[Connector]]
    api_base_url: ClassVar[str] = "https://ats.test/v1"
    on_behalf_of: ClassVar[str | None] = None
    auth: ClassVar[tuple[str, str]]  # the header carrying the key and its expected value
    acting_user_at: ClassVar[tuple[str, str] | None] = None  # (header|query|body, name) per the vendor
    settings: ClassVar[dict] = {}
    event_fixture: ClassVar[str]  # the "new application" fixture file name
    event_kind: ClassVar[EventKind] = EventKind.APPLICATION_CREATED  # what that fixture is to us
    sign_kwargs: ClassVar[dict] = {}
    expected_event: ClassVar[dict]  # WebhookEvent attributes after parsing the fixture
    expected_parsed: ClassVar[dict | None]  # Applicant fields parsed from the webhook (None: ids only)
    required_field: ClassVar[tuple[str, ...]]  # path to delete from the fixture -> 422 naming it
    ignored_payload: ClassVar[dict]
    ignored_sign_kwargs: ClassVar[dict] = {}
    candidate_id: ClassVar[str]
    application_id: ClassVar[str | None] = None
    fetch_calls: ClassVar[list[Call]]  # everything fetch_candidate asks for, in order
    expected_fetched: ClassVar[dict]  # Applicant fields after fetch_candidate
    add_tag_new_calls: ClassVar[list[Call]]
    add_tag_existing_calls: ClassVar[list[Call]]
    remove_tag_calls: ClassVar[list[Call]]
    add_note_calls: ClassVar[list[Call]]
    # Reading the candidate's notes back, our note on the last page; None: the platform cannot.
    note_read_calls: ClassVar[list[Call] | None]
    page_calls: ClassVar[list[list[Call]]]  # calls for each page
    expected_page_ids: ClassVar[list[list[str]]]

    # ----- helpers --------------------------------------------------------------------------

    def make_connector(self, sleeps: list[float] | None = None) -> Connector:
        installation = Installation(
            id="inst-1",
            platform=self.connector.name,
            api_key=API_KEY,
            webhook_secret=SECRET,
            api_base_url=self.api_base_url,
            on_behalf_of=self.on_behalf_of,
            settings=dict(self.settings),
        )
        sink = sleeps if sleeps is not None else []
        return self.connector(installation, sleep=sink.append, allowed_urls=(self.api_base_url,))

    def fixture(self) -> dict:
        return json.loads((FIXTURES / self.connector.name / self.event_fixture).read_text())

    def deliver(self, payload: dict, **kw: Any) -> tuple[bytes, dict[str, str]]:
        return self.connector.signed_delivery(SECRET, payload, **{**self.sign_kwargs, **kw})

    def tamper(self, raw_body: bytes) -> bytes:
        """The body with one signed byte changed."""
        return raw_body.replace(b"}", b" }", 1)

    def register(self, rsps: responses.RequestsMock, calls: list[Call]) -> None:
        for call in calls:
            url = call.path if call.path.startswith("http") else f"{self.api_base_url}/{call.path}"
            match = []
            if call.params is not None:
                match.append(matchers.query_param_matcher(call.params))
            if call.body is not None:
                match.append(matchers.json_params_matcher(call.body))
            kwargs: dict[str, Any] = {"status": call.status, "headers": call.headers, "match": match}
            if isinstance(call.answer, bytes):
                kwargs["body"] = call.answer
            elif call.answer is not None:
                kwargs["json"] = call.answer
            rsps.add(call.method, url, **kwargs)

    def assert_sent(self, rsps: responses.RequestsMock, calls: list[Call]) -> None:
        """Every request went where expected, authenticated, with the acting user on writes."""
        assert len(rsps.calls) == len(calls), [c.request.url for c in rsps.calls]
        for sent, call in zip(rsps.calls, calls, strict=True):
            request = sent.request
            assert request.method == call.method
            if urlsplit(request.url).netloc == urlsplit(self.api_base_url).netloc:
                self.assert_authenticated(request.headers)
            else:  # pre-signed storage links never see our API key
                assert "Authorization" not in request.headers
                assert not (self.connector.auth_header and self.connector.auth_header in request.headers)
            if call.acting:
                self.assert_acting_user(request)

    def assert_authenticated(self, headers: Any) -> None:
        name, value = self.auth
        assert headers[name] == value

    def assert_acting_user(self, request: Any) -> None:
        assert self.acting_user_at, "a call is marked acting but the platform has no acting user"
        location, name = self.acting_user_at
        if location == "header":
            assert request.headers[name] == self.on_behalf_of
        elif location == "query":
            assert parse_qs(urlsplit(request.url).query)[name] == [self.on_behalf_of]
        else:
            assert str(json.loads(request.body)[name]) == self.on_behalf_of

    # ----- webhooks -------------------------------------------------------------------------

    def test_good_signature_verifies(self):
        raw_body, headers = self.deliver(self.fixture())
        assert self.connector.verify(SECRET, raw_body, headers)

    def test_wrong_secret_is_rejected(self):
        raw_body, headers = self.deliver(self.fixture())
        assert not self.connector.verify("another-secret", raw_body, headers)

    def test_tampered_body_is_rejected(self):
        raw_body, headers = self.deliver(self.fixture())
        assert not self.connector.verify(SECRET, self.tamper(raw_body), headers)

    def test_missing_signature_is_rejected(self):
        raw_body, headers = self.deliver(self.fixture())
        stripped = {k: v for k, v in headers.items() if k.lower() != self.connector.signature_header.lower()}
        body = json.loads(raw_body)
        body.pop(self.connector.signature_header, None)  # Lever signs inside the body
        assert not self.connector.verify(SECRET, json.dumps(body).encode(), stripped)

    def test_fixture_parses_to_the_event_and_applicant(self):
        raw_body, headers = self.deliver(self.fixture())
        event = self.connector.parse_event(raw_body, headers)
        assert event.kind is self.event_kind
        for name, value in self.expected_event.items():
            assert getattr(event, name) == value, name
        if self.expected_parsed is None:
            assert event.applicant is None  # unsigned data is never trusted: fetch by id
        else:
            for name, value in self.expected_parsed.items():
                assert getattr(event.applicant, name) == value, name

    def test_missing_required_field_is_422_naming_it(self):
        payload = copy.deepcopy(self.fixture())
        parent = payload
        for key in self.required_field[:-1]:
            parent = parent[key]
        del parent[self.required_field[-1]]
        raw_body, headers = self.deliver(payload)
        with pytest.raises(PayloadError) as caught:
            self.connector.parse_event(raw_body, headers)
        assert caught.value.status == 422
        assert ".".join(self.required_field) in caught.value.reason

    def test_non_json_body_is_400(self):
        _, headers = self.deliver(self.fixture())
        with pytest.raises(PayloadError) as caught:
            self.connector.parse_event(b"<xml>not json</xml>", headers)
        assert caught.value.status == 400

    def test_unhandled_event_type_is_ignored(self):
        raw_body, headers = self.deliver(self.ignored_payload, **self.ignored_sign_kwargs)
        assert self.connector.verify(SECRET, raw_body, headers)
        assert self.connector.parse_event(raw_body, headers).kind is EventKind.IGNORED

    # ----- API ------------------------------------------------------------------------------

    def test_fetch_candidate_maps_the_full_profile(self):
        with responses.RequestsMock() as rsps:
            self.register(rsps, self.fetch_calls)
            applicant = self.make_connector().fetch_candidate(self.candidate_id, self.application_id)
            self.assert_sent(rsps, self.fetch_calls)
        for name, value in self.expected_fetched.items():
            assert getattr(applicant, name) == value, name

    def test_add_tag_creates_it(self):
        self.check_write(lambda c: c.add_tag(self.candidate_id, TAG), self.add_tag_new_calls)

    def test_add_tag_already_existing(self):
        self.check_write(lambda c: c.add_tag(self.candidate_id, TAG), self.add_tag_existing_calls)

    def test_remove_tag(self):
        self.check_write(lambda c: c.remove_tag(self.candidate_id, TAG), self.remove_tag_calls)

    def test_add_note(self):
        self.check_write(lambda c: c.add_note(self.candidate_id, NOTE), self.add_note_calls)

    def test_find_note_sees_our_reference_on_any_page(self):
        self.check_find_note(REFERENCE, found=True)

    def test_find_note_without_our_reference_is_false(self):
        self.check_find_note("hw-ffffffffffff", found=False)

    def check_find_note(self, marker: str, found: bool) -> None:
        """Every page is read until the marker shows; a platform without read-back asks nothing."""
        calls = self.note_read_calls or []
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            answer = self.make_connector().find_note(self.candidate_id, marker)
            self.assert_sent(rsps, calls)
        assert answer is (found if self.note_read_calls is not None else None)

    def check_write(self, operation: Any, calls: list[Call]) -> None:
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            operation(self.make_connector())
            self.assert_sent(rsps, calls)

    def test_401_aborts_the_installation(self):
        first = self.fetch_calls[0]
        with responses.RequestsMock() as rsps:
            self.register(rsps, [Call(first.method, first.path, {"message": "bad key"}, status=401)])
            with pytest.raises(ConnectorAbort) as caught:
                self.make_connector().fetch_candidate(self.candidate_id, self.application_id)
        assert caught.value.reason == "unauthorized"

    def test_429_with_retry_after_is_retried_then_succeeds(self):
        first = self.fetch_calls[0]
        limited = Call(
            first.method, first.path, {"message": "slow down"}, status=429, headers={"Retry-After": "7"}
        )
        sleeps: list[float] = []
        with responses.RequestsMock() as rsps:
            self.register(rsps, [limited, *self.fetch_calls])
            applicant = self.make_connector(sleeps).fetch_candidate(self.candidate_id, self.application_id)
        assert sleeps == [7.0]
        assert applicant.id == self.expected_fetched["id"]

    def test_persistent_500_is_a_connector_error(self):
        first = self.fetch_calls[0]
        connector = self.make_connector()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.register(rsps, [Call(first.method, first.path, {"error": "boom"}, status=500)])
            with pytest.raises(ConnectorError) as caught:
                connector.fetch_candidate(self.candidate_id, self.application_id)
            assert len(rsps.calls) == connector.max_attempts
        assert caught.value.reason == "server_error"
        assert not isinstance(caught.value, ConnectorAbort)

    def test_pagination_walks_every_page(self):
        calls = [call for page in self.page_calls for call in page]
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            pages = list(self.make_connector().list_candidates())
            self.assert_sent(rsps, calls)
        assert [[a.id for a in page.applicants] for page in pages] == self.expected_page_ids
        assert pages[-1].next_cursor is None
        assert all(page.next_cursor for page in pages[:-1])

    def test_pagination_resumes_from_a_cursor(self):
        with responses.RequestsMock() as rsps:
            self.register(rsps, self.page_calls[0])
            cursor = next(self.make_connector().list_candidates()).next_cursor
        with responses.RequestsMock() as rsps:
            self.register(rsps, self.page_calls[1])
            pages = list(self.make_connector().list_candidates(cursor))
            self.assert_sent(rsps, self.page_calls[1])
        assert [[a.id for a in page.applicants] for page in pages] == self.expected_page_ids[1:]


def test_every_registered_platform_has_a_contract():
    covered = {cls.connector.name for cls in ConnectorContract.__subclasses__()}
    assert covered == set(PLATFORMS), f"platforms without a contract subclass: {set(PLATFORMS) - covered}"


# ----- the platforms --------------------------------------------------------------------------

RESUME_PDF = make_pdf(["Jonathan Meyers", "Backend engineer at Brightline Software"])
RESUME_DOCX = make_docx(["Mina Park", "Frontend Engineer at Kakao"])

GH_FIXTURES = FIXTURES / "greenhouse"  # sources: tests/fixtures/greenhouse/sources.md
GH_API = "https://ats.test/v3"
GH_TOKEN_URL = "https://auth.test/token"
# Greenhouse's documented candidate object (raw `custom_fields`, objects in `keyed_custom_fields`)
# with a résumé among its attachments, as the row of `GET /v3/candidates?ids=`.
GH_CANDIDATE = {
    **json.loads((GH_FIXTURES / "harvest_candidate.json").read_text()),
    "attachments": [
        {"filename": "John_Locke_Resume.pdf", "url": f"{FILES_HOST}/gh/resume.pdf", "type": "resume"},
    ],
}
GH_EMPLOYMENT = {"id": 8485064, "candidate_id": 53883394, "company_name": "Greenhouse", "title": "Engineer"}
GH_APPLICATION = {  # the documented application's answers
    "id": 69102626,
    "candidate_id": 53883394,
    "answers": [
        {"question": "How did you hear about this job?", "answer": "A friend"},
        {"question": "Website", "answer": "https://example.com"},
        {"question": "LinkedIn Profile", "answer": "https://linkedin.com/example"},
    ],
}
GH_APPLY_TAG_77 = [  # the candidate does not carry tag 77 yet: a row is created
    Call("GET", "applied_candidate_tags", [], params={"candidate_ids": "53883394"}),
    Call(
        "POST",
        "applied_candidate_tags",
        {"id": 901, "candidate_id": 53883394, "candidate_tag_id": 77},
        status=201,
        body={"candidate_id": 53883394, "candidate_tag_id": 77},
    ),
]


def gh_two_pages(path: str, first: list, first_params: dict, second: list) -> list[Call]:
    """Two v3 list pages: the first asked with its filters, the second by the Link's cursor alone."""
    cursor = base64.urlsafe_b64encode(f"{path}:2".encode()).decode().rstrip("=")
    link = {"Link": f'<{GH_API}/{path}?cursor={cursor}>; rel="next"'}
    return [
        Call("GET", path, first, params=first_params, headers=link),
        Call("GET", path, second, params={"cursor": cursor}),
    ]


GH_NOTE = {
    "id": 12345,
    "candidate_id": 53883394,
    "body": "Referred by the platform team.",
    "visibility": "public",
}


class ReplayWindowContract:
    """For platforms that sign a timestamp: a delivery signed too long ago is refused.

    The others (no timestamp signed) rely on the inbox's dedupe key against replays, which the
    receiver tests cover for every platform.
    """

    def stale_delivery(self) -> tuple[bytes, dict[str, str]]:
        raise NotImplementedError

    def test_replay_outside_the_window_is_rejected(self):
        assert self.connector.replay_window is not None
        raw_body, headers = self.stale_delivery()
        assert not self.connector.verify(SECRET, raw_body, headers)


def test_every_platform_with_a_replay_window_runs_the_replay_contract():
    windowed = {name for name, cls in PLATFORMS.items() if cls.replay_window is not None}
    covered = {
        cls.connector.name
        for cls in ConnectorContract.__subclasses__()
        if issubclass(cls, ReplayWindowContract)
    }
    assert windowed == covered


class TestGreenhouseConnector(ConnectorContract):
    """Harvest v3: a cached bearer token on every call, the acting user is the token's sub."""

    connector = PLATFORMS["greenhouse"]
    api_base_url = GH_API
    on_behalf_of = "4080"
    auth = ("Authorization", "Bearer cached-token")
    event_fixture = "new_candidate_application.json"
    sign_kwargs: ClassVar[dict] = {"event_id": "gh-evt-1"}
    expected_event: ClassVar[dict] = {
        "candidate_id": "60304594",
        "application_id": "71980812",
        "dedupe_key": "gh-evt-1",
    }
    expected_parsed: ClassVar[dict] = {
        "first_name": "Jane",
        "last_name": "Smith",
        "emails": ["person@work.com", "person@example.com"],
        "phones": ["555-555-5555"],
        "addresses": ["123 Test Street\nNew York, NY 10001"],
        "urls": ["mysite.com", "socialmedia.com"],
        "employers": ["Current Company Co."],
        "education": ["Stanford University"],
        "answers": [],  # the documented example's custom fields are all empty
    }
    required_field = ("payload", "application", "candidate", "id")
    ignored_payload: ClassVar[dict] = {"action": "candidate_stage_change", "payload": {}}
    candidate_id = "53883394"
    application_id = "69102626"
    fetch_calls: ClassVar[list[Call]] = [
        Call("GET", "candidates", [GH_CANDIDATE], params={"ids": "53883394"}),
        Call("GET", "candidate_employments", [GH_EMPLOYMENT], params={"candidate_ids": "53883394"}),
        Call("GET", "applications", [GH_APPLICATION], params={"ids": "69102626"}),
        Call("GET", f"{FILES_HOST}/gh/resume.pdf", RESUME_PDF),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": "53883394",
        "full_name": "John Locke",
        "emails": ["test@work.com", "test@example.com"],
        "employers": ["The Tustin Box Company", "Greenhouse"],
        "answers": [
            "Desired Salary: 1000000000",
            "Work Remotely: True",
            "Graduation Year: 2018",
            "How did you hear about this job?: A friend",
            "Website: https://example.com",
            "LinkedIn Profile: https://linkedin.com/example",
        ],
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software",
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call("GET", "candidate_tags", [{"id": 5, "name": "Referral"}], params={}),
        Call("POST", "candidate_tags", {"id": 77, "name": TAG}, status=201, body={"name": TAG}),
        *GH_APPLY_TAG_77,
    ]
    add_tag_existing_calls: ClassVar[list[Call]] = [
        Call("GET", "candidate_tags", [{"id": 77, "name": TAG}], params={}),
        *GH_APPLY_TAG_77,
    ]
    remove_tag_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            "candidate_tags",
            [{"id": 5, "name": "Referral"}, {"id": 77, "name": TAG.upper()}],
            params={},
        ),
        Call(
            "GET",
            "applied_candidate_tags",
            [
                {"id": 900, "candidate_id": 53883394, "candidate_tag_id": 5},
                {"id": 901, "candidate_id": 53883394, "candidate_tag_id": 77},
            ],
            params={"candidate_ids": "53883394"},
        ),
        Call("DELETE", "applied_candidate_tags/901", {}),
    ]
    add_note_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "notes",
            {**GH_NOTE, "id": 12346, "body": NOTE},
            status=201,
            body={"candidate_id": 53883394, "body": NOTE, "visibility": "public"},
        ),
    ]
    note_read_calls: ClassVar[list[Call]] = gh_two_pages(
        "notes",
        [GH_NOTE],
        {"candidate_ids": "53883394"},
        [{**GH_NOTE, "id": 12346, "body": NOTE_WITH_REFERENCE}],
    )
    page_calls: ClassVar[list[list[Call]]] = [
        [call]
        for call in gh_two_pages(
            "candidates", [GH_CANDIDATE], {"per_page": "100"}, [{**GH_CANDIDATE, "id": 53883395}]
        )
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [["53883394"], ["53883395"]]

    def make_connector(self, sleeps: list[float] | None = None) -> Connector:
        installation = Installation(
            id="inst-1",
            platform="greenhouse",
            webhook_secret=SECRET,
            api_base_url=self.api_base_url,
            client_id="client-1",
            client_secret="client-secret",
            token_url=GH_TOKEN_URL,
            on_behalf_of=self.on_behalf_of,
        )
        tokens = MemoryTokenCache()
        sink = sleeps if sleeps is not None else []
        allowed = (self.api_base_url, GH_TOKEN_URL)  # the stand-ins, as an operator would allow them
        connector = self.connector(installation, sleep=sink.append, tokens=tokens, allowed_urls=allowed)
        tokens.put(connector.token_key(), AccessToken("cached-token", time.time() + 3600))
        return connector

    def test_401_aborts_the_installation(self):
        """A refused token is renewed once; refused again, the installation is aborted."""
        first = self.fetch_calls[0]
        refused = Call(first.method, first.path, {"message": "expired"}, status=401)
        with responses.RequestsMock() as rsps:
            self.register(rsps, [refused])
            rsps.post(GH_TOKEN_URL, json={"access_token": "fresh-token", "expires_in": 3600})
            self.register(rsps, [refused])
            with pytest.raises(ConnectorAbort) as caught:
                self.make_connector().fetch_candidate(self.candidate_id, self.application_id)
            assert [c.request.url.split("?")[0] for c in rsps.calls] == [
                f"{GH_API}/candidates",
                GH_TOKEN_URL,
                f"{GH_API}/candidates",
            ]
            assert rsps.calls[2].request.headers["Authorization"] == "Bearer fresh-token"
        assert caught.value.reason == "unauthorized"


LEVER = FIXTURES / "lever"  # Lever's documented examples: tests/fixtures/lever/sources.md
LEVER_OPPORTUNITY = json.loads((LEVER / "opportunity.json").read_text())["data"]
LEVER_OPP_ID = LEVER_OPPORTUNITY["id"]
LEVER_RESUMES = json.loads((LEVER / "resumes.json").read_text())
LEVER_NOTES = json.loads((LEVER / "notes.json").read_text())
LEVER_NOTE = LEVER_NOTES["data"][0]


def lever_note_with(text: str) -> dict:
    """Lever's documented note with one more comment in its thread (the text POST .../notes sent)."""
    comment = {**LEVER_NOTE["fields"][0], "value": text, "createdAt": 1714557600000}
    return {**LEVER_NOTE, "id": "915a6cef-4f91-4f3d-b8ff-a49e1eae2c30", "fields": [comment]}


class TestLeverConnector(ReplayWindowContract, ConnectorContract):
    connector = PLATFORMS["lever"]
    on_behalf_of = "8d49b010-cc6a-4f40-ace5-e86061c677ed"  # the docs' perform_as example
    auth = BASIC_AUTH
    acting_user_at = ("query", "perform_as")
    event_fixture = "applicationCreated.json"
    sign_kwargs: ClassVar[dict] = {"token": "657fd5a0759c87d35660b096dbc388d1d31058869f08ce3f"}
    expected_event: ClassVar[dict] = {
        "candidate_id": LEVER_OPP_ID,
        "application_id": "cdb4ff13-f7aa-49b0-b6ec-eb4617009cfa",
        "dedupe_key": "657fd5a0759c87d35660b096dbc388d1d31058869f08ce3f",
    }
    expected_parsed = None
    required_field = ("data", "opportunityId")
    ignored_payload: ClassVar[dict] = json.loads((LEVER / "candidateHired__settings_test.json").read_text())
    candidate_id = LEVER_OPP_ID
    fetch_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            f"opportunities/{LEVER_OPP_ID}",
            {"data": LEVER_OPPORTUNITY},
            params={"expand": "applications"},
        ),
        Call("GET", f"opportunities/{LEVER_OPP_ID}/resumes", LEVER_RESUMES),
        # From the API, with our key (the listing's downloadUrl is the hire.lever.co web app); the
        # résumé whose file status is "error" is not asked for (Lever answers 422 for it).
        Call(
            "GET",
            f"opportunities/{LEVER_OPP_ID}/resumes/68b3e478-ff21-4529-bd29-23ed016042d7/download",
            RESUME_PDF,
        ),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": LEVER_OPP_ID,
        "name": "Shane Smith",
        "emails": ["shane@exampleq3.com", "shane.smith@brickly.example"],
        "phones": ["(123) 456-7891", "+49 30 901820"],
        "location": "Oakland",
        "urls": ["indeed.com/r/Shane-Smith/0b7c87f6b246d2bc", "https://github.com/shane-smith"],
        "employers": [
            "Vandelay Industries, Inc",
            "Tomato Emporium",
            "Counterintuitive Entertainment",
            "Eggplant Publications",
        ],
        "education": ["New York University Stern", "Savannah College of Art and Design"],
        "cover_letter": LEVER_OPPORTUNITY["applications"][0]["comments"],
        # Several choices joined; the uploaded file is no answer; unicode kept as written.
        "answers": [
            "Which languages or frameworks are you comfortable with?: javascript, node",
            "What role most interests you?: I'm interested in primarily a frontend role",
            "Anything else?: Je parle français couramment — 日本語も少し話せます。",
        ],
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software",
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            f"opportunities/{LEVER_OPP_ID}/addTags",
            {"data": {}},
            params={"perform_as": "8d49b010-cc6a-4f40-ace5-e86061c677ed"},
            body={"tags": [TAG]},
            acting=True,
        ),
    ]
    add_tag_existing_calls = add_tag_new_calls  # a string set: adding again is the same request
    remove_tag_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            f"opportunities/{LEVER_OPP_ID}/removeTags",
            {"data": {}},
            params={"perform_as": "8d49b010-cc6a-4f40-ace5-e86061c677ed"},
            body={"tags": [TAG]},
            acting=True,
        ),
    ]
    add_note_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            f"opportunities/{LEVER_OPP_ID}/notes",
            {"data": {"noteId": "915a6cef-4f91-4f3d-b8ff-a49e1eae2c30"}},  # the documented 201 answer
            status=201,
            params={"perform_as": "8d49b010-cc6a-4f40-ace5-e86061c677ed"},
            body={"value": NOTE, "secret": False},
            acting=True,
        ),
    ]
    note_read_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            f"opportunities/{LEVER_OPP_ID}/notes",
            {**LEVER_NOTES, "hasNext": True, "next": "0.1414895548650.a6070140-33db-407c-91f5-2760e15c8e94"},
            params={"limit": "100"},
        ),
        Call(
            "GET",
            f"opportunities/{LEVER_OPP_ID}/notes",
            {"data": [lever_note_with(NOTE_WITH_REFERENCE)], "hasNext": False},
            params={"limit": "100", "offset": "0.1414895548650.a6070140-33db-407c-91f5-2760e15c8e94"},
        ),
    ]
    page_calls: ClassVar[list[list[Call]]] = [
        [
            Call(
                "GET",
                "opportunities",
                {"data": [LEVER_OPPORTUNITY], "next": "offset-2", "hasNext": True},
                params={"limit": "100", "expand": "applications"},
            )
        ],
        [
            Call(
                "GET",
                "opportunities",
                {"data": [{**LEVER_OPPORTUNITY, "id": "opp-2"}], "hasNext": False},
                params={"limit": "100", "expand": "applications", "offset": "offset-2"},
            )
        ],
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [[LEVER_OPP_ID], ["opp-2"]]

    def tamper(self, raw_body: bytes) -> bytes:
        body = json.loads(raw_body)
        body["triggeredAt"] += 1  # Lever signs token + triggeredAt, nothing else
        return json.dumps(body).encode()

    def stale_delivery(self) -> tuple[bytes, dict[str, str]]:
        past_ms = int((time.time() - self.connector.replay_window - 60) * 1000)
        return self.deliver(self.fixture(), triggered_at_ms=past_ms)

    def test_documented_signature_scheme_verifies(self):
        """The page's JavaScript check, written out: hex HMAC-SHA256 of token + triggeredAt."""
        body = {**self.fixture(), "token": "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154"}
        body["triggeredAt"] = int(time.time() * 1000)
        plain = f"{body['token']}{body['triggeredAt']}".encode()
        body["signature"] = hmac.new(SECRET.encode(), plain, hashlib.sha256).hexdigest()
        assert self.connector.verify(SECRET, json.dumps(body).encode(), {})

    def test_the_deprecated_candidate_id_alone_also_names_the_opportunity(self):
        """Which ids applicationCreated carries is UNCONFIRMED: the alias shape is read too."""
        payload = self.fixture()
        payload["data"] = {"candidateId": LEVER_OPP_ID, "contactId": "7f23e772-f2cb-4ebb-b33f-54b872999992"}
        raw_body, headers = self.deliver(payload)
        assert self.connector.parse_event(raw_body, headers).candidate_id == LEVER_OPP_ID

    def test_an_application_without_forms_reads_lever_null_as_none(self):
        """Lever's documented "user" application sends null for customQuestions, comments, links."""
        bare = {"id": "b0d26744-60b2-4015-b125-b09fd5b95c1d", "type": "user", "customQuestions": None}
        bare |= {"name": None, "email": None, "phone": None, "company": None, "links": None, "comments": None}
        applicant = lever_to_applicant({**LEVER_OPPORTUNITY, "applications": [bare]}, [])
        assert (applicant.answers, applicant.cover_letter, applicant.attachments) == ([], "", [])


ASHBY = FIXTURES / "ashby"  # shapes from Ashby's OpenAPI: tests/fixtures/ashby/sources.md
ASHBY_CANDIDATE = json.loads((ASHBY / "candidate.info.json").read_text())["results"]
ASHBY_CV_PDF = make_pdf(["Mina Park", "Platform engineer at Kakao Pay"])
ASHBY_APPLICATION_ID = "9d34f544-c150-4d70-91c4-a6b3e9d4e1f0"
ASHBY_APPLICATION = json.loads((FIXTURES / "ashby" / "application.info.json").read_text())
ASHBY_TAG = {"success": True, "results": {"id": "t-77", "title": TAG, "isArchived": False}}
ASHBY_ADD = Call(
    "POST",
    "candidate.addTag",
    {"success": True, "results": ASHBY_CANDIDATE},
    body={"candidateId": ASHBY_CANDIDATE["id"], "tagId": "t-77"},
)


ASHBY_NOTE = {  # candidate.listNotes results are candidate.createNote's result (Ashby's OpenAPI)
    "id": "0b6f3a2c-5d4e-4f1a-8b9c-7d6e5f4a3b2c",
    "createdAt": "2022-08-12T20:29:56.964Z",
    "content": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
    "isPrivate": False,
    "author": {"id": "3ae2b801-19f6-41ef-ad28-214bd731948f", "firstName": "Joey", "lastName": "Joe"},
}


def ashby_file(handle: str, name: str) -> Call:
    """file.info for one handle, answering a pre-signed storage URL (downloaded without our key)."""
    return Call(
        "POST",
        "file.info",
        {"success": True, "results": {"url": f"{FILES_HOST}/ashby/{name}"}},
        body={"fileHandle": handle},
    )


class TestAshbyConnector(ConnectorContract):
    connector = PLATFORMS["ashby"]
    auth = BASIC_AUTH
    api_base_url = "https://ats.test"
    event_fixture = "applicationSubmit.json"
    expected_event: ClassVar[dict] = {
        "candidate_id": ASHBY_CANDIDATE["id"],
        "application_id": ASHBY_APPLICATION_ID,
        "dedupe_key": None,
    }
    expected_parsed: ClassVar[dict] = {
        "name": "Mina Park",
        "emails": ["mina.park@example.org"],
        "phones": ["+82 10-5555-0199"],
        "answers": ["Portfolio: https://mina-park.dev/작품"],
    }
    required_field = ("data", "application", "candidate", "id")
    ignored_payload: ClassVar[dict] = {"action": "candidateStageChange", "data": {"application": {"id": "a"}}}
    candidate_id = ASHBY_CANDIDATE["id"]
    application_id = ASHBY_APPLICATION_ID
    fetch_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "candidate.info",
            {"success": True, "results": ASHBY_CANDIDATE},
            body={"id": ASHBY_CANDIDATE["id"]},
        ),
        Call(
            "POST",
            "application.info",
            ASHBY_APPLICATION,
            body={"applicationId": ASHBY_APPLICATION_ID, "expand": ["applicationFormSubmissions"]},
        ),
        # Every résumé handle once: the candidate's, the application's, the candidate's other file.
        ashby_file("eyJoYW5kbGUiOnsidHlwZSI6IkNhbmRpZGF0ZUZpbGUiLCJm", "resume.pdf"),
        ashby_file("eyJoYW5kbGUiOnsidHlwZSI6IkFwcGxpY2F0aW9uRmlsZSJ9", "Mina_Park_CV_2026.pdf"),
        ashby_file("eyJoYW5kbGUiOnsidHlwZSI6IkNhbmRpZGF0ZUZpbGUiLCJn", "cv.docx"),
        Call("GET", f"{FILES_HOST}/ashby/resume.pdf", RESUME_PDF),
        Call("GET", f"{FILES_HOST}/ashby/Mina_Park_CV_2026.pdf", ASHBY_CV_PDF),
        Call("GET", f"{FILES_HOST}/ashby/cv.docx", RESUME_DOCX),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": ASHBY_CANDIDATE["id"],
        "emails": ["mina.park@example.org", "mpark@kakao.example"],
        "phones": ["+82 10-5555-0199", "+82 2-555-0142"],
        "urls": ["https://github.com/minapark", "https://linkedin.com/in/minapark"],
        "employers": ["Kakao"],
        "education": ["KAIST"],
        "location": "South Korea, Seoul",
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software\n\n"
        "Mina Park\nPlatform engineer at Kakao Pay\n\nMina Park\nFrontend Engineer at Kakao",
        # Custom fields, then form answers: select values by label; name, e-mail, résumé file and
        # EEO answer left out.
        "answers": [
            "Preferred name: 박민아",
            "Portfolio: https://mina-park.dev/작품",
            "Location: Seoul, South Korea",
            "LinkedIn profile: https://linkedin.com/in/minapark",
            "Are you authorized to work in Korea?: Yes",
            "Preferred team: Platform",
            "Languages: Korean, English",
            "Anything else?: I maintain an open-source design system.",
        ],
        "source": {
            "platform": "ashby",
            "candidate_id": ASHBY_CANDIDATE["id"],
            "application_id": ASHBY_APPLICATION_ID,
        },
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call("POST", "candidateTag.create", ASHBY_TAG, body={"title": TAG}),
        ASHBY_ADD,
    ]
    add_tag_existing_calls = add_tag_new_calls  # candidateTag.create returns the existing tag
    remove_tag_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "candidate.info",
            {
                "success": True,
                "results": {
                    **ASHBY_CANDIDATE,
                    "tags": [*ASHBY_CANDIDATE["tags"], {"id": "t-77", "title": TAG, "isArchived": False}],
                },
            },
            body={"id": ASHBY_CANDIDATE["id"]},
        ),
        Call(
            "POST",
            "candidate.removeTag",
            {"success": True, "results": ASHBY_CANDIDATE},
            body={"candidateId": ASHBY_CANDIDATE["id"], "tagId": "t-77"},
        ),
    ]
    add_note_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "candidate.createNote",
            {"success": True, "results": {"id": "n1"}},
            body={
                "candidateId": ASHBY_CANDIDATE["id"],
                "note": {"type": "text/plain", "value": NOTE},
                "sendNotifications": False,
                "isPrivate": False,
            },
        ),
    ]
    note_read_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "candidate.listNotes",
            {"success": True, "results": [ASHBY_NOTE], "moreDataAvailable": True, "nextCursor": "notes-2"},
            body={"candidateId": ASHBY_CANDIDATE["id"], "limit": 100},
        ),
        Call(
            "POST",
            "candidate.listNotes",
            {
                "success": True,
                "results": [{**ASHBY_NOTE, "id": "n-2", "content": NOTE_WITH_REFERENCE}],
                "moreDataAvailable": False,
            },
            body={"candidateId": ASHBY_CANDIDATE["id"], "limit": 100, "cursor": "notes-2"},
        ),
    ]
    page_calls: ClassVar[list[list[Call]]] = [
        [
            Call(
                "POST",
                "candidate.list",
                {
                    "success": True,
                    "results": [ASHBY_CANDIDATE],
                    "moreDataAvailable": True,
                    "nextCursor": "cursor-2",
                },
                body={"limit": 100},
            )
        ],
        [
            Call(
                "POST",
                "candidate.list",
                {
                    "success": True,
                    "results": [{**ASHBY_CANDIDATE, "id": "cand-2"}],
                    "moreDataAvailable": False,
                    "syncToken": "sync-1",
                },
                body={"limit": 100, "cursor": "cursor-2"},
            )
        ],
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [[ASHBY_CANDIDATE["id"]], ["cand-2"]]


WORKABLE_BASE = "https://acme.workable.test/spi/v3"
# Workable pushes the candidate inside `data` (workable.readme.io/reference/candidate-events); the
# candidate details answer is the same object (tests/fixtures/workable/sources.md).
WORKABLE_CANDIDATE = json.loads((FIXTURES / "workable" / "candidate_created.json").read_text())["data"]
WORKABLE_TAG = "hirewatch_high_risk"  # "HireWatch: high risk" in the form Workable keeps


def workable_activity(activity_id: str, action: str, body: str | None) -> dict:
    return {
        "id": activity_id,
        "action": action,
        "stage_name": "Phone screen",
        "created_at": "2024-05-02T08:30:00Z",
        "updated_at": "2024-05-02T08:30:00Z",
        "body": body,
        "member": {"id": "member-9", "name": "Eva Ortiz"},
    }


class TestWorkableConnector(ConnectorContract):
    connector = PLATFORMS["workable"]
    api_base_url = WORKABLE_BASE
    on_behalf_of = "member-9"
    auth = ("Authorization", f"Bearer {API_KEY}")
    acting_user_at = ("body", "member_id")
    event_fixture = "candidate_created.json"
    expected_event: ClassVar[dict] = {"candidate_id": "ce4da98", "dedupe_key": None}
    expected_parsed: ClassVar[dict] = {
        "first_name": "Andrés",
        "last_name": "Gómez",
        "emails": ["andres.gomez@example.net"],
        "phones": ["+34 612 345 678"],
        "addresses": ["Calle de Alcalá 42, Madrid"],
        "urls": ["https://github.com/agomez", "https://www.linkedin.com/in/agomez"],
        "employers": ["Cabify"],
        "education": ["Universidad Politécnica de Madrid"],
        "answers": ["Where are you based?: Madrid", "Preferred stack: React, Node", "¿Necesitas visado?: No"],
        "cover_letter": "I build web products end to end.",
    }
    required_field = ("data", "id")
    ignored_payload: ClassVar[dict] = {"event_type": "candidate_moved", "data": WORKABLE_CANDIDATE}
    candidate_id = "ce4da98"
    fetch_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            "candidates/ce4da98",
            {"candidate": {**WORKABLE_CANDIDATE, "resume_url": f"{FILES_HOST}/w/cv.pdf"}},
        ),
        Call("GET", f"{FILES_HOST}/w/cv.pdf", RESUME_PDF),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": "ce4da98",
        "full_name": "Andrés Gómez",
        "location": "Madrid, Spain",
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software",
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call("GET", "candidates/ce4da98", {"candidate": WORKABLE_CANDIDATE}),
        Call(
            "PUT",
            "candidates/ce4da98/tags",
            {"tags": ["referral", WORKABLE_TAG]},
            status=202,
            body={"tags": ["referral", WORKABLE_TAG]},
        ),
    ]
    add_tag_existing_calls: ClassVar[list[Call]] = [  # already there: read, and write nothing
        Call(
            "GET",
            "candidates/ce4da98",
            {"candidate": {**WORKABLE_CANDIDATE, "tags": ["referral", WORKABLE_TAG]}},
        ),
    ]
    remove_tag_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            "candidates/ce4da98",
            {"candidate": {**WORKABLE_CANDIDATE, "tags": ["referral", WORKABLE_TAG]}},
        ),
        Call(
            "PUT", "candidates/ce4da98/tags", {"tags": ["referral"]}, status=202, body={"tags": ["referral"]}
        ),
    ]
    add_note_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "candidates/ce4da98/comments",
            {"id": "c1"},
            status=201,
            body={"member_id": "member-9", "comment": {"body": NOTE}},
            acting=True,
        ),
    ]
    note_read_calls: ClassVar[list[Call]] = [
        Call(
            "GET",
            "candidates/ce4da98/activities",
            {
                "activities": [
                    workable_activity("a1", "moved", None),
                    workable_activity("a2", "comment", "Portfolio looks strong."),
                ],
                "paging": {"next": f"{WORKABLE_BASE}/candidates/ce4da98/activities?limit=100&max_id=a2"},
            },
            params={"limit": "100"},
        ),
        Call(
            "GET",
            "candidates/ce4da98/activities",
            {"activities": [workable_activity("a3", "comment", NOTE_WITH_REFERENCE)]},
            params={"limit": "100", "max_id": "a2"},
        ),
    ]
    page_calls: ClassVar[list[list[Call]]] = [
        [
            Call(
                "GET",
                "candidates",
                {
                    "candidates": [WORKABLE_CANDIDATE],
                    "paging": {"next": f"{WORKABLE_BASE}/candidates?limit=100&since_id=ce4da98"},
                },
                params={"limit": "100"},
            )
        ],
        [
            Call(
                "GET",
                "candidates",
                {"candidates": [{**WORKABLE_CANDIDATE, "id": "ce4da99"}], "paging": {}},
                params={"limit": "100", "since_id": "ce4da98"},
            )
        ],
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [["ce4da98"], ["ce4da99"]]

    def test_answers_of_every_question_type_read_as_text(self):
        answers = [
            {"question": {"body": "Relocate?"}, "answer": {"checked": False}},
            {"question": {"body": "Years of Go"}, "answer": {"number": 0}},
            {"question": {"body": "Start date"}, "answer": {"date": "2027-01-04"}},
            {"question": {"body": "Stack"}, "answer": {"choices": [{"id": "c1", "body": "Go"}, "Rust"]}},
            {"question": {"body": "Work permit"}, "answer": {"file_url": "https://files.test/permit.pdf"}},
        ]
        raw_body, headers = self.deliver({**WORKABLE_CANDIDATE, "answers": answers})
        assert self.connector.parse_event(raw_body, headers).applicant.answers == [
            "Relocate?: No",
            "Years of Go: 0",
            "Start date: 2027-01-04",
            "Stack: Go, Rust",
        ]


# Shape per the Customer API's candidate model (tests/fixtures/smartrecruiters/sources.md).
SR_CANDIDATE = json.loads((FIXTURES / "smartrecruiters" / "candidate.json").read_text())
SR_JOB = "3c8a2f4e-1b5d-4e7a-9c0f-6d2b8e4a1f37"  # the job_id of application.created.json
SR_PATH = f"candidates/{SR_CANDIDATE['id']}"
SR_ANSWERS = json.loads((FIXTURES / "smartrecruiters" / "screening-answers.json").read_text())
SR_ATTACHMENTS = json.loads((FIXTURES / "smartrecruiters" / "attachments.json").read_text())


class TestSmartRecruitersConnector(ReplayWindowContract, ConnectorContract):
    connector = PLATFORMS["smartrecruiters"]
    auth = ("X-SmartToken", API_KEY)
    api_base_url = "https://ats.test"
    event_fixture = "application.created.json"
    sign_kwargs: ClassVar[dict] = {"event_id": "sr-evt-1"}
    expected_event: ClassVar[dict] = {
        "candidate_id": SR_CANDIDATE["id"],
        "application_id": SR_JOB,
        "dedupe_key": "sr-evt-1",
    }
    expected_parsed = None
    required_field = ("candidate_id",)
    ignored_payload: ClassVar[dict] = {"id": "job-1"}
    ignored_sign_kwargs: ClassVar[dict] = {"event_name": "application.status.updated"}
    candidate_id = SR_CANDIDATE["id"]
    application_id = SR_JOB
    fetch_calls: ClassVar[list[Call]] = [
        Call("GET", SR_PATH, SR_CANDIDATE),
        Call("GET", f"{SR_PATH}/jobs/{SR_JOB}/screening-answers", SR_ANSWERS),
        Call("GET", f"{SR_PATH}/attachments", SR_ATTACHMENTS),
        # The avatar is listed but never downloaded; résumé and cover letter are, with our token.
        Call("GET", f"{SR_PATH}/attachments/efab3632-1cc4-4abb-993b-cc0a5d2f3b21", RESUME_PDF),
        Call("GET", f"{SR_PATH}/attachments/0d5c7e21-9a3b-4c6d-8e1f-2a4b6c8d0e1f", RESUME_DOCX),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": SR_CANDIDATE["id"],
        "full_name": "Olena Kovalenko",
        "emails": ["olena.k@example.com"],
        "phones": ["+380 44 555 0101"],
        "urls": ["https://www.linkedin.com/in/olenak", "https://olena.dev"],
        "employers": ["Grammarly"],
        "education": ["Kyiv Polytechnic Institute"],
        "location": "Київ, Ukraine",
        # The EEO question of the fixture is left out; labels only on multi-field questions.
        "answers": [
            "Do you have a current driver's license?: No",
            "List your previous employers: Grammarly; EPAM Systems",
            "Languages: Language: English; Proficiency level: Advanced"
            " | Language: Ukrainian; Proficiency level: Native",
        ],
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software",
        "cover_letter": "Mina Park\nFrontend Engineer at Kakao",
        "source": {"platform": "smartrecruiters", "candidate_id": SR_CANDIDATE["id"], "job_id": SR_JOB},
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call("POST", f"candidates/{SR_CANDIDATE['id']}/tags", {"tags": [TAG]}, body={"tags": [TAG]}),
    ]
    add_tag_existing_calls = add_tag_new_calls  # adding a tag the candidate has is the same request
    remove_tag_calls: ClassVar[list[Call]] = [
        Call("GET", f"candidates/{SR_CANDIDATE['id']}/tags", {"tags": ["Referral", TAG]}),
        Call(
            "PUT",
            f"candidates/{SR_CANDIDATE['id']}/tags",
            {"tags": ["Referral"]},
            body={"tags": ["Referral"]},
        ),
    ]
    add_note_calls: ClassVar[list[Call]] = [
        Call(
            "POST",
            "messages/shares",
            {"id": "m1"},
            status=201,
            body={
                "content": f"#[CANDIDATE:{SR_CANDIDATE['id']}] {NOTE}",
                "shareWith": {"openNote": True},
            },
        ),
    ]
    note_read_calls = None  # no documented answer shape for reading messages back (see the module)
    page_calls: ClassVar[list[list[Call]]] = [
        [
            Call(
                "GET",
                "candidates",
                {"content": [SR_CANDIDATE], "nextPageId": "page-2", "totalFound": 2},
                params={"limit": "100"},
            )
        ],
        [
            Call(
                "GET",
                "candidates",
                {"content": [{**SR_CANDIDATE, "id": "sr-2"}], "totalFound": 2},
                params={"limit": "100", "pageId": "page-2"},
            )
        ],
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [[SR_CANDIDATE["id"]], ["sr-2"]]

    def stale_delivery(self) -> tuple[bytes, dict[str, str]]:
        past = int(time.time() - self.connector.replay_window - 60)
        return self.deliver(self.fixture(), timestamp=past)

    def test_screening_answers_404_is_no_answers_not_a_deleted_candidate(self):
        calls = [
            self.fetch_calls[0],
            Call("GET", f"{SR_PATH}/jobs/{SR_JOB}/screening-answers", {"message": "no"}, status=404),
            Call("GET", f"{SR_PATH}/attachments", {"totalFound": 0, "content": []}),
        ]
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            applicant = self.make_connector().fetch_candidate(SR_CANDIDATE["id"], SR_JOB)
            self.assert_sent(rsps, calls)
        assert applicant.answers == []
        assert applicant.full_name == "Olena Kovalenko"

    def test_without_a_job_id_the_primary_assignment_is_used(self):
        candidate = {**SR_CANDIDATE, "primaryAssignment": {"job": {"id": "job-9"}, "status": "NEW"}}
        calls = [
            Call("GET", SR_PATH, candidate),
            Call("GET", f"{SR_PATH}/jobs/job-9/screening-answers", {"totalFound": 0, "content": []}),
            Call("GET", f"{SR_PATH}/attachments", {"totalFound": 0, "content": []}),
        ]
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            applicant = self.make_connector().fetch_candidate(SR_CANDIDATE["id"])
            self.assert_sent(rsps, calls)
        assert applicant.source["job_id"] == "job-9"


KOMBO_FIXTURES = FIXTURES / "kombo"
KOMBO_CANDIDATES = json.loads((KOMBO_FIXTURES / "get-candidates.json").read_text())
KOMBO_CANDIDATE = KOMBO_CANDIDATES["data"]["results"][0]
KOMBO_ATTACHMENTS = json.loads((KOMBO_FIXTURES / "get-candidate-attachments.json").read_text())
KOMBO_WRITE_OK = json.loads((KOMBO_FIXTURES / "post-candidate-tags.json").read_text())
KOMBO_INTEGRATION_ID = "workday:CBNMt7dSNCzBdnRTx87dev4E"
KOMBO_CURSOR = KOMBO_CANDIDATES["data"]["next"]
KOMBO_TAGS_PATH = f"ats/candidates/{KOMBO_CANDIDATE['id']}/tags"


def kombo_page(*candidates: dict, next_cursor: str | None = None) -> dict:
    return {"status": "success", "data": {"next": next_cursor, "results": list(candidates)}}


class TestKomboConnector(ConnectorContract):
    connector = PLATFORMS["kombo"]
    auth = ("Authorization", f"Bearer {API_KEY}")
    settings: ClassVar[dict] = {"integration_id": KOMBO_INTEGRATION_ID}
    event_fixture = "data-changed.json"
    event_kind = EventKind.DATA_CHANGED  # names no candidate: the changes are listed (tasks/rescreen.py)
    expected_event: ClassVar[dict] = {"dedupe_key": "5gjAtURLPbnTiwgkaBfiA3WJ", "candidate_id": None}
    expected_parsed = None
    required_field = ("data", "changed_models")
    ignored_payload: ClassVar[dict] = {  # https://docs.kombo.dev/webhooks, "Data Schema"
        "id": "5gjAtURLPbnTiwgkaBfiA3WJ",
        "type": "sync-finished",
        "data": {"sync_id": "B89SCXXho7Yw8PGo8AKJxLn4", "sync_state": "SUCCEEDED"},
    }
    candidate_id = KOMBO_CANDIDATE["id"]
    fetch_calls: ClassVar[list[Call]] = [
        Call("GET", "ats/candidates", KOMBO_CANDIDATES, params={"ids": KOMBO_CANDIDATE["id"]}),
        Call("GET", f"ats/candidates/{KOMBO_CANDIDATE['id']}/attachments", KOMBO_ATTACHMENTS),
        Call("GET", KOMBO_ATTACHMENTS["data"]["results"][0]["data_url"], RESUME_PDF),
    ]
    expected_fetched: ClassVar[dict] = {
        "id": KOMBO_CANDIDATE["id"],
        "first_name": "John",
        "last_name": "Doe",
        "emails": ["john.doe@example.com", "jöhn.doe@exämple.de"],
        "phones": ["+1-541-754-3010"],
        "addresses": ["Lohmühlenstraße 65, 12435, Berlin, DE"],
        "location": "Berlin, Germany",
        "urls": ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
        "employers": ["Acme, Inc."],
        "answers": ["Portfolio: https://github.com/jdoe-dev", "Years of experience: 7"],
        "resume_text": "Jonathan Meyers\nBackend engineer at Brightline Software",
        "source": {
            "platform": "kombo",
            "candidate_id": KOMBO_CANDIDATE["id"],
            "remote_id": "32",
            "remote_url": "https://app.greenhouse.io/people/32",
            "application_id": "H77fDF8uvEzGNPRubiz5DvQ7",
        },
    }
    add_tag_new_calls: ClassVar[list[Call]] = [
        Call("POST", KOMBO_TAGS_PATH, KOMBO_WRITE_OK, body={"tag": {"name": TAG}})
    ]
    add_tag_existing_calls = add_tag_new_calls  # Kombo finds or creates the tag by name
    remove_tag_calls: ClassVar[list[Call]] = [
        Call("DELETE", KOMBO_TAGS_PATH, KOMBO_WRITE_OK, body={"tag": {"name": TAG}})
    ]
    add_note_calls: ClassVar[list[Call]] = [
        fetch_calls[0],
        Call(
            "POST",
            "ats/applications/H77fDF8uvEzGNPRubiz5DvQ7/notes",
            json.loads((KOMBO_FIXTURES / "post-application-notes.json").read_text()),
            body={"content": NOTE, "content_type": "PLAIN_TEXT"},
        ),
    ]
    note_read_calls = None  # Kombo documents no way to read notes back
    page_calls: ClassVar[list[list[Call]]] = [
        [Call("GET", "ats/candidates", KOMBO_CANDIDATES, params={"page_size": "250"})],
        [
            Call(
                "GET",
                "ats/candidates",
                kombo_page({**KOMBO_CANDIDATE, "id": "kombo-2"}),
                params={"page_size": "250", "cursor": KOMBO_CURSOR},
            )
        ],
    ]
    expected_page_ids: ClassVar[list[list[str]]] = [[KOMBO_CANDIDATE["id"]], ["kombo-2"]]

    def test_every_api_call_names_the_integration(self):
        with responses.RequestsMock() as rsps:
            self.register(rsps, self.fetch_calls)
            self.make_connector().fetch_candidate(self.candidate_id)
            on_api = [c.request for c in rsps.calls if c.request.url.startswith(self.api_base_url)]
        assert on_api and all(r.headers["X-Integration-Id"] == KOMBO_INTEGRATION_ID for r in on_api)

    def test_a_changes_listing_keeps_its_filter_on_every_page_reads_resumes_and_skips_deleted(self):
        since = "2026-12-03T09:00:00.000Z"
        deleted = {**KOMBO_CANDIDATE, "id": "gone", "remote_deleted_at": "2026-12-03T09:10:00.000Z"}
        calls = [
            Call(
                "GET",
                "ats/candidates",
                kombo_page(KOMBO_CANDIDATE, deleted, next_cursor="c2"),
                params={"page_size": "250", "updated_after": since},
            ),
            *self.fetch_calls[1:],
            Call(
                "GET",
                "ats/candidates",
                kombo_page(),
                params={"page_size": "250", "updated_after": since, "cursor": "c2"},
            ),
        ]
        cursor = self.connector.changes_cursor(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        with responses.RequestsMock() as rsps:
            self.register(rsps, calls)
            pages = list(self.make_connector().list_candidates(cursor))
            self.assert_sent(rsps, calls)
        assert [[a.id for a in page.applicants] for page in pages] == [[KOMBO_CANDIDATE["id"]], []]
        assert pages[0].applicants[0].resume_text.startswith("Jonathan Meyers")

    def test_data_changed_for_models_we_do_not_screen_is_ignored(self):
        payload = self.fixture()
        payload["data"]["changed_models"] = [{"name": "ats_jobs"}, {"name": "ats_interviews"}]
        raw_body, headers = self.deliver(payload)
        assert self.connector.parse_event(raw_body, headers).kind is EventKind.IGNORED

    def test_integration_reports_the_underlying_ats_and_its_writes(self):
        documented = json.loads((KOMBO_FIXTURES / "get-integration.json").read_text())
        path = f"integrations/{KOMBO_INTEGRATION_ID}"
        with responses.RequestsMock() as rsps:
            self.register(rsps, [Call("GET", path, documented)])
            info = self.make_connector().integration()
        # The documented example is an HRIS (Factorial) with no tag or note action: unknown, not "yes".
        assert (info.tool, info.label, info.can_tag, info.can_note) == ("factorial", "Factorial", None, None)
        actions = [
            {**documented["data"]["write_actions"][0], "id": "ats_add_candidate_tag", "label": "Add tag"},
            {**documented["data"]["write_actions"][0], "id": "ats_add_note", "is_available": False},
        ]
        ats = copy.deepcopy(documented)
        ats["data"]["write_actions"] = actions
        with responses.RequestsMock() as rsps:
            self.register(rsps, [Call("GET", path, ats)])
            info = self.make_connector().integration()
        assert (info.can_tag, info.can_note) == (True, False)

    def test_an_answer_of_another_shape_is_a_bad_response(self):
        with responses.RequestsMock() as rsps:
            self.register(rsps, [Call("GET", "ats/candidates", {"status": "success", "data": {"rows": []}})])
            with pytest.raises(ConnectorError) as caught:
                self.make_connector().fetch_candidate(self.candidate_id)
        assert caught.value.reason == "bad_response"
