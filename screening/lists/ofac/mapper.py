"""OFAC CSV rows -> Entity, with the remarks overflow re-joined before the remarks are parsed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from screening.lists.errors import ListFormatError
from screening.lists.ofac.reader import read_rows
from screening.lists.ofac.remarks import parse_remarks
from screening.models import Entity, EntityType, Identifier, ListedName, ListSnapshot, NameKind

REMARKS_LIMIT = 1000  # SDN.CSV cuts Remarks here; the rest goes to SDN_COMMENTS.CSV
ALT_KINDS = {"aka": NameKind.AKA, "fka": NameKind.FKA, "nka": NameKind.NKA}
TYPES = {"individual": EntityType.INDIVIDUAL, "vessel": EntityType.VESSEL, "aircraft": EntityType.AIRCRAFT}


@dataclass(frozen=True)
class OfacFiles:
    """The four files of one OFAC list, as named in a directory laid out like ../shared/data."""

    list_name: str
    label: str
    main: str
    alt: str
    add: str
    comments: str

    def paths(self, directory: Path) -> dict[str, Path]:
        """Role -> path for the files present (names matched case-insensitively)."""
        present = (
            {p.name.lower(): p for p in directory.iterdir() if p.is_file()} if directory.is_dir() else {}
        )
        roles = {"main": self.main, "alt": self.alt, "add": self.add, "comments": self.comments}
        return {role: present[name] for role, name in roles.items() if name in present}


SDN = OfacFiles("ofac_sdn", "OFAC SDN list", "sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
CONSOLIDATED = OfacFiles(
    "ofac_cons",
    "OFAC Consolidated (non-SDN) list",
    "cons_prim.csv",
    "cons_alt.csv",
    "cons_add.csv",
    "cons_comments.csv",
)


def split_programs(raw: str | None) -> list[str]:
    """'DPRK3] [CYBER2' (OFAC's join of several programs) -> ['DPRK3', 'CYBER2']."""
    if not raw:
        return []
    return [p.strip(" []") for p in raw.split("] [") if p.strip(" []")]


def load_ofac(files: OfacFiles, paths: dict[str, Path], version: str) -> ListSnapshot:
    """One OFAC list from its main file plus whichever of alt/add/comments are given."""
    warnings = [
        f"{getattr(files, role)} missing: loaded without its {what}"
        for role, what in (("alt", "aliases"), ("add", "addresses"), ("comments", "remarks overflow"))
        if role not in paths
    ]
    entities = _read_main(paths["main"], files.list_name)
    remarks = {num: entity.remarks for num, entity in entities.items()}
    if "comments" in paths:
        _join_overflow(paths["comments"], remarks, warnings)
    for num, entity in entities.items():
        _apply_remarks(entity, remarks[num])
    if "alt" in paths:
        _add_alt_names(paths["alt"], entities, warnings)
    if "add" in paths:
        _add_addresses(paths["add"], entities, warnings)
    return ListSnapshot(
        name=files.list_name,
        version=version,
        entities=list(entities.values()),
        source=str(paths["main"].parent),
        warnings=warnings,
        kind="sanctions",
        label=files.label,
    )


def _ent_num(path: Path, line: int, value: str | None) -> str:
    if not value or not value.isdigit():
        raise ListFormatError(path, line, f"ent_num {value!r} is not a number")
    return value


def _read_main(path: Path, list_name: str) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for line, row in read_rows(path, 12, keep_spaces=11):
        num, name, sdn_type, program, title, call_sign, vess_type, _, _, vess_flag, _, remarks = row
        num = _ent_num(path, line, num)
        if not name:
            raise ListFormatError(path, line, f"entry {num} has no name")
        if num in entities:
            raise ListFormatError(path, line, f"ent_num {num} appears twice")
        entity = Entity(
            list=list_name,
            native_id=num,
            type=TYPES.get((sdn_type or "").lower(), EntityType.ENTITY),
            names=[ListedName(name, NameKind.PRIMARY)],
            programs=split_programs(program),
            remarks=remarks or "",
            positions=[title] if title else [],
        )
        entity.identifiers.extend(_vessel_identifiers(call_sign, vess_type, vess_flag))
        entities[num] = entity
    return entities


def _vessel_identifiers(call_sign: str | None, vess_type: str | None, flag: str | None) -> list[Identifier]:
    if not call_sign:
        return []
    return [Identifier("registration", call_sign, country=flag, note=f"Call Sign ({vess_type or 'vessel'})")]


def _join_overflow(path: Path, remarks: dict[str, str], warnings: list[str]) -> None:
    """Append each SDN_COMMENTS continuation to the remark it continues (mid-token, no separator).

    A continuation only belongs to a remark that was cut: one that reached the 1,000-character
    limit or stops without its final full stop. Others (a newer comments file than the main
    file) are skipped and counted.
    """
    unknown, stale = Counter(), []
    for line, (num, continuation) in read_rows(path, 2, keep_spaces=1):
        num = _ent_num(path, line, num)
        if num not in remarks:
            unknown[num] += 1
        elif len(remarks[num]) >= REMARKS_LIMIT or not remarks[num].rstrip().endswith("."):
            remarks[num] += continuation or ""
        else:
            stale.append(num)
    if unknown:
        warnings.append(
            f"skipped {sum(unknown.values())} {path.name} rows for unknown ent_num: "
            + ", ".join(sorted(unknown))
        )
    if stale:
        warnings.append(
            f"skipped {len(stale)} {path.name} rows continuing a remark that was not cut: " + ", ".join(stale)
        )


def _apply_remarks(entity: Entity, remarks: str) -> None:
    entity.remarks = remarks.strip()
    parsed = parse_remarks(remarks)
    entity.birth_dates = parsed.birth_dates
    entity.birth_places = parsed.birth_places
    entity.nationalities = parsed.nationalities
    entity.citizenships = parsed.citizenships
    entity.identifiers.extend(parsed.identifiers)
    entity.linked_to = parsed.linked_to
    entity.gender = parsed.gender
    entity.names.extend(ListedName(name, NameKind.WEAK) for name in parsed.weak_names)


def _add_alt_names(path: Path, entities: dict[str, Entity], warnings: list[str]) -> None:
    unknown = 0
    for line, (num, _, alt_type, alt_name, _) in read_rows(path, 5):
        entity = entities.get(_ent_num(path, line, num))
        if entity is None:
            unknown += 1
        elif alt_name:
            entity.names.append(ListedName(alt_name, ALT_KINDS.get((alt_type or "").lower(), NameKind.AKA)))
    if unknown:
        warnings.append(f"skipped {unknown} {path.name} rows for unknown ent_num")


def _add_addresses(path: Path, entities: dict[str, Entity], warnings: list[str]) -> None:
    unknown = 0
    for line, (num, _, address, city, country, add_remarks) in read_rows(path, 6):
        entity = entities.get(_ent_num(path, line, num))
        if entity is None:
            unknown += 1
            continue
        text = ", ".join(part for part in (address, city, country, add_remarks) if part)
        if text:
            entity.addresses.append(text)
        if country and country not in entity.address_countries:
            entity.address_countries.append(country)
    if unknown:
        warnings.append(f"skipped {unknown} {path.name} rows for unknown ent_num")
