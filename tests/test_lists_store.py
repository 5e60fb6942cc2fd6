"""The list version store, the official download (served by `responses`) and `hirewatch lists`."""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner

from integration.cli import main
from screening.lists import store as store_module
from screening.lists.diff import changed_fields, diff_snapshot_sets, diff_snapshots
from screening.lists.download import download_all
from screening.lists.errors import ListDownloadError, ListUpdateRefused, NoListsError
from screening.lists.sources import official_sources
from screening.lists.store import ListStore, load_lists
from screening.models import Entity, EntityType, ListedName, ListSnapshot

FIXTURE = Path(__file__).parent / "fixtures" / "lists" / "basic"
S3 = "https://s3.example-bucket.amazonaws.com/exports"
CONS_STAND_INS = {
    "cons_prim.csv": "sdn.csv",
    "cons_alt.csv": "alt.csv",
    "cons_add.csv": "add.csv",
    "cons_comments.csv": "sdn_comments.csv",
}


def _copy_fixture(tmp_path: Path, name: str = "lists") -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / name))


def _drop_sdn_rows(directory: Path, count: int) -> None:
    sdn = directory / "ofac" / "sdn.csv"
    lines = sdn.read_bytes().split(b"\r\n")
    sdn.write_bytes(b"\r\n".join(lines[count:]))


def test_no_lists_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(NoListsError, match=r"hirewatch lists update.*--from DIR"):
        ListStore(tmp_path / "empty").current_snapshots()


def test_import_keeps_previous_and_reports_diff(tmp_path: Path) -> None:
    store = ListStore(tmp_path / "store")
    first = store.import_directory(FIXTURE)
    assert first.changed and first.previous is None
    assert first.version.counts == {"ofac_sdn": 15, "un": 5}
    sha = hashlib.sha256((FIXTURE / "ofac" / "sdn.csv").read_bytes()).hexdigest()
    assert first.version.files["ofac/sdn.csv"] == sha

    assert not store.import_directory(FIXTURE).changed  # same files: no new version

    newer = _copy_fixture(tmp_path)
    _drop_sdn_rows(newer, 1)  # 1 of 15 entries (6.7%) removed: within the 10% guard
    second = store.import_directory(newer)
    assert second.changed and second.previous == first.version.id
    assert second.diffs["ofac_sdn"].counts() == {"added": 0, "removed": 1, "changed": 0}
    status = store.status()
    assert (status.current.id, status.previous.id) == (second.version.id, first.version.id)
    assert [v.id for v in store.versions()] == [second.version.id, first.version.id]


def test_current_snapshots_include_advisories_and_load_fast(tmp_path: Path) -> None:
    store = ListStore(tmp_path / "store")
    store.import_directory(FIXTURE)
    names = [s.name for s in ListStore(tmp_path / "store").current_snapshots()]
    assert names == ["ofac_sdn", "un", "advisories"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: _drop_sdn_rows(d, 3), r"ofac_sdn would shrink from 15 to 12 entries"),
        (lambda d: (d / "un" / "consolidated.xml").unlink(), r"un would shrink from 5 to 0 entries"),
        (
            lambda d: (d / "ofac" / "alt.csv").write_bytes(b'1,"too","few"\r\n'),
            r"alt\.csv:1: expected 5 columns, got 3",
        ),
    ],
)
def test_broken_version_is_refused_and_current_stays(tmp_path: Path, damage, reason: str) -> None:
    store = ListStore(tmp_path / "store")
    current = store.import_directory(FIXTURE).version.id
    broken = _copy_fixture(tmp_path)
    damage(broken)
    with pytest.raises(ListUpdateRefused, match=reason) as refused:
        store.import_directory(broken)
    assert f"Version {current} stays current" in str(refused.value)
    assert store.current_version() == current
    assert len(store.versions()) == 1


def test_old_versions_are_pruned_but_previous_kept(tmp_path: Path) -> None:
    store = ListStore(tmp_path / "store", keep=2)
    ids = []
    for drop in range(3):
        directory = _copy_fixture(tmp_path, f"v{drop}")
        _drop_sdn_rows(directory, drop)
        ids.append(store.import_directory(directory).version.id)
    assert [v.id for v in store.versions()] == [ids[2], ids[1]]


# --- download, served from the real files by `responses` ----------------------------------------


def _serve(shared_data: Path) -> dict[str, bytes]:
    """Register every official URL: OFAC answers 302 to S3 like the SLS does; UN answers directly.
    The consolidated non-SDN files are absent from ../shared/data: serve the fixture's real rows."""
    served = {}
    for source in official_sources():
        name = Path(source.path).name
        local = shared_data / source.path
        if not local.exists():
            local = (
                FIXTURE / "ofac" / name.replace("cons_prim", "sdn").replace("cons_comments", "sdn_comments")
            )
            local = local if local.exists() else FIXTURE / "ofac" / name.replace("cons_", "")
        body = local.read_bytes()
        served[source.path] = body
        if source.path.startswith("ofac/"):
            responses.add(responses.GET, source.url, status=302, headers={"Location": f"{S3}/{name}?sig=x"})
            responses.add(responses.GET, f"{S3}/{name}", body=body)
        else:
            responses.add(responses.GET, source.url, body=body)
    return served


@responses.activate
def test_update_downloads_real_files_and_imports_them(tmp_path: Path, shared_data: Path) -> None:
    served = _serve(shared_data)
    result = ListStore(tmp_path / "store").update()
    assert result.version.counts["ofac_sdn"] == 14965
    assert result.version.counts["un"] == 1003
    assert result.version.counts["ofac_cons"] == 15
    assert result.version.files["ofac/sdn.csv"] == hashlib.sha256(served["ofac/sdn.csv"]).hexdigest()
    agents = {call.request.headers["User-Agent"] for call in responses.calls}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("Mozilla/5.0") and len(agent) >= 40
    assert not list((tmp_path / "store").glob(".download-*"))  # temporary files removed


@responses.activate
def test_url_overrides_by_env_var_name(tmp_path: Path) -> None:
    responses.add(responses.GET, "https://mirror.example/sdn.csv", body=b'1,"X"')
    download_all({"ofac/sdn.csv": "https://mirror.example/sdn.csv"}, tmp_path)
    assert (tmp_path / "ofac" / "sdn.csv").read_bytes() == b'1,"X"'
    from screening.lists.sources import resolve_urls

    urls = resolve_urls({"HIREWATCH_UN_XML_URL": "https://mirror.example/un.xml"})
    assert urls["un/consolidated.xml"] == "https://mirror.example/un.xml"
    assert urls["ofac/sdn.csv"].startswith("https://sanctionslistservice.ofac.treas.gov/")


@responses.activate
@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"status": 403}, r"HTTP 403 \(a WAF refusing the User-Agent\?\)"),
        ({"status": 503}, r"answered HTTP 503 3 times"),
        ({"body": requests.ConnectionError("no route")}, r"could not reach .*--from DIR"),
        ({"body": b""}, r"empty file"),
    ],
)
def test_download_failures_say_what_to_do(tmp_path: Path, reply: dict, message: str) -> None:
    responses.add(responses.GET, "https://lists.example/SDN.CSV", **reply)
    with pytest.raises(ListDownloadError, match=message):
        download_all({"ofac/sdn.csv": "https://lists.example/SDN.CSV"}, tmp_path, retry_pause=0)


# --- the CLI -------------------------------------------------------------------------------------


def test_cli_update_status_and_refusal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_LISTS_DIR", str(tmp_path / "store"))
    runner = CliRunner()
    missing = runner.invoke(main, ["lists", "status"])
    assert missing.exit_code != 0 and "hirewatch lists update" in missing.output

    imported = runner.invoke(main, ["lists", "update", "--from", str(FIXTURE)])
    assert imported.exit_code == 0, imported.output
    assert "ofac_sdn" in imported.output and "15 entries" in imported.output
    assert "current" in runner.invoke(main, ["lists", "status"]).output

    broken = _copy_fixture(tmp_path)
    _drop_sdn_rows(broken, 5)
    refused = runner.invoke(main, ["lists", "update", "--from", str(broken)])
    assert refused.exit_code == 1
    assert "refused: ofac_sdn would shrink from 15 to 10 entries" in refused.output


def test_cli_diff_of_history_files(tmp_path: Path, shared_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_LISTS_DIR", str(tmp_path / "store"))
    old, new = shared_data / "ofac" / "history" / "sdn-2024-04-26.csv", shared_data / "ofac" / "sdn.csv"
    result = CliRunner().invoke(main, ["lists", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ofac_sdn: 305 added, 8 removed, 0 changed")
    assert result.output.count("\n  + ") == 305 and result.output.count("\n  - ") == 8


def test_diff_finds_changed_entries(shared_data: Path, tmp_path: Path) -> None:
    store = ListStore(tmp_path)
    history = shared_data / "ofac" / "history"
    diff = diff_snapshots(
        *store.resolve(str(history / "sdn-2024-04-23.csv")),
        *store.resolve(str(history / "sdn-2024-04-26.csv")),
    )
    assert diff.counts() == {"added": 29, "removed": 2, "changed": 1}
    before, after = diff.changed[0]
    assert before.native_id == after.native_id == "13109"


def test_fresh_worker_loads_the_stored_real_lists(tmp_path: Path, shared_data: Path) -> None:
    """A worker process starts with an empty cache and unpickles (speed: bench/lists.py)."""
    ListStore(tmp_path / "store").import_directory(shared_data)
    store_module._CACHE.clear()
    snapshots = ListStore(tmp_path / "store").current_snapshots()
    assert [(s.name, len(s.entities)) for s in snapshots[:2]] == [("ofac_sdn", 14965), ("un", 1003)]
    kim = next(e for e in snapshots[0].entities if e.native_id == "43377")
    assert kim.primary_name == "KIM, Sang Man" and kim.birth_dates == ["1965-04-25"]
    assert ListStore(tmp_path / "store").current_snapshots()[0] is snapshots[0]  # cached per process


def _entity(native_id: str, name: str) -> Entity:
    return Entity(list="ofac_sdn", native_id=native_id, type=EntityType.INDIVIDUAL, names=[ListedName(name)])


def test_diff_snapshots_added_removed_changed() -> None:
    old = ListSnapshot(
        "ofac_sdn", "v1", [_entity("1", "KIM, Chol"), _entity("2", "RI, Su"), _entity("3", "O, Jin")]
    )
    new = ListSnapshot(
        "ofac_sdn", "v2", [_entity("1", "KIM, Chol"), _entity("3", "O, Jin Ho"), _entity("4", "PAK")]
    )
    diff = diff_snapshots(old, new)
    assert [e.native_id for e in diff.added] == ["4"]
    assert [e.native_id for e in diff.removed] == ["2"]
    assert [(a.primary_name, b.primary_name) for a, b in diff.changed] == [("O, Jin", "O, Jin Ho")]
    assert changed_fields(*diff.changed[0]) == ["names"]
    assert (diff.old_version, diff.new_version) == ("v1", "v2")
    gone = diff_snapshot_sets([old], [])["ofac_sdn"]
    assert gone.counts() == {"added": 0, "removed": 3, "changed": 0}


def test_load_lists_prefers_directory_then_store_then_demo_only_if_allowed(tmp_path: Path) -> None:
    assert [s.name for s in load_lists(tmp_path, FIXTURE)] == ["ofac_sdn", "un", "advisories"]
    with pytest.raises(NoListsError):
        load_lists(tmp_path / "empty")
    assert [s.name for s in load_lists(tmp_path / "empty", allow_demo=True)] == ["demo"]
    ListStore(tmp_path / "store").import_directory(FIXTURE)
    assert [s.name for s in load_lists(tmp_path / "store", allow_demo=True)] == [
        "ofac_sdn",
        "un",
        "advisories",
    ]


def test_pickle_from_other_model_fields_is_reparsed(tmp_path: Path, monkeypatch) -> None:
    store = ListStore(tmp_path / "store")
    version = store.import_directory(FIXTURE).version.id
    monkeypatch.setattr(store_module, "SCHEMA", "schema-of-the-running-code")
    store_module._CACHE.clear()
    snapshots = ListStore(tmp_path / "store").current_snapshots()
    assert [len(s.entities) for s in snapshots[:2]] == [15, 5]
    stored = pickle.loads((tmp_path / "store" / "versions" / version / "snapshots.pickle").read_bytes())
    assert stored["schema"] == "schema-of-the-running-code"  # rewritten by the code now running


def test_pickle_of_a_field_since_removed_is_reparsed(tmp_path: Path, monkeypatch) -> None:
    """Snapshots unpickle by calling the classes with their fields: one field too many is a re-parse."""
    written_by = store_module._by_constructor
    monkeypatch.setattr(
        store_module, "_by_constructor", lambda obj: (type(obj), (*written_by(obj)[1], "gone"))
    )
    store = ListStore(tmp_path / "store")
    store.import_directory(FIXTURE)
    monkeypatch.undo()
    store_module._CACHE.clear()
    assert [len(s.entities) for s in ListStore(tmp_path / "store").current_snapshots()[:2]] == [15, 5]


@responses.activate
def test_cli_update_download_failure_exits_non_zero(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HIREWATCH_LISTS_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("HIREWATCH_OFAC_SDN_URL", "https://mirror.example/SDN.CSV")
    responses.add(responses.GET, "https://mirror.example/SDN.CSV", status=403)
    result = CliRunner().invoke(main, ["lists", "update"])
    assert result.exit_code == 1
    assert "https://mirror.example/SDN.CSV answered HTTP 403" in result.output
    assert ListStore(tmp_path / "store").current_version() is None
