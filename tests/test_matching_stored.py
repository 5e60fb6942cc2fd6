"""The sanctions index stored per list version (screening.matching.stored): same results as the
index built in memory, and a corrupt or stale file is rebuilt, never trusted."""

from __future__ import annotations

import json
import logging
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from integration.cli import main
from screening.lists import load_directory
from screening.lists.store import ListStore
from screening.matching import SanctionsIndex, stored
from screening.matching.blocking import StoredNames
from screening.models import Applicant, ListedName
from tasks.runtime import ScreenerCache

FIXTURE = Path(__file__).parent / "fixtures" / "lists" / "basic"
EMPLOYERS = ["Korea Sobaeksu Trading Company", "Banco Nacional de Cuba", "Acme Software GmbH", "KOMID"]


def _hits(index: SanctionsIndex, applicant: Applicant) -> list[tuple]:
    return [
        (h.list, h.entity_id, h.matched_on, h.matched_name, h.score, h.explanation)
        for h in index.match(applicant)
    ]


def _restored(index: SanctionsIndex) -> bool:
    return isinstance(index.people.names, StoredNames)


@pytest.fixture(scope="module")
def real_lists(shared_data: Path) -> list:
    return load_directory(shared_data)


def test_stored_index_screens_real_data_as_the_built_one(
    real_lists, shared_data: Path, tmp_path: Path
) -> None:
    built = stored.load_or_build(real_lists, tmp_path)
    loaded = stored.load_or_build(real_lists, tmp_path)
    assert not _restored(built) and _restored(loaded)
    queries = shared_data.parent / "bench" / "names-dev.jsonl"
    if not queries.exists():
        pytest.skip(f"names dev set not found at {queries}")
    with queries.open(encoding="utf-8") as lines:
        names = [json.loads(line)["query"] for line in islice(lines, 0, None, 40)]
    applicants = [Applicant(id=str(i), name=n, employers=EMPLOYERS[i % 4 :][:1]) for i, n in enumerate(names)]
    results = [(_hits(built, a), _hits(loaded, a)) for a in applicants]
    assert sum(bool(b) for b, _ in results) > len(names) // 2  # the comparison covers real hits
    assert [b for b, _ in results] == [s for _, s in results]
    assert loaded.frequencies == built.frequencies and len(loaded.people.names) == len(built.people.names)


def _fixture_lists() -> list:
    return load_directory(FIXTURE)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:-100], id="cut short"),
        pytest.param(lambda b: b[:-50] + bytes([b[-50] ^ 1]) + b[-49:], id="one bit flipped"),
        pytest.param(lambda b: b"not an index at all", id="foreign file"),
        pytest.param(lambda b: b.replace(b'"format": 1', b'"format": 0', 1), id="other format"),
    ],
)
def test_corrupt_file_is_rebuilt_and_replaced(tmp_path: Path, caplog, damage) -> None:
    lists = _fixture_lists()
    expected = _hits(stored.load_or_build(lists, tmp_path), Applicant(id="1", name="Kim Sang Man"))
    path = stored.index_path(tmp_path, stored.index_meta(lists))
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="screening.matching.stored"):
        index = stored.load_or_build(lists, tmp_path)
    assert not _restored(index) and "rebuilding" in caplog.text
    assert _hits(index, Applicant(id="1", name="Kim Sang Man")) == expected
    assert _restored(stored.load_or_build(lists, tmp_path))  # the rewritten file is good


def test_file_from_another_matcher_or_list_content_is_not_used(tmp_path: Path, monkeypatch) -> None:
    lists = _fixture_lists()
    stored.load_or_build(lists, tmp_path)
    first = stored.index_path(tmp_path, stored.index_meta(lists))
    monkeypatch.setattr(stored, "code_fingerprint", lambda: "another matcher")
    assert stored.index_path(tmp_path, stored.index_meta(lists)) != first
    assert not _restored(stored.load_or_build(lists, tmp_path))
    assert [p.name for p in tmp_path.glob("index-*.bin")] == [
        stored.index_path(tmp_path, stored.index_meta(lists)).name
    ]
    monkeypatch.undo()
    first_name = lists[0].entities[0].names[0]
    lists[0].entities[0].names[0] = ListedName(first_name.value + " JUNIOR", first_name.kind)  # same version
    assert not _restored(stored.load_or_build(lists, tmp_path))


def test_sections_that_do_not_fit_are_rebuilt(tmp_path: Path) -> None:
    lists = _fixture_lists()
    state = SanctionsIndex(lists).state()
    state["people.name.value"] = state["people.name.value"][:-1]  # checksummed, but inconsistent
    stored.write_state(stored.index_path(tmp_path, stored.index_meta(lists)), stored.index_meta(lists), state)
    assert not _restored(stored.load_or_build(lists, tmp_path))
    assert _restored(stored.load_or_build(lists, tmp_path))


def test_read_only_directory_still_screens(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    index = stored.load_or_build(_fixture_lists(), blocker / "sub")  # cannot be created
    assert index.match(Applicant(id="1", name="Kim Sang Man"))


def test_update_stores_the_index_and_screen_and_workers_load_it(tmp_path: Path, monkeypatch) -> None:
    lists_dir = tmp_path / "store"
    monkeypatch.setenv("HIREWATCH_LISTS_DIR", str(lists_dir))
    runner = CliRunner()
    updated = runner.invoke(main, ["lists", "update", "--from", str(FIXTURE)])
    assert updated.exit_code == 0 and "sanctions index ready" in updated.output, updated.output
    store = ListStore(lists_dir)
    [path] = store.derived_dir(store.current_version()).glob("index-*.bin")
    assert str(path) in updated.output

    worker = ScreenerCache(store).get()
    assert _restored(worker.index)

    applicants = tmp_path / "applicants.jsonl"
    applicants.write_text(json.dumps({"name": "Kim Sang Man", "employers": ["KOMID"]}) + "\n")
    from_store = runner.invoke(main, ["screen", str(applicants)])
    in_memory = runner.invoke(main, ["screen", str(applicants), "--lists", str(FIXTURE)])
    assert from_store.exit_code == 0 and json.loads(from_store.output)["sanctions_hits"]
    hits = [json.loads(out.output)["sanctions_hits"] for out in (from_store, in_memory)]
    assert [(h["entity_id"], h["score"]) for h in hits[0]] == [(h["entity_id"], h["score"]) for h in hits[1]]

    path.unlink()  # missing: built and stored again on first use
    assert runner.invoke(main, ["screen", str(applicants)]).exit_code == 0
    assert path.exists()
