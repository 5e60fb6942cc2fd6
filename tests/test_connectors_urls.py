"""Where requests may go: API URLs on each platform's allowlist, attachments from public hosts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from connectors.base import MAX_REDIRECTS, ConnectorAbort, ConnectorError, Installation
from connectors.greenhouse import Greenhouse
from connectors.registry import PLATFORMS
from connectors.urls import (
    UrlRefused,
    check_api_url,
    parse_allowed_prefixes,
    public_addresses,
    under_prefix,
)

GREENHOUSE_HOSTS = Greenhouse.api_hosts
GH_V3 = {"client_id": "c", "client_secret": "s", "on_behalf_of": "7"}  # Harvest v3 client credentials
GH_TOKEN_URL = Greenhouse.token_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379",
        "http://[::1]:8080/v1",
        "https://169.254.169.254/latest/meta-data",
        "http://harvest.greenhouse.io/v1",  # http, even on the right host
        "https://harvest.greenhouse.io.evil.example/v1",
        "https://evil.example/harvest.greenhouse.io/v1",
        "https://harvest.greenhouse.io:6379/v1",
        "https://key@harvest.greenhouse.io/v1",
        "https://harvest.greenhouse.io/v1?x=1",
        "gopher://harvest.greenhouse.io/",
        "not a url",
    ],
)
def test_api_urls_off_the_platforms_hosts_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        check_api_url(url, GREENHOUSE_HOSTS, vendor="Greenhouse")
    assert refused.value.field == "api_base_url"


def test_the_platforms_own_hosts_are_accepted_for_base_and_token_urls() -> None:
    assert check_api_url("https://harvest.greenhouse.io/v1", GREENHOUSE_HOSTS)
    assert check_api_url("https://HARVEST.greenhouse.io:443/v3", GREENHOUSE_HOSTS)
    assert check_api_url("https://auth.greenhouse.io/token", GREENHOUSE_HOSTS, field="token_url")
    with pytest.raises(UrlRefused) as refused:
        check_api_url("http://127.0.0.1:9/token", GREENHOUSE_HOSTS, field="token_url")
    assert refused.value.field == "token_url"
    workable = PLATFORMS["workable"].api_hosts
    assert check_api_url("https://acme.workable.com/spi/v3", workable)
    for other in (
        "https://workable.com.evil.example/spi/v3",
        "https://evil.example\\.workable.com/spi/v3",
        "https://acme%2eevil.example.workable.com/spi/v3",
        "https://.workable.com/spi/v3",
    ):
        with pytest.raises(UrlRefused):
            check_api_url(other, workable)


def test_every_platform_declares_https_hosts_its_default_base_is_on() -> None:
    for connector in PLATFORMS.values():
        assert connector.api_hosts, connector.name
        default = connector.api_base.replace("{subdomain}", "acme")
        assert check_api_url(default, connector.api_hosts) == default


def test_operator_prefixes_allow_exactly_what_they_name() -> None:
    allowed = parse_allowed_prefixes(" http://127.0.0.1:8100/v1 , https://proxy.internal/ats/")
    assert allowed == ("http://127.0.0.1:8100/v1", "https://proxy.internal/ats/")
    assert check_api_url("http://127.0.0.1:8100/v1", GREENHOUSE_HOSTS, operator_allowed=allowed)
    assert under_prefix("http://127.0.0.1:8100/v1/candidates/1", allowed)
    assert under_prefix("https://proxy.internal/ats/v1", allowed)
    for other in (
        "http://127.0.0.1:8101/v1",  # another port
        "http://127.0.0.1:8100/v10",  # not on a path boundary
        "https://127.0.0.1:8100/v1",  # another scheme
        "http://localhost:8100/v1",  # another host name
    ):
        assert not under_prefix(other, allowed), other
        with pytest.raises(UrlRefused):
            check_api_url(other, GREENHOUSE_HOSTS, operator_allowed=allowed)


@pytest.mark.parametrize("raw", ["127.0.0.1:8100", "ftp://x/", "http://", "http://a/?q=1"])
def test_a_malformed_operator_prefix_is_an_error_naming_it(raw: str) -> None:
    with pytest.raises(ValueError, match="HIREWATCH_ALLOW_API_URLS entry"):
        parse_allowed_prefixes(raw)


@responses.activate
def test_a_connector_sends_nothing_to_a_url_off_the_allowlist() -> None:
    connector = Greenhouse(
        Installation(id="i", platform="greenhouse", api_base_url="http://127.0.0.1:6379", **GH_V3)
    )
    with pytest.raises(ConnectorAbort) as aborted:
        connector.fetch_candidate("1")
    assert aborted.value.reason == "api_url_refused"
    assert len(responses.calls) == 0  # the key never left


@responses.activate
def test_a_next_page_link_to_another_host_is_not_followed() -> None:
    responses.post(GH_TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.get(
        "https://harvest.greenhouse.io/v3/candidates",
        json=[],
        headers={"Link": '<http://169.254.169.254/latest/meta-data>; rel="next"'},
    )
    pages = Greenhouse(Installation(id="i", platform="greenhouse", **GH_V3)).list_candidates()
    assert next(pages).applicants == []
    with pytest.raises(ConnectorAbort, match="api_base_url"):
        next(pages)
    assert len(responses.calls) == 2  # the token and the first page


@responses.activate
def test_error_messages_carry_no_response_body() -> None:
    responses.post(GH_TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
    responses.get(
        "https://harvest.greenhouse.io/v3/candidates", status=400, body="-ERR internal secret 10.0.0.7"
    )
    with pytest.raises(ConnectorError) as failed:
        Greenhouse(Installation(id="i", platform="greenhouse", **GH_V3)).fetch_candidate("1")
    assert "secret" not in str(failed.value)
    assert "answered 400" in str(failed.value)


# ----- attachment URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
                "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1"],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(UrlRefused, match="non-public"):
        public_addresses(address, 443)


def test_public_addresses_pass() -> None:
    assert public_addresses("8.8.8.8", 443) == ["8.8.8.8"]
    assert public_addresses("2606:4700:4700::1111", 443) == ["2606:4700:4700::1111"]


class _Hits(BaseHTTPRequestHandler):
    """A loopback server standing for an internal service: counts what reaches it."""

    hits: list[str]

    def do_GET(self) -> None:  # http.server calls it by this name
        self.hits.append(self.path)
        if self.path.startswith("/redirect-to/"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect-to/"))
            self.end_headers()
            return
        if self.path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        body = b"%PDF-1.4 internal file"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Hits,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _connector(allowed: tuple[str, ...] = ()) -> Greenhouse:
    return Greenhouse(Installation(id="i", platform="greenhouse", **GH_V3), allowed_urls=allowed)


@pytest.mark.parametrize(
    "template", ["http://{host}/cv.pdf", "https://{host}/cv.pdf", "https://localhost:{port}/cv"]
)
def test_attachment_urls_to_internal_hosts_are_never_requested(internal, template: str) -> None:
    host, hits = internal
    url = template.format(host=host, port=host.rsplit(":", 1)[1])
    with pytest.raises(ConnectorError) as refused:
        _connector().download(url, 1_000_000)
    assert refused.value.reason == "attachment_refused"
    assert hits == []  # resolved and refused before any connection


def test_attachment_urls_under_an_operator_prefix_are_fetched(internal) -> None:
    host, hits = internal
    data = _connector(allowed=(f"http://{host}/",)).download(f"http://{host}/cv.pdf", 1_000_000)
    assert data.startswith(b"%PDF-")
    assert hits == ["/cv.pdf"]


@pytest.mark.parametrize("target", ["http://localhost:{port}/admin", "https://localhost:{port}/admin"])
def test_every_redirect_hop_is_checked_again(internal, target: str) -> None:
    host, hits = internal
    location = target.format(port=host.rsplit(":", 1)[1])
    with pytest.raises(ConnectorError) as refused:
        _connector(allowed=(f"http://{host}/",)).download(f"http://{host}/redirect-to/{location}", 1_000_000)
    assert refused.value.reason == "attachment_refused"
    assert hits == [f"/redirect-to/{location}"]  # the first hop only


def test_dot_segments_do_not_escape_an_operator_prefix() -> None:
    allowed = ("http://127.0.0.1:8100/files/",)
    assert not under_prefix("http://127.0.0.1:8100/files/../admin", allowed)
    assert under_prefix("http://127.0.0.1:8100/files/a/../cv.pdf", allowed)


def test_redirect_hops_are_capped(internal) -> None:
    host, hits = internal
    with pytest.raises(ConnectorError, match="redirected more than"):
        _connector(allowed=(f"http://{host}/",)).download(f"http://{host}/loop", 1_000_000)
    assert len(hits) == MAX_REDIRECTS + 1


def test_an_attachment_on_a_refused_api_host_gets_no_credentials(internal) -> None:
    host, hits = internal
    installation = Installation(
        id="i", platform="greenhouse", api_key="KEY", api_base_url=f"http://{host}/v1"
    )
    with pytest.raises(ConnectorAbort, match="api_base_url"):  # a row stored before the allowlist
        Greenhouse(installation).download(f"http://{host}/v1/cv.pdf", 1_000_000)
    assert hits == []


def test_one_private_address_among_public_ones_refuses_the_host(monkeypatch) -> None:
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in ("93.184.216.34", "10.0.0.7")]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: answers)
    with pytest.raises(UrlRefused, match="non-public"):
        public_addresses("rebind.example", 443)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_a, **_k: answers[:1])
    assert public_addresses("rebind.example", 443) == ["93.184.216.34"]
