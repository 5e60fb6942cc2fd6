"""Small hand-written lists for the matching tests: real list rows, indexed on their own."""

from __future__ import annotations

from screening.matching import SanctionsIndex
from screening.models import Entity, EntityType, ListedName, ListSnapshot


def person(native_id: str, name: str) -> Entity:
    return Entity(list="test", native_id=native_id, type=EntityType.INDIVIDUAL, names=[ListedName(name)])


def index_of(entities: list[Entity]) -> SanctionsIndex:
    return SanctionsIndex([ListSnapshot("test", "v1", entities)])
