"""UN Security Council Consolidated List XML -> Entity, parsed with defusedxml (no entity expansion)."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from screening.lists.errors import ListFormatError
from screening.models import Entity, EntityType, Identifier, ListedName, ListSnapshot, NameKind

LIST_NAME = "un"
LABEL = "UN Security Council Consolidated List"
ALIAS_KINDS = {"good": NameKind.AKA, "a.k.a.": NameKind.AKA, "low": NameKind.WEAK, "f.k.a.": NameKind.FKA}
DOCUMENT_KINDS = {"passport": "passport", "national identification number": "national_id"}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def load_un(path: Path, version: str) -> ListSnapshot:
    try:
        root = parse(str(path)).getroot()
    except (ParseError, DefusedXmlException) as exc:
        raise ListFormatError(
            path, getattr(exc, "position", (None,))[0], f"not valid UN list XML: {exc}"
        ) from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(path, None, f"root element is <{root.tag}>, expected <CONSOLIDATED_LIST>")
    entities = [
        _entity(path, node, EntityType.INDIVIDUAL, "INDIVIDUAL")
        for node in root.iterfind("INDIVIDUALS/INDIVIDUAL")
    ] + [_entity(path, node, EntityType.ENTITY, "ENTITY") for node in root.iterfind("ENTITIES/ENTITY")]
    return ListSnapshot(
        name=LIST_NAME,
        version=version,
        entities=entities,
        fetched_at=root.get("dateGenerated"),
        source=str(path),
        kind="sanctions",
        label=LABEL,
    )


def _text(node: Element | None, tag: str) -> str | None:
    child = node.find(tag) if node is not None else None
    value = " ".join((child.text or "").split()) if child is not None else ""
    return value or None


def _values(node: Element, tag: str) -> list[str]:
    return [v for v in (" ".join((e.text or "").split()) for e in node.iterfind(f"{tag}/VALUE")) if v]


def _joined(node: Element, tags: tuple[str, ...]) -> str:
    return ", ".join(v for v in (_text(node, t) for t in tags) if v)


def _entity(path: Path, node: Element, type_: EntityType, prefix: str) -> Entity:
    reference = _text(node, "REFERENCE_NUMBER") or _text(node, "DATAID")
    primary = " ".join(v for v in (_text(node, t) for t in NAME_PARTS) if v)
    if not reference or not primary:
        raise ListFormatError(
            path, None, f"{prefix} {_text(node, 'DATAID')} lacks a reference number or name"
        )
    names = [ListedName(primary, NameKind.PRIMARY)]
    if original := _text(node, "NAME_ORIGINAL_SCRIPT"):
        names.append(ListedName(original, NameKind.AKA))
    names += _aliases(node, f"{prefix}_ALIAS")
    entity = Entity(
        list=LIST_NAME,
        native_id=reference,
        type=type_,
        names=names,
        programs=[p for p in [_text(node, "UN_LIST_TYPE")] if p],
        nationalities=_values(node, "NATIONALITY"),
        positions=_values(node, "TITLE") + _values(node, "DESIGNATION"),
        remarks=_text(node, "COMMENTS1") or "",
        listed_on=_text(node, "LISTED_ON"),
        gender=_text(node, "GENDER"),
    )
    entity.birth_dates = [d for d in map(_birth_date, node.iterfind(f"{prefix}_DATE_OF_BIRTH")) if d]
    entity.birth_places = [p for p in (_place(n) for n in node.iterfind(f"{prefix}_PLACE_OF_BIRTH")) if p]
    entity.identifiers = [d for d in map(_document, node.iterfind(f"{prefix}_DOCUMENT")) if d]
    for address in node.iterfind(f"{prefix}_ADDRESS"):
        _add_address(entity, address)
    return entity


def _aliases(node: Element, tag: str) -> list[ListedName]:
    names = []
    for alias in node.iterfind(tag):
        name = _unquote(_text(alias, "ALIAS_NAME"))
        if name:
            names.append(
                ListedName(name, ALIAS_KINDS.get((_text(alias, "QUALITY") or "").lower(), NameKind.AKA))
            )
    return names


def _unquote(name: str | None) -> str | None:
    """'"KOMID"' -> 'KOMID': the UN quotes some aliases."""
    if name and len(name) > 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1].strip()
    return name


def _birth_date(node: Element) -> str | None:
    kind = (_text(node, "TYPE_OF_DATE") or "EXACT").upper()
    if kind == "BETWEEN":
        start, end = _text(node, "FROM_YEAR"), _text(node, "TO_YEAR")
        return f"{start}/{end}" if start and end else None
    value = _text(node, "DATE") or _text(node, "YEAR")
    if value and kind == "APPROXIMATELY":
        return f"{value}~"
    return value


def _place(node: Element) -> str:
    return _joined(node, ("CITY", "STATE_PROVINCE", "COUNTRY"))


def _document(node: Element) -> Identifier | None:
    number = _text(node, "NUMBER")
    if not number:
        return None
    doc_type = _text(node, "TYPE_OF_DOCUMENT") or "document"
    note = "; ".join(v for v in (doc_type, _text(node, "TYPE_OF_DOCUMENT2"), _text(node, "NOTE")) if v)
    return Identifier(
        DOCUMENT_KINDS.get(doc_type.lower(), "other"),
        number,
        country=_text(node, "ISSUING_COUNTRY") or _text(node, "COUNTRY_OF_ISSUE"),
        note=note,
    )


def _add_address(entity: Entity, node: Element) -> None:
    text = _joined(node, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE"))
    if text:
        entity.addresses.append(text)
    country = _text(node, "COUNTRY")
    if country and country not in entity.address_countries:
        entity.address_countries.append(country)
