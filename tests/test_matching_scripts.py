"""Names written in Arabic script, and kanji names read as Chinese: hand-written cases on a small list."""

from __future__ import annotations

import pytest

from screening.matching import SanctionsIndex
from screening.matching.blocking import MAX_CANDIDATES
from screening.matching.text import arabic_keys, person_name
from screening.models import Applicant, ListSnapshot
from tests.matching_helpers import index_of, person

# Real SDN/UN rows, plus names that share their common parts so weights are realistic.
ENTITIES = [
    person("7205", "ATTIA, Hussein Kamel"),
    person("QDi.9", "AL-AZZAWI, Hikmat Mizban Ibrahim"),
    person("11740", "SA'ID, Mohamed"),
    person("10001", "GUL AHMAD HAKIMI"),
    person("10002", "HASSAN, Ali"),
    person("10003", "AHMAD, Ali Mohammed"),
    person("20001", "ZHANG, Shi"),
    person("20002", "SONG, Jing"),
    person("20003", "FAN, Yang"),
    person("20004", "YANG, Qi"),
    person("20005", "GRIFFIN, Peter"),
]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return index_of(ENTITIES)


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


HAN_SCRIPT_MATCHES = [
    ("张诗", "20001", ["family name ZHANG = ZHANG", "given name SHI = SHI"]),
    ("宋京", "20002", ["family name SONG = SONG", "given name JING = JING"]),
    ("Peter Griffin", "20005", ["family name GRIFFIN = GRIFFIN", "PETER = PETER"]),  # a true collision
]


@pytest.mark.parametrize(("typed", "entity_id", "explained"), HAN_SCRIPT_MATCHES)
def test_han_script_names_and_exact_collisions_are_found(index, typed, entity_id, explained) -> None:
    hits = _hits(index, typed)
    assert hits and hits[0].entity_id == entity_id, (typed, hits)
    for words in explained:
        assert words in hits[0].explanation


@pytest.mark.parametrize(
    "typed",
    [
        "田中 知実",  # Tanaka Tomomi read as pinyin "Tian Zhong Zhi Shi": ZHANG ≈ ZHONG, SHI = SHI
        "松本 京助",  # Matsumoto Kyosuke: "Song Ben Jing Zhu" holds SONG and JING, plus two syllables
        "斉藤 洋介",  # Saito Yosuke: "Qi Teng Yang Jie" holds YANG and QI
        "田中 さくら",  # kana: the kanji have no reliable reading at all
        "房杨",  # Fang Yang: a pinyin reading has no typos, so FANG is not FAN
    ],
)
def test_japanese_and_han_script_names_need_every_syllable_to_agree(index, typed) -> None:
    assert _hits(index, typed) == []


def test_kanji_in_a_name_written_with_kana_get_no_chinese_reading() -> None:
    assert person_name("田中 さくら").tokens == ("sakura",)
    assert person_name("田中 知実").tokens == ("tian", "zhong", "zhi", "shi")


def test_arabic_script_ranks_candidates_by_how_much_of_the_listed_name_it_found() -> None:
    """Consonants alone find many list tokens, so more names share a typed one than the blocking
    cut keeps: "HADI, Abdul" must not lose its place to names that merely contain "Abd al-Hadi"."""
    namesakes = [person(f"3{i:03d}", f"AL-{_made_up_word(i)}, Abd al-Hadi") for i in range(40)]
    # "Abdal" as one word (a real alias) is what "Abdwl" finds by its consonants, joined "Abd al" too.
    entities = [*namesakes, person("4000", "AL-IRAQI, Abdal al-Hadi"), person("13126", "HADI, Abdul")]
    index = SanctionsIndex([ListSnapshot("test", "v1", entities)])
    assert len(index.people.candidate_ids(person_name("حادي ابدول"), limit=None)) > MAX_CANDIDATES
    assert [h.entity_id for h in _hits(index, "حادي ابدول")][:1] == ["13126"]


def _made_up_word(i: int) -> str:
    return "zur" + "".join("qxvz"[(i >> shift) & 3] for shift in (4, 2, 0))  # zurqqq, zurqqx, ...
