"""Parts of a listed name an applicant leaves out: a patronymic or an article is not a middle name,
and every middle name left out at once (first and last name only) is one omission."""

from __future__ import annotations

import dataclasses

import pytest

from screening.matching import SanctionsIndex
from screening.matching.text import is_patronymic
from screening.models import Applicant
from tests.matching_helpers import index_of, person

# Real SDN rows whose parts are all common names.
ENTITIES = [
    person("37045", "KUZNETSOV, Andrey Anatolyevich"),
    person("36521", "MOROZOV, Sergey Ivanovich"),
    person("16871", "ABDALLAH, Hussein Reda"),
    person("QDi.266", "MAHMOOD SULTAN BASHIR-UD-DIN"),
    person("QDi.353", "ALI BEN TAHER BEN FALEH OUNI HARZI"),
    person("7863", "AL-TIKRITI, Rukan Razuki abd-al-Ghafur Sulaiman"),
    person("TAi.067", "SHER MOHAMMAD ABBAS STANEKZAI PADSHAH KHAN"),
]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return index_of(ENTITIES)


@pytest.mark.parametrize(
    ("typed", "entity_id", "explained"),
    [
        ("Andrey Anatolyevich Kuznetsov", "37045", "family name KUZNETSOV = KUZNETSOV, given name ANDREY = "
                                                   "ANDREY, given name ANATOLYEVICH = ANATOLYEVICH"),
        ("Mahmood Din", "QDi.266", "name part DIN = DIN, not given: SULTAN BASHIR UD"),  # ud: the article
        ("Sergei Ivanovich Morozov", "36521", "SERGEY ≈ SERGEI (transliteration variant)"),
    ],
)  # fmt: skip
def test_a_left_out_patronymic_or_article_costs_little(index, typed, entity_id, explained) -> None:
    hits = index.match(Applicant(id="a", name=typed))
    assert [h.entity_id for h in hits] == [entity_id]
    assert explained in hits[0].explanation


@pytest.mark.parametrize("typed", ["Andrey Kuznetsov", "Sergei Morozov"])
def test_two_common_parts_without_the_patronymic_are_no_match_alone(index, typed) -> None:
    """Thousands of people are called Andrey Kuznetsov: the name alone is no potential match."""
    assert index.match(Applicant(id="a", name=typed)) == []


def test_a_full_date_of_birth_makes_two_common_parts_a_match() -> None:
    listed = dataclasses.replace(ENTITIES[0], birth_dates=["1971-03-02"])
    dated = index_of([listed, *ENTITIES[1:]])
    hits = dated.match(Applicant(id="a", name="Andrey Kuznetsov", date_of_birth="1971-03-02"))
    assert [h.entity_id for h in hits] == ["37045"]
    assert "date of birth agrees" in hits[0].explanation


@pytest.mark.parametrize("typed", ["Hussein Abdallah", "Andrey Morozov", "Sergey Kuznetsov"])
def test_common_parts_with_a_given_name_left_out_or_swapped_do_not_alert(index, typed) -> None:
    assert index.match(Applicant(id="a", name=typed)) == []


def test_patronymics_are_told_from_other_names() -> None:
    assert all(map(is_patronymic, ["anatolyevich", "ivanovna", "petrovych", "mammadoglu"]))
    assert not any(map(is_patronymic, ["ivanov", "reda", "vich", "ovna"]))


@pytest.mark.parametrize(
    ("typed", "entity_id", "explained"),
    [
        ("Ali Harzi", "QDi.353", "not given: BEN TAHER BEN FALEH OUNI"),
        ("HARZI Ali", "QDi.353", "not given: BEN TAHER BEN FALEH OUNI"),
        ("Rukan al-Tikriti", "7863", "family name TIKRITI = TIKRITI, given name RUKAN = RUKAN"),
        ("Sher Khan", "TAi.067", "not given: MOHAMMAD ABBAS STANEKZAI PADSHAH"),
    ],
)  # fmt: skip
def test_first_and_last_name_without_several_middle_names_match(index, typed, entity_id, explained) -> None:
    hits = index.match(Applicant(id="a", name=typed))
    assert [h.entity_id for h in hits] == [entity_id]
    assert explained in hits[0].explanation


@pytest.mark.parametrize(
    "typed",
    [
        "Ahmad Khan",  # a common family name with another given name
        "Mohammad Khan",  # a middle name and the common family name: not the first name
        "Ali Faleh",  # the first name and a middle name: the family name is missing
        "Ali Ahmed Harzi",  # a part the list does not have: not just first and last name
    ],
)
def test_other_pairs_of_parts_of_a_long_name_do_not_alert(index, typed) -> None:
    assert index.match(Applicant(id="a", name=typed)) == []
