"""The fitted person-name scorer: its file, its features, and variants named in issue 11 (not from
names-dev) on small hand-written lists."""

from __future__ import annotations

import pytest

from screening.matching.blocking import NameIndex
from screening.matching.names import align, compare
from screening.matching.scorer import FEATURES, REVIEW_SCORE, load_person_model, name_features
from screening.matching.syllabic import SyllableMode
from screening.matching.text import korean_reading, person_name
from screening.models import Applicant
from tests.matching_helpers import index_of, person

LISTED = [
    person("1", "PETROV, Alexander"),
    person("2", "BIN LADEN, Osama"),
    person("3", "LAVROV, Sergei Viktorovich"),
    person("4", "ROMASHKIN, Roman"),
    person("5", "GUERRERO COVARRUBIAS, Javier"),
    person("6", "GHANI, Esmail"),
    person("7", "BELTRAN LEYVA, Hector"),
    person("8", "GONZALEZ SANCHEZ, Gustavo Enrique"),
    person("9", "HWANG, Kil Su"),
    person("11", "KIM, Yong Chol"),
    person("12", "RI, Chol Nam"),
    # Names sharing parts with those above, so token weights are not all alike.
    person("20", "KIM, Chol"),
    person("21", "KIM, Song Il"),
    person("22", "PETROV, Ivan"),
    person("23", "SMIRNOV, Alexander"),
    person("24", "HERNANDEZ, Javier"),
]


@pytest.fixture(scope="module")
def index():
    return index_of(LISTED)


def _found(index, typed: str) -> dict[str, str]:
    return {h.entity_id: h.explanation for h in index.match(Applicant(id="a", name=typed))}


def test_the_shipped_model_loads_and_scores_on_the_features_it_was_fitted_on() -> None:
    model = load_person_model()
    assert model.trees and model == load_person_model()
    exact = compare(("yong", "chol", "kim"), ("kim", "yong", "chol"), (1.0,) * 3, (1.0,) * 3,
                    family=frozenset({0}), model=model)  # fmt: skip
    other = compare(("yong", "chol", "pak"), ("kim", "yong", "chol"), (1.0,) * 3, (1.0,) * 3,
                    family=frozenset({0}), model=model)  # fmt: skip
    assert len(exact.features) == len(FEATURES)
    assert exact.score >= REVIEW_SCORE and exact.score > other.score


def test_features_are_a_pure_function_of_the_alignment() -> None:
    applicant, listed = ("aleksandr", "petrov"), ("petrov", "alexander")
    pairs = align(applicant, listed, False, SyllableMode.OFF)
    args = (
        applicant,
        pairs,
        [],
        [],
        listed,
        (1.0, 0.5),
        (1.0, 0.5),
        frozenset({0}),
        False,
        False,
        True,
        90.0,
    )
    assert name_features(*args) == name_features(*args)
    assert {p.match.reason for p in pairs} == {"", "transliteration variant"}  # the reason a recruiter reads


@pytest.mark.parametrize(
    ("typed", "entity_id"),
    [
        ("Aleksandr Petrov", "1"),
        ("Александр Петров", "1"),
        ("Usama bin Ladin", "2"),
        ("SergeiLavrov", "3"),
        ("R. ROMASHKIN", "4"),
        ("Mavier GUERRERO COVARRUBIAS", "5"),
        ("Esmail FHANI", "6"),
        ("Hector LEYVA", "7"),
        ("Gustavo Enrique GONZ", "8"),
        ("Whang Gilsoo", "9"),
        ("Rhee Chol Nam", "12"),
    ],
)
def test_blocking_puts_the_listed_person_forward(index, typed, entity_id) -> None:
    people: NameIndex = index.people
    owners = {
        index.entities[people.names[i].owner].native_id for i in people.candidate_ids(person_name(typed))
    }
    assert entity_id in owners, typed


@pytest.mark.parametrize(
    ("typed", "entity_id"),
    [
        ("Aleksandr Petrov", "1"),
        ("Александр Петров", "1"),
        ("Usama bin Laden", "2"),
        ("Mavier GUERRERO COVARRUBIAS", "5"),
        ("Esmail FHANI", "6"),
        ("Whang Gilsoo", "9"),
    ],
)
def test_variants_named_in_the_issue_are_found(index, typed, entity_id) -> None:
    assert entity_id in _found(index, typed), typed


def test_ordinary_names_sharing_a_listed_part_are_not_found(index) -> None:
    assert not _found(index, "Alexander Ivanov")
    assert not _found(index, "Javier Morales")


def test_han_characters_are_also_read_as_korean(index) -> None:
    assert korean_reading("金英哲") == "김영철"
    assert korean_reading("田中さん") is None  # kana: a Japanese name
    found = _found(index, "金英哲")
    assert "11" in found and "read in Korean as 김영철" in found["11"]


def test_digits_are_never_read_as_letters_in_an_explanation(index) -> None:
    found = _found(index, "Y0ng Chol KIM")
    assert "11" in found  # matched: 0 read as o
    assert "Y0NG" in found["11"] and "≈ YONG" not in found["11"]
    assert person_name("Unit 110th").shown == ("unit", "110th")
