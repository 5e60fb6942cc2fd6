"""The fitted person-name scorer: its file, its features, and variants named in issue 11 (not from
names-dev) on small hand-written lists."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from screening.matching.blocking import NameIndex
from screening.matching.names import CAP_COMMON_NAME, FIELD_CUT_SCORE, align, compare, settle
from screening.matching.scorer import (
    FEATURES,
    REVIEW_SCORE,
    PersonModel,
    Review,
    load_person_model,
    name_features,
)
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


def _scorer() -> PersonModel:
    """The shipped model as the scorer (HIREWATCH_PERSON_SCORER=model), not as the rules' reviewer."""
    return replace(load_person_model(), review=None)


def test_the_shipped_model_loads_and_scores_on_the_features_it_was_fitted_on() -> None:
    model = _scorer()
    assert model.trees and model == _scorer()
    exact = compare(("yong", "chol", "kim"), ("kim", "yong", "chol"), (1.0,) * 3, (1.0,) * 3,
                    family=frozenset({0}), model=model)  # fmt: skip
    other = compare(("yong", "chol", "pak"), ("kim", "yong", "chol"), (1.0,) * 3, (1.0,) * 3,
                    family=frozenset({0}), model=model)  # fmt: skip
    assert len(exact.features) == len(FEATURES)
    assert exact.score >= REVIEW_SCORE and exact.score > other.score


def _walked(model: PersonModel, features: tuple[float, ...]) -> float:
    """The log-odds tree by tree, node by node: what the compiled expression must give."""
    total = model.base
    for tree in model.trees:
        node = 0
        while tree.left[node] != -1:
            goes_left = features[tree.feature[node]] <= tree.threshold[node]
            node = tree.left[node] if goes_left else tree.right[node]
        total += tree.value[node]
    return total


def test_the_compiled_trees_give_what_walking_them_gives() -> None:
    model = load_person_model()
    rng = random.Random(11)
    thresholds = [t for tree in model.trees for t in tree.threshold]
    for _ in range(300):
        # Values at the thresholds themselves too: a split sends them left (<=).
        features = tuple(rng.choice((rng.uniform(-1, 5), rng.choice(thresholds))) for _ in FEATURES)
        assert model.log_odds(features) == pytest.approx(_walked(model, features), abs=1e-9)


def test_below_the_gate_the_rules_score_stands_unscored_by_the_trees() -> None:
    args = (("yong", "chol", "pak"), ("kim", "yong", "chol"), (1.0,) * 3, (1.0,) * 3)
    rules = compare(*args, family=frozenset({0}))
    gated = compare(*args, family=frozenset({0}), model=replace(_scorer(), gate=101.0))
    scored = compare(*args, family=frozenset({0}), model=replace(_scorer(), gate=0.0))
    assert (gated.score, gated.features) == (rules.score, ())
    assert len(scored.features) == len(FEATURES)


class _Fixed:
    """Stands in for the model, scoring every name alike: what does a name's context do to a score?"""

    def __init__(self, score: float) -> None:
        self._score = score

    def consulted(self, rules: float) -> bool:
        return True

    def decide(self, rules: float, features) -> float:
        return self._score


@pytest.mark.parametrize("model_score", [10.0, 80.0, 99.0])
def test_any_score_is_settled_within_the_limits_the_names_context_puts_on_it(model_score) -> None:
    """bench/fit_matcher.py decides a refitted model's scores through NameComparison.limits: compare
    must give exactly settle(model score, limits)."""
    listed, family = ("gonzalez", "lopez", "gustavo", "enrique"), frozenset({0, 1})
    cut = compare(("gustavo", "enrique", "gonz"), listed, (1.0,) * 4, (1.0,) * 3, family=family,
                  model=_Fixed(model_score), typed_length=20)  # fmt: skip
    assert cut.limits == (FIELD_CUT_SCORE, 100.0)
    assert cut.score == settle(model_score, cut.limits)
    assert bool(cut.cut_at) == (model_score < FIELD_CUT_SCORE)  # the cut explains only what it scored
    relative = compare(("sessa", "bermudez"), ("bermudez", "suaza", "pedro", "antonio"), (1.0,) * 4,
                       (1.0,) * 2, family=family, model=_Fixed(model_score))  # fmt: skip
    assert relative.limits == (0.0, CAP_COMMON_NAME)
    assert relative.score == settle(model_score, relative.limits)


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


def _constant(probability_logit: float, review: Review) -> PersonModel:
    """A model with no trees: it scores every name alike (log-odds = base)."""
    return PersonModel((), probability_logit, 0.0, review=review)


def test_as_a_review_the_model_only_sets_near_alerts_aside_and_never_raises_a_score() -> None:
    review = Review(low=72.0, high=95.0, veto=20.0)
    says_no, says_yes = _constant(-10.0, review), _constant(10.0, review)
    assert says_no.score(()) < review.veto < says_yes.score(())
    assert [says_no.consulted(s) for s in (71.9, 72.0, 88.0, 94.9, 95.0, 100.0)] == [
        False, True, True, True, False, False,
    ]  # fmt: skip
    assert says_no.decide(88.0, ()) == review.aside < REVIEW_SCORE  # set aside: under the threshold
    assert says_yes.decide(88.0, ()) == 88.0  # agreed: the rules' score, not the trees'
    assert says_yes.decide(73.0, ()) == 73.0  # never raised


def test_the_shipped_model_reviews_the_rules_by_default() -> None:
    from screening.matching.index import person_model

    reviewer = person_model("reviewed")
    assert reviewer is not None and reviewer.review is not None
    assert person_model("rules") is None and person_model("model").review is None
    with pytest.raises(ValueError, match="HIREWATCH_PERSON_SCORER"):
        person_model("trees")
