"""Where HireWatch may send a request: the ATS API allowlist, and public addresses for files.

An installation's API URL carries the tenant's ATS key, so it must point at that platform's
own API: https on a host the connector declares (`Connector.api_hosts`). Anything else (the
sandbox ATS, a test stand-in, a self-hosted proxy) only when the operator lists its prefix in
HIREWATCH_ALLOW_API_URLS; the tenant admin API never gets that exception.

Résumé and attachment URLs come from webhook bodies and API answers: they are fetched only over
https from hosts whose every address is public. The address is checked when the connection is
made, on the address connected to (no second DNS lookup an attacker could answer differently),
and again for every redirect hop; operator-listed prefixes are the only exception.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, LocationParseError, NewConnectionError
from urllib3.util.url import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
_DNS_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
OPERATOR_HINT = "; an operator can allow other URLs with HIREWATCH_ALLOW_API_URLS"
# the admin API never honours the allowlist, so pointing a tenant at it would send them in circles
TENANT_HINT = (
    "; the admin API takes no other URL (HIREWATCH_ALLOW_API_URLS is for the CLI only: "
    "hirewatch installations add/update --api-base-url)"
)


class UrlRefused(ValueError):
    """A URL we will not send a request to; `reason` says why in words an admin can act on."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_allowed_prefixes(raw: str) -> tuple[str, ...]:
    """HIREWATCH_ALLOW_API_URLS: comma-separated absolute http(s) URL prefixes; ValueError naming
    the entry that is not one."""
    prefixes = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        parts = urlsplit(entry)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.query:
            raise ValueError(
                f"HIREWATCH_ALLOW_API_URLS entry {entry!r} is not an http(s) URL prefix "
                "such as http://127.0.0.1:8100/"
            )
        prefixes.append(entry)
    return tuple(prefixes)


def _parts(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path as the request will be made (urllib3 removes dot segments,
    so ".../v1/../admin" is compared as "/admin")."""
    parts = parse_url(url)
    scheme = (parts.scheme or "").lower()
    return scheme, (parts.host or "").lower(), parts.port or DEFAULT_PORTS.get(scheme, 0), parts.path or "/"


def under_prefix(url: str, prefixes: Sequence[str]) -> bool:
    """True when `url` is at or below one of the operator's prefixes (same scheme, host and port;
    path on a segment boundary, so a prefix .../v1 does not cover .../v10)."""
    try:
        scheme, host, port, path = _parts(url)
    except LocationParseError:
        return False
    for prefix in prefixes:
        p_scheme, p_host, p_port, p_path = _parts(prefix)
        base = p_path.rstrip("/")
        if (p_scheme, p_host, p_port) == (scheme, host, port) and (
            path == base or path.startswith(base + "/")
        ):
            return True
    return False


def host_allowed(host: str, patterns: Sequence[str]) -> bool:
    """`host` is one of `patterns`; "*.example.com" matches any subdomain of example.com. Only a
    plain DNS name can match: a backslash or %-escape could make another parser see another host."""
    host = host.lower().rstrip(".")
    if not _DNS_NAME.fullmatch(host):
        return False
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def check_api_url(
    url: str,
    api_hosts: Sequence[str],
    *,
    field: str = "api_base_url",
    operator_allowed: Sequence[str] = (),
    vendor: str = "the ATS",
    hint: str = OPERATOR_HINT,
) -> str:
    """`url` (an installation's API base URL, OAuth token URL, ...) when HireWatch may send the
    tenant's credentials there; UrlRefused otherwise. Every such field goes through here."""
    if operator_allowed and under_prefix(url, operator_allowed):
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(field, "not a valid URL") from None
    if parts.scheme.lower() != "https":
        raise UrlRefused(field, f"must be an https URL of {vendor}'s API{hint}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UrlRefused(field, "must not carry a user name, password, query or fragment")
    if port not in (None, 443) or not parts.hostname or not host_allowed(parts.hostname, api_hosts):
        raise UrlRefused(
            field,
            f"{parts.netloc or url!r} is not one of {vendor}'s API hosts ({', '.join(api_hosts)}){hint}",
        )
    return url


# ----- files from strangers: public addresses only ---------------------------------------------


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, IPv4 first, when every one of them is public; UrlRefused otherwise
    (loopback, private, link-local, multicast, reserved, unspecified...)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UrlRefused("url", f"host {host!r} does not resolve") from exc
    addresses = sorted({info[4][0] for info in infos}, key=lambda a: (":" in a, a))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            raise UrlRefused("url", f"host {host!r} resolves to a non-public address")
    if not addresses:
        raise UrlRefused("url", f"host {host!r} does not resolve")
    return addresses


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        # Connect only to the addresses just checked (each in turn, as a resolver-driven connect
        # would); TLS still verifies the certificate for the name.
        name, failure = self._dns_host, None
        try:
            for address in public_addresses(name, self.port):
                self._dns_host = address
                try:
                    return super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as exc:
                    failure = exc
            raise failure
        finally:
            self._dns_host = name


class _PublicHTTPSConnection(_PublicHTTPConnection, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests adapter whose connections go only to public addresses."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


def public_session() -> requests.Session:
    """A session for URLs from strangers: public addresses only, no proxy or .netrc from the
    environment (a proxy would make the address check meaningless)."""
    session = requests.Session()
    session.trust_env = False
    adapter = PublicOnlyAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def check_file_url(url: str, operator_allowed: Sequence[str] = ()) -> None:
    """An attachment URL we may fetch: https (the address is checked on connect), or under an
    operator-listed prefix; UrlRefused otherwise."""
    if operator_allowed and under_prefix(url, operator_allowed):
        return
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise UrlRefused("url", "attachments are fetched over https only")
    if parts.username or parts.password:
        raise UrlRefused("url", "attachment URLs must not carry a user name or password")
