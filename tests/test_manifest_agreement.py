"""manifest.json and the code agree: platforms, routes, events, endpoints."""

from __future__ import annotations

import inspect

import pytest

from connectors.base import EventKind
from connectors.registry import PLATFORMS
from integration.app import create_app
from integration.manifest import MANIFEST_PATH, build_manifest, load_manifest, render_manifest
from tests.receiver_support import receiver_settings

MANIFEST = load_manifest()


@pytest.fixture
def client(tmp_path, sqlite_url):
    return create_app(receiver_settings(tmp_path, sqlite_url)).test_client()


def test_committed_manifest_is_what_the_registry_generates() -> None:
    assert MANIFEST_PATH.read_text(encoding="utf-8") == render_manifest(), (
        "manifest.json is stale: run `python -m integration.manifest` and commit it"
    )


def test_every_registered_platform_is_declared_and_every_declared_one_has_a_connector() -> None:
    assert set(MANIFEST["platforms"]) == set(PLATFORMS)
    for name, connector in PLATFORMS.items():
        assert not inspect.isabstract(connector), name
        assert MANIFEST["platforms"][name]["success_status"] == connector.success_status


def test_every_declared_event_maps_to_the_kind_parse_event_dispatches_on() -> None:
    for name, block in MANIFEST["platforms"].items():
        connector = PLATFORMS[name]
        assert block["handled_events"], f"{name} declares no event it acts on"
        for event, kind in block["events"].items():
            assert connector.event_kind(event) == EventKind(kind), (name, event)
        screens_new = {EventKind.APPLICATION_CREATED, EventKind.DATA_CHANGED}  # named, or listed as changed
        assert screens_new & {EventKind(k) for k in block["handled_events"].values()}, name


@pytest.mark.parametrize("platform", sorted(MANIFEST["platforms"]))
def test_every_declared_platform_has_a_live_route(client, platform: str) -> None:
    path = MANIFEST["platforms"][platform]["webhook_path"].replace("{installation_id}", "not-installed")
    response = client.post(path, data=b"{}")
    # Routed to the platform's receiver, which then finds no such installation.
    assert (response.status_code, response.json) == (404, {"error": "unknown installation"})


def test_declared_endpoints_exist_and_the_manifest_is_served(client) -> None:
    rules = {
        (rule.rule, method) for rule in client.application.url_map.iter_rules() for method in rule.methods
    }
    for endpoint in MANIFEST["endpoints"].values():
        flask_path = endpoint["path"].replace("{", "<").replace("}", ">")
        assert (flask_path, endpoint["method"]) in rules, endpoint
    assert client.get("/manifest.json").json == build_manifest()


def test_config_fields_declare_secrets() -> None:
    fields = {field["id"]: field for field in MANIFEST["config_fields"]}
    assert fields["api_key"]["secret"] and fields["webhook_secret"]["secret"]
    assert not fields["name"]["secret"] and fields["tags.high"]["default"] == "HireWatch: high risk"
    for field in fields.values():
        assert {"id", "type", "label", "required", "description", "secret"} <= set(field)
