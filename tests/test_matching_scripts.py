"""Names written in Arabic script, and kanji names read as Chinese: hand-written cases on a small list."""

from __future__ import annotations

import pytest

from screening.matching import SanctionsIndex
from screening.matching.text import arabic_keys, person_name
from screening.models import Applicant, Entity, EntityType, ListedName, ListSnapshot


def _person(native_id: str, name: str) -> Entity:
    return Entity(list="test", native_id=native_id, type=EntityType.INDIVIDUAL, names=[ListedName(name)],
                  programs=["SDGT"])  # fmt: skip


# Real SDN/UN rows, plus names that share their common parts so weights are realistic.
ENTITIES = [
    _person("7205", "ATTIA, Hussein Kamel"),
    _person("QDi.9", "AL-AZZAWI, Hikmat Mizban Ibrahim"),
    _person("11740", "SA'ID, Mohamed"),
    _person("10001", "GUL AHMAD HAKIMI"),
    _person("10002", "HASSAN, Ali"),
    _person("10003", "AHMAD, Ali Mohammed"),
]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return SanctionsIndex([ListSnapshot("test", "v1", ENTITIES)])


def _hits(index: SanctionsIndex, name: str):
    return [h for h in index.match(Applicant(id="a", name=name)) if h.matched_on in ("name", "alias")]


ARABIC_SCRIPT_MATCHES = [
    # (typed, listed entry, words the explanation must contain)
    ("حسين كامل عطية", "7205", ["family name ATTIA ≈ ATYA", "HUSSEIN ≈ HSYN (same consonants"]),
    ("اتتيا حوسسين كامل", "7205", ["family name ATTIA ≈ ATTYA (transliteration variant)"]),
    ("ال-اززاوي حيكمات ميزبان يبراحيم", "QDi.9", ["family name AZZAWI ≈ AZZAWY", "IBRAHIM ≈ YBRAHYM"]),
    ("جول احماد حاكيمي", "10001", ["GUL ≈ JWL (same consonants in Arabic script)"]),
]


@pytest.mark.parametrize(("typed", "entity_id", "explained"), ARABIC_SCRIPT_MATCHES)
def test_names_written_in_arabic_script_are_found(index, typed, entity_id, explained) -> None:
    hits = _hits(index, typed)
    assert hits and hits[0].entity_id == entity_id, (typed, hits)
    for words in explained:
        assert words in hits[0].explanation


@pytest.mark.parametrize(
    "typed",
    [
        "علي سعيد",  # Ali Said: two common parts of different listed names
        "محمد علي",  # Mohammed Ali: common parts only
        "عطية محمود",  # a listed family name with another given name
    ],
)
def test_ordinary_names_in_arabic_script_do_not_alert(index, typed) -> None:
    assert _hits(index, typed) == []


def test_leading_vowel_letters_survive_transliteration() -> None:
    assert person_name("أحمد").tokens == ("ahmd",)
    assert person_name("علي").tokens == ("aly",)
    assert arabic_keys("attia") == arabic_keys("atty") == frozenset({"at"})
    assert "abrhm" in arabic_keys("ybrhym")  # yeh before a consonant is a vowel
    assert arabic_keys("ali") != arabic_keys("ly")
