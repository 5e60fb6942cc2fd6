"""List loaders: small fixtures of real rows, then the full real files of ../shared/data."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from screening.lists import ListError, ListFormatError, load_advisories, load_demo, load_directory
from screening.lists.un import load_un
from screening.models import EntityType, ListSnapshot, NameKind

FIXTURE = Path(__file__).parent / "fixtures" / "lists" / "basic"


def _by_id(snapshot: ListSnapshot) -> dict:
    return {entity.native_id: entity for entity in snapshot.entities}


@pytest.fixture(scope="module")
def fixture_lists() -> dict[str, ListSnapshot]:
    return {snapshot.name: snapshot for snapshot in load_directory(FIXTURE)}


@pytest.fixture(scope="session")
def real_lists(shared_data: Path) -> dict[str, ListSnapshot]:
    return {snapshot.name: snapshot for snapshot in load_directory(shared_data)}


def test_directory_yields_each_list_then_advisories(fixture_lists) -> None:
    assert list(fixture_lists) == ["ofac_sdn", "un", "advisories"]
    assert fixture_lists["advisories"].kind == "advisory"
    assert all(len(s.version) == 12 for s in fixture_lists.values())


def test_sdn_entity_fields(fixture_lists) -> None:
    kim = _by_id(fixture_lists["ofac_sdn"])["43377"]
    assert kim.list == "ofac_sdn" and kim.key == "ofac_sdn:43377"
    assert kim.primary_name == "KIM, Sang Man"
    assert kim.type == EntityType.INDIVIDUAL
    assert kim.programs == ["DPRK4"]
    assert kim.birth_dates == ["1965-04-25"]
    crypto = {(i.currency, i.value) for i in kim.identifiers if i.kind == "crypto"}
    assert ("USDC", "0xb6f5ec1a0a9cd1526536d3f0426c429529471f40") in crypto


def test_entity_types_and_programs(fixture_lists) -> None:
    entries = _by_id(fixture_lists["ofac_sdn"])
    assert entries["36"].type == EntityType.ENTITY
    assert entries["44437"].programs == ["DPRK3", "CYBER2"]


def test_overflow_rejoined_before_parsing(fixture_lists) -> None:
    entries = _by_id(fixture_lists["ofac_sdn"])
    addresses = {i.value for i in entries["30518"].identifiers if i.kind == "crypto"}
    assert "1GqChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr" in addresses  # cut after "1Gq" in sdn.csv
    assert not any(a in ("1Gq", "ChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr") for a in addresses)
    assert "snowsjohn" in [n.value for n in entries["28263"].names if n.kind == NameKind.WEAK]


def test_unknown_and_stale_rows_are_counted(fixture_lists) -> None:
    warnings = " | ".join(fixture_lists["ofac_sdn"].warnings)
    assert "skipped 1 sdn_comments.csv rows for unknown ent_num: 17016" in warnings
    assert "34682" in warnings  # a continuation of a remark that was not cut
    assert "skipped 1 alt.csv rows for unknown ent_num" in warnings


def test_aliases_addresses_and_cp1252(fixture_lists) -> None:
    bank = _by_id(fixture_lists["ofac_sdn"])["306"]
    assert ("NATIONAL BANK OF CUBA", NameKind.AKA) in [(n.value, n.kind) for n in bank.names]
    assert ("BNC", NameKind.WEAK) in [(n.value, n.kind) for n in bank.names]
    assert any("Zürich" in a and "Bahnhofstraße" in a for a in bank.addresses)
    assert "Switzerland" in bank.address_countries


def test_un_entries(fixture_lists) -> None:
    entries = _by_id(fixture_lists["un"])
    yun = entries["KPi.001"]
    assert yun.primary_name == "YUN HO-JIN" and yun.programs == ["DPRK"]
    assert ("Yun Ho-chin", NameKind.AKA) in [(n.value, n.kind) for n in yun.names]
    assert yun.birth_dates == ["1944-10-13"]
    assert ("Choe Sok Min", NameKind.WEAK) in [(n.value, n.kind) for n in entries["KPi.064"].names]
    assert entries["KPi.066"].birth_dates == ["1967/1969"]
    assert "1966~" in entries["CDi.014"].birth_dates
    komid = entries["KPe.001"]
    assert komid.type == EntityType.ENTITY
    assert "KOMID" in [n.value for n in komid.names]


def test_un_refuses_entity_expansion(tmp_path: Path) -> None:
    bomb = tmp_path / "consolidated.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<CONSOLIDATED_LIST><INDIVIDUALS/>&b;</CONSOLIDATED_LIST>"
    )
    with pytest.raises(ListFormatError, match=r"consolidated\.xml"):
        load_un(bomb, "v")


def test_malformed_csv_names_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "lists")
    sdn = tmp_path / "lists" / "ofac" / "sdn.csv"
    sdn.write_bytes(sdn.read_bytes().replace(b"\r\n", b'\r\n999,"BROKEN"\r\n', 1))
    with pytest.raises(ListFormatError, match=r"sdn\.csv:2: expected 12 columns, got 2"):
        load_directory(tmp_path / "lists")


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="no list files"):
        load_directory(tmp_path)


def test_consolidated_files_read_with_the_same_reader(tmp_path: Path) -> None:
    ofac = tmp_path / "ofac"
    ofac.mkdir()
    for name, cons in [
        ("sdn.csv", "CONS_PRIM.CSV"),
        ("alt.csv", "CONS_ALT.CSV"),
        ("add.csv", "CONS_ADD.CSV"),
        ("sdn_comments.csv", "CONS_COMMENTS.CSV"),
    ]:
        shutil.copy(FIXTURE / "ofac" / name, ofac / cons)
    snapshots = {s.name: s for s in load_directory(tmp_path)}
    assert set(snapshots) == {"ofac_cons", "advisories"}
    assert _by_id(snapshots["ofac_cons"])["43377"].list == "ofac_cons"


def test_advisories_cite_sources() -> None:
    advisories = load_advisories()
    names = {e.primary_name for e in advisories.entities}
    assert {
        "ANDREYEV, Vitaliy Sergeyevich",
        "KIM, Ung Sun",
        "Shenyang Geumpungri Network Technology Co., Ltd.",
        "Korea Sinjin Trading Corporation",
        "Korea Sobaeksu Trading Company",
    } <= names
    for entity in advisories.entities:
        assert entity.list == "advisories"
        assert entity.source_url and entity.source_url.startswith("https://")
        assert entity.listed_on
        assert entity.remarks.startswith("ADVISORY")
    domains = {i.value for e in advisories.entities for i in e.identifiers if i.kind == "website"}
    assert {"tonywangtech.com", "hopanatech.com", "wkjllc.com"} <= domains


def test_demo_is_loudly_labelled() -> None:
    [demo] = load_demo()
    assert demo.name == "demo" and demo.kind == "demo" and "DEMO" in demo.label
    assert all(e.programs == ["DEMO"] and e.remarks.startswith("DEMO ENTRY") for e in demo.entities)


# --- the full real files -------------------------------------------------------------------------


def test_real_sdn_counts(real_lists) -> None:
    sdn = real_lists["ofac_sdn"]
    assert len(sdn.entities) == 14965
    types = Counter(e.type for e in sdn.entities)
    assert types == {
        EntityType.INDIVIDUAL: 6854,
        EntityType.ENTITY: 6884,
        EntityType.VESSEL: 851,
        EntityType.AIRCRAFT: 376,
    }
    assert sum(1 for e in sdn.entities if any(p.startswith("DPRK") for p in e.programs)) == 484
    assert "skipped 1468 alt.csv rows for unknown ent_num" in sdn.warnings
    assert "skipped 2474 add.csv rows for unknown ent_num" in sdn.warnings


def test_real_sdn_identifiers(real_lists) -> None:
    entries = _by_id(real_lists["ofac_sdn"])
    assert "1GqChmWqGtsaLrGbHfgdrV5Nkvahtjjuxr" in {i.value for i in entries["30518"].identifiers}
    currencies = Counter(i.currency for e in entries.values() for i in e.identifiers if i.kind == "crypto")
    assert {"XBT", "ETH", "USDT", "TRX", "LTC", "XMR"} <= set(currencies)
    weak = sum(1 for e in entries.values() for n in e.names if n.kind == NameKind.WEAK)
    assert weak >= 3578  # the a.k.a.s of sdn.csv alone, more with the re-joined overflow


def test_real_un_counts(real_lists) -> None:
    un = real_lists["un"]
    types = Counter(e.type for e in un.entities)
    assert types == {EntityType.INDIVIDUAL: 730, EntityType.ENTITY: 273}
    assert sum(1 for e in un.entities if e.native_id.startswith(("KPi.", "KPe."))) == 155
    kinds = Counter(n.kind for e in un.entities for n in e.names)
    assert kinds[NameKind.WEAK] == 615


def test_duplicate_ent_num_and_missing_companions(tmp_path: Path) -> None:
    ofac = tmp_path / "ofac"
    ofac.mkdir()
    row = (FIXTURE / "ofac" / "sdn.csv").read_bytes().split(b"\r\n")[0]
    (ofac / "sdn.csv").write_bytes(row + b"\r\n" + row + b"\r\n")
    with pytest.raises(ListFormatError, match=r"sdn\.csv:2: ent_num 36 appears twice"):
        load_directory(tmp_path)
    (ofac / "sdn.csv").write_bytes(row + b"\r\n")
    [sdn, _] = load_directory(tmp_path)
    assert "alt.csv missing: loaded without its aliases" in sdn.warnings
