"""How names vary as applicants type them: cut off at a form field's width, a rare family name with
an initial, vowels left out, a letter changed in a short part, parts added, Arabic-script long
vowels, hyphenated syllables."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.matching import SanctionsIndex
from screening.matching.blocking import TokenFrequencies
from screening.matching.names import COMMON_PART_WEIGHT, cut_short, field_width
from screening.models import Applicant
from tests.matching_helpers import index_of, person

# Real SDN rows; the common ones give "Mohammad", "Ahmadi" and "Sergeevich" realistic (low) weights.
ENTITIES = [
    person("17810", "GONZALEZ LOPEZ, Gustavo Enrique"),
    person("99002", "LAMEYKIN, Dmitriy Viktorovich"),
    person("26515", "ROMASHKIN, Ruslan"),
    person("99001", "MAZUREVSKII, Konstantin Sergeevich"),
    *(person(f"9{n:04}", f"AHMADI, Mohammad{' Reza' * (n % 2)} {n}") for n in range(60)),
    *(person(f"8{n:04}", f"IVANOV, Sergei {n} Sergeevich") for n in range(40)),
]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return index_of(ENTITIES)


def _name_hits(index: SanctionsIndex, typed: str) -> dict[str, float]:
    return {h.entity_id: h.score for h in index.match(Applicant(id="a", name=typed))}


@pytest.mark.parametrize(
    ("typed", "entity_id"),
    [
        ("Gustavo Enrique GONZ", "17810"),  # cut at 20 characters, inside the family name
        ("Konstantin Sergeevic", "99001"),  # cut at 20 inside the patronymic, family name lost
        ("Dmitriy Viktorovich", "99002"),  # cut at 20 on the space before the family name
    ],
)
def test_a_name_cut_at_a_field_width_is_a_potential_match(index, typed, entity_id) -> None:
    hits = index.match(Applicant(id="a", name=typed))
    hit = next(h for h in hits if h.entity_id == entity_id)
    assert 80 <= hit.score < 90
    assert "cut off at 20 characters" in hit.explanation
    assert "not on the list" not in hit.explanation  # the cut part stands for a listed one


@pytest.mark.parametrize(
    "typed",
    [
        "Gustavo Enrique GON",  # 19 characters, but the cut would have to fall on a space
        "Gustavo Enr GONZALEZ",  # 20 characters, but a part before the last one is cut too
        "Konstantin Sergeevi",  # 19 characters: a cut at 20 would have kept one more letter
    ],
)
def test_a_cut_must_fit_the_width_letter_for_letter(index, typed) -> None:
    assert not _name_hits(index, typed)


def test_the_cut_check_reads_the_listed_name_in_either_order() -> None:
    listed, family = ("gonzalez", "lopez", "gustavo", "enrique"), frozenset({0, 1})
    assert cut_short(("gustavo", "enrique", "gonz"), listed, family) == (2, 3, 0, 1)
    assert cut_short(("gonzalez", "lopez", "gus"), listed, family) == (0, 1, 2, 3)
    assert cut_short(("gustavo", "enrique", "gonzalez", "lopez"), listed, family) is None  # whole, not cut
    assert cut_short(("gustavo", "gonz"), listed, family) is None  # a part left out before the cut
    assert cut_short(("gonzalez", "lopez", "gus"), listed, family, whole_last=True) is None
    assert field_width(20) == field_width(19) == 20 and field_width(30) == 30 and field_width(21) == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("R. ROMASHKIN", {"26515"}),  # a rare family name, whole, with the given name's initial
        ("R ROMASHKIN", {"26515"}),
        ("V. ROMASHKIN", set()),  # another initial
        ("R. ROMASHKN", set()),  # the family name must be spelt as listed when only an initial backs it
        ("M. AHMADI", set()),  # a common family name with an initial is many people
        ("R. Anton ROMASHKIN", set()),  # a part the listed name does not have
    ],
)
def test_an_initial_backs_only_a_rare_family_name(index, typed, expected) -> None:
    hits = _name_hits(index, typed)
    assert set(hits) == expected
    assert all(score < 90 for score in hits.values())


# More parts than the listed name, and long vowels written in Arabic script.
OTHERS = [
    person("31001", "KHUN, Saeng"),
    person("31002", "SAJJAD, Rasoul"),
    person("31003", "RI, Song Chol"),
    person("31004", "SOLEIMANI, Qasem"),
    person("31005", "RUELAS TORRES, Jose Luis"),
    person("31006", "HWANG, Kil Sok"),
    person("31007", "BERMUDEZ SUAZA, Pedro Antonio"),
    person("31008", "KIPLI, Sali"),
    person("31009", "KANG, Min"),
    person("31010", "KIM, Kwang Chun"),
    person("31011", "LIM, Eng Kiat"),
    person("31012", "IVANOVA, Tatyana Grigoryevna"),
    person("31013", "ZHUCHKOVSKY, Alexander"),
    person("31014", "O, Kuk-Ryol"),
    person("31015", "FAZLULLAH, Maulana"),
    person("31016", "KIM, Yo Jong"),
    person("31017", "RYU, Jin"),
    person("11726", "BELTRAN LEYVA, Hector"),
    person("31018", "AVENDANO OJEDA, Sergio"),
    person("31019", "VILLAVICENCIO PEREZ, Felipe"),
]


@pytest.fixture(scope="module")
def others() -> SanctionsIndex:
    return index_of(OTHERS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Saeng Khun", {"31001"}),
        ("Saeng Anan Khun", {"31001"}),  # one middle name the list does not have
        ("James Sang-hoon Yoo", set()),  # two parts more than a two-part name: a longer name
        ("سجاد رسول", {"31002"}),  # Sajjad Rasul, short vowels left out
        ("سجاد رسولی", set()),  # Rasouli: the written long vowel makes it another name
        ("Rhie Song Chol", {"31003"}),  # 이 as the South and passports spell it: Lee, Yi, Rhee, Rhie
        ("Songchol Rhie", {"31003"}),
        ("Qsm SLMNI", {"31004"}),  # vowels left out inside each word, the last letter kept
        ("Jse Ls RLS TRRS", {"31005"}),  # ... down to two consonants
        ("Js Ls RLS TRRS", {"31005"}),
        ("Xs Ls RLS TRRS", set()),  # two consonants must still start like the listed part
        ("Kil Sox HWANG", {"31006"}),  # one letter changed in a short part, the rest exact
        ("Pedro BERMUDEZ SUAZA", {"31007"}),
        ("Sessa Bermúdez", set()),  # family names alone (SUAZA ≈ SESSA), no given name: not the person
        ("سالی کیپلی", {"31008"}),  # Sali Kipli
        ("عسل کابلی", set()),  # Asal Kaboli: Sali's written final vowel is missing
        ("Min Kang", {"31009"}),
        ("Jennifer Ji-min Kang", set()),  # half of the given name "Ji-min" is not the listed "Min"
        ("Eng. Kwang Chun KIM", {"31010"}),  # a title abbreviated with a dot
        ("Eng Kiat Lim", {"31011"}),  # ... and the same letters as a name part
        ("Tatyana Grigoryevna Ivanova", {"31012"}),
        ("Татьяна Иванова", set()),  # two common parts, the rest left out: many people
        ("Alexan ZHUCHKOVSKY", {"31013"}),  # a given name cut short (the blocking index files prefixes)
        ("Oh Kukyeol", {"31014"}),  # 오국렬: Oh is the family name O, the unwritten ㄹ of Kuk-Ryol
        ("Oh Kukryol", {"31014"}),
        ("MAULANA FAZLULLAH", {"31015"}),  # a title he is listed by, when it is all but his name
        ("Yo Jong KUM", {"31016"}),  # one syllable one letter off, every other one exact: a typo
        ("Ya Jang KIM", set()),  # two syllables off: another name
        ("Jim RYU", set()),  # in a two-syllable name one syllable is half the name
        ("Hector LEYVA", {"11726"}),  # one of two family names, the rest as listed
        ("Hector BELTRAN", {"11726"}),
        ("Hector Raul LEYVA", set()),  # ... but not with a part the list does not have
        ("Sergey OJEDA", set()),  # ... nor with a given name that only sounds alike
        ("Felipe VILLAVICENCIO", {"31019"}),
        ("Felipe PEREZ", set()),  # ... nor when the family name given is a common one: many people
    ],
)
def test_parts_added_and_written_vowels(others, typed, expected) -> None:
    assert set(_name_hits(others, typed)) == expected


def test_a_common_name_part_is_common_however_it_is_spelt() -> None:
    frequencies = TokenFrequencies(Counter())
    assert frequencies.weight("tatiana") == frequencies.weight("tatyana") == COMMON_PART_WEIGHT
    assert frequencies.weight("tatarinova") == 1.0
