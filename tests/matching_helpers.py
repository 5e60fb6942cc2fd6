"""Small hand-written lists for the matching tests: real list rows, indexed on their own."""

from __future__ import annotations

import itertools

from screening.matching import SanctionsIndex
from screening.matching.names import JOINED_ACCEPT, token_similarity
from screening.matching.syllabic import SyllableMode
from screening.models import Entity, EntityType, ListedName, ListSnapshot


def person(native_id: str, name: str) -> Entity:
    return Entity(list="test", native_id=native_id, type=EntityType.INDIVIDUAL, names=[ListedName(name)])


def index_of(entities: list[Entity]) -> SanctionsIndex:
    return SanctionsIndex([ListSnapshot("test", "v1", entities)])


def joined_accepted(applicant: tuple[str, ...], listed: tuple[str, ...], mode: SyllableMode) -> bool:
    """Does any joined form (what names._joined_pairs pairs) reach JOINED_ACCEPT, every one compared?"""
    forms = [(a, j) for a in applicant for b, c in itertools.pairwise(listed) for j in (b + c, c + b)]
    forms += [(a + b, c) for a, b in itertools.pairwise(applicant) for c in listed]
    return any(
        token_similarity(x, y, unvowelled, mode).similarity >= JOINED_ACCEPT
        for x, y in forms
        for unvowelled in (False, True)
    )
