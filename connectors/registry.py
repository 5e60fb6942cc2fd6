"""Platform name → connector class, and the metadata the routes and manifest.json are built from.

Every module in the `connectors` package that defines a `Connector` subclass registers it by
its `name`: adding an ATS is one module (plus fixtures and one contract test subclass), with
no list to edit here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import connectors
from connectors import urls
from connectors.base import (
    AccessCheck,
    ActingUser,
    Connector,
    ConnectorAbort,
    ConnectorError,
    EventKind,
    Installation,
    SettingField,
)

_NOT_CONNECTOR_MODULES = frozenset({"base", "registry", "payload", "resume", "urls"})


class UnknownPlatform(LookupError):
    """No connector is registered under this name."""

    def __init__(self, name: str):
        super().__init__(f"unknown platform {name!r}; known: {', '.join(sorted(PLATFORMS))}")
        self.name = name


@dataclass(frozen=True, slots=True)
class PlatformMetadata:
    """What one platform declares: drives the webhook route, its replies and manifest.json."""

    name: str
    display_name: str
    auth_type: str  # basic_api_key | bearer | token_header
    auth_header: str | None  # for token_header: the header the key goes in
    required_permissions: tuple[str, ...]
    events: dict[str, str]  # vendor event name -> EventKind value
    event_header: str | None  # header naming the event, when the body does not
    signature_header: str
    signature_location: str  # header | body
    signature_scheme: str
    replay_window_seconds: float | None
    handshake: str | None  # e.g. "x-hook-secret-echo"
    handshake_status: int
    success_status: int
    dedupe_source: str | None
    writeback_kinds: tuple[str, ...]
    acting_user: ActingUser | None
    settings_fields: tuple[SettingField, ...]
    default_api_base: str

    @property
    def handled_events(self) -> dict[str, str]:
        """The events we act on (everything but IGNORED)."""
        return {event: kind for event, kind in self.events.items() if kind != EventKind.IGNORED}

    def as_manifest(self) -> dict:
        """The per-platform block of manifest.json (plain JSON types)."""
        data = asdict(self)
        data["required_permissions"] = list(self.required_permissions)
        data["writeback_kinds"] = list(self.writeback_kinds)
        data["settings_fields"] = [{**asdict(f), "choices": list(f.choices)} for f in self.settings_fields]
        data["handled_events"] = self.handled_events
        return data


def metadata_of(connector: type[Connector]) -> PlatformMetadata:
    return PlatformMetadata(
        name=connector.name,
        display_name=connector.display_name,
        auth_type=str(connector.auth_type),
        auth_header=connector.auth_header,
        required_permissions=tuple(connector.required_permissions),
        events={event: str(kind) for event, kind in connector.events.items()},
        event_header=connector.event_header,
        signature_header=connector.signature_header,
        signature_location=connector.signature_location,
        signature_scheme=connector.signature_scheme,
        replay_window_seconds=connector.replay_window,
        handshake=connector.handshake_kind,
        handshake_status=connector.handshake_status,
        success_status=connector.success_status,
        dedupe_source=connector.dedupe_source,
        writeback_kinds=tuple(connector.writeback_kinds),
        acting_user=connector.acting_user,
        settings_fields=tuple(connector.settings_fields),
        default_api_base=connector.api_base,
    )


def _discover() -> dict[str, type[Connector]]:
    found: dict[str, type[Connector]] = {}
    for module_info in sorted(pkgutil.iter_modules(connectors.__path__), key=lambda m: m.name):
        if module_info.name in _NOT_CONNECTOR_MODULES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"connectors.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Connector)
                and cls.__module__ == module.__name__
                and not inspect.isabstract(cls)
            ):
                if cls.name in found:
                    raise RuntimeError(f"two connectors claim the platform name {cls.name!r}")
                found[cls.name] = cls
    return found


PLATFORMS: dict[str, type[Connector]] = _discover()
METADATA: dict[str, PlatformMetadata] = {name: metadata_of(cls) for name, cls in PLATFORMS.items()}


def get_connector(name: str) -> type[Connector]:
    """The connector class for a platform key ("greenhouse"); UnknownPlatform otherwise."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(name) from None


def missing_settings(name: str, given: dict) -> list[str]:
    """The required per-installation settings of a platform that `given` lacks (Kombo's integration id)."""
    return [f.id for f in get_connector(name).settings_fields if f.required and not given.get(f.id)]


def get_metadata(name: str) -> PlatformMetadata:
    get_connector(name)  # same error for an unknown name
    return METADATA[name]


def check_access(installation: Installation, allowed_urls: Sequence[str] = ()) -> AccessCheck:
    """Authenticate and make one read with these settings (nothing is stored): the test call made
    before an installation is added or its credentials or URL change, and on demand."""
    try:
        connector = get_connector(installation.platform)(installation, allowed_urls=allowed_urls)
    except ConnectorAbort as refused:  # credentials the platform no longer takes, or none yet
        if not (installation.api_key or installation.client_id or installation.client_secret):
            return AccessCheck(ok=True, message="no credentials yet, so nothing was checked")
        return AccessCheck(False, "bad_credentials", str(refused))
    return connector.check_access()


def check_tenant_api_url(platform: str, url: str, field: str = "api_base_url") -> str:
    """A URL a tenant gives (admin API): on the platform's own API hosts over https, with no
    operator exception; `urls.UrlRefused` otherwise."""
    connector = get_connector(platform)
    return urls.check_api_url(
        url, connector.api_hosts, field=field, vendor=connector.display_name, hint=urls.TENANT_HINT
    )


def api_base_of(installation: Installation) -> str | None:
    """The API base URL these settings lead to (Workable builds it from a setting); None when
    they lead nowhere yet."""
    try:
        return get_connector(installation.platform)(installation).base_url
    except ConnectorError:
        return None
