"""The person-name score: features of an aligned name pair combined by a fitted model.

`name_features` describes how an applicant's name lines up with a listed one, part by part: how
much of each side's weight (rare parts weigh more) agreed and how closely, which parts agreed only
as an initial, a truncation, a romanisation or a typo, which were joined, and what was left out or
added, by role (family name, given name, patronymic). Each feature is a pure function of the
alignment. `PersonModel` is a small set of gradient-boosted trees over them, fitted on the training split of
names-dev and our own generator by bench/fit_matcher.py, which writes person_model.json beside
this file; the threshold was chosen on the validation split and maps to a score of 80.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from screening.matching.text import is_patronymic

if TYPE_CHECKING:
    from screening.matching.names import Pair

REVIEW_SCORE = 80.0  # the model's threshold (chosen on validation) lands here on the 0-100 scale
_LOGIT_REVIEW = math.log(REVIEW_SCORE / (100 - REVIEW_SCORE))
VARIANT_REASONS = ("transliteration variant", "Korean romanisation", "sounds alike")
CONSONANT_REASONS = (
    "same consonants (vowels left out)",
    "same consonants in Arabic script",
    "same consonants (article al- attached)",
)
FEATURES = (
    "listed_share",  # weighted credit of the listed name's parts that agreed, over all its parts
    "applicant_share",  # the same over the applicant's parts
    "missing_family",  # weight of listed family-name parts not given
    "missing_given",  # weight of listed given names not given (family name known)
    "missing_unroled",  # weight of parts not given when the list does not say which is the family name
    "missing_patronymic",  # patronymics not given (few applicants write one)
    "extra_weight",  # weight of applicant parts the listed name does not have
    "differing",  # a part missing and another added: a different name in that place
    "aligned",  # parts that agreed beyond an initial (at most 4)
    "initials",  # parts that agreed only as an initial
    "min_similarity",  # the weakest agreeing pair
    "distinctive",  # weight of the rarest agreeing part
    "identifying",  # weight of all agreeing parts (at most 3)
    "exact_share",  # share of agreeing pairs spelt identically
    "typos",  # pairs that agree as an edit (typo, swap, dropped letter)
    "variants",  # transliteration, Korean romanisation, sound-alike
    "truncated",  # a part cut short
    "consonants",  # same consonants (vowels dropped, Arabic script)
    "ocr",  # letters a scanner confuses
    "joined",  # two parts written as one, or one as two
    "first_and_last",  # the first given name and the family name, nothing else (not Korean or Chinese)
    "listed_parts",  # parts of the listed name (at most 5)
    "single_part",  # the listed name is one word
    "syllabic",  # compared syllable by syllable (Korean or Chinese)
    "syllabic_gap",  # ... with a part missing or added (those names have no optional parts)
    "han_extra",  # written in Han characters with a reading left unmatched
    "family_aligned",  # a family-name part agreed beyond an initial
    "rules_score",  # the hand-set score (names._rules_score) the model corrects, / 100
    "cut_tail",  # the typed name is the listed one cut off at a form field's width (names.cut_short)
    "family_distinctive",  # weight of the rarest family-name part agreeing beyond an initial (the last
    # part when the list does not say which is the family name)
    "shortest_part",  # letters of the shortest listed part agreeing beyond an initial (at most 8):
    # two or three letters agree by chance ("Hyaa" and "Ho" share their consonants)
)


def _role_weights(missing: Sequence[int], listed, listed_weights, family: frozenset[int]) -> list[float]:
    """[family, given, unroled, patronymic count] for the listed parts nothing matched."""
    out = [0.0, 0.0, 0.0, 0.0]
    for j in missing:
        if is_patronymic(listed[j]):
            out[3] += 1
        elif j in family:
            out[0] += listed_weights[j]
        elif family:
            out[1] += listed_weights[j]
        else:
            out[2] += listed_weights[j]
    return out


def name_features(
    applicant: tuple[str, ...],
    pairs: Sequence[Pair],
    missing: Sequence[int],
    extra: Sequence[int],
    listed: tuple[str, ...],
    listed_weights: tuple[float, ...],
    applicant_weights: tuple[float, ...],
    family: frozenset[int],
    syllabic: bool,
    han_readings: bool,
    first_and_last: bool,
    rules_score: float,
    field_cut: bool = False,
) -> tuple[float, ...]:
    """The features of one aligned name pair, in FEATURES order (pure: same alignment, same values)."""
    agreed = matched = 0.0
    reasons = []
    whole = []  # pairs beyond an initial
    for pair in pairs:
        weight = sum(listed_weights[j] for j in pair.listed)
        agreed += weight * max(0.0, (pair.match.similarity - 0.4) / 0.6)
        matched += weight
        reasons.append(pair.match.reason)
        if pair.match.reason != "initial":
            whole.append(pair)
    roles = _role_weights(missing, listed, listed_weights, family)
    extra_weight = sum(applicant_weights[i] for i in extra)
    listed_total = matched + sum(listed_weights[j] for j in missing)
    # A part is as rare as the rarer of its two spellings: a common typed part ("Khan") loosely like a
    # rare listed one ("AKHWAN") is common evidence.
    evidence = [
        (p, min(sum(listed_weights[j] for j in p.listed), sum(applicant_weights[i] for i in p.applicant)))
        for p in whole
    ]
    whole_weights = [weight for _, weight in evidence]
    surname = family or frozenset({len(listed) - 1})
    significant_missing = any(not is_patronymic(listed[j]) for j in missing)
    n = max(1, len(pairs))
    return (
        agreed / listed_total if listed_total else 0.0,
        agreed / (matched + extra_weight) if matched + extra_weight else 0.0,
        roles[0],
        roles[1],
        roles[2],
        roles[3],
        extra_weight,
        float(significant_missing and bool(extra)),
        float(min(4, len(whole))),
        float(reasons.count("initial")),
        min((p.match.similarity for p in pairs), default=0.0),
        max(whole_weights, default=0.0),
        min(3.0, sum(whole_weights)),
        reasons.count("") / n,
        float(reasons.count("spelling variant")),
        float(sum(r in VARIANT_REASONS for r in reasons)),
        float(reasons.count("truncated")),
        float(sum(r in CONSONANT_REASONS for r in reasons)),
        float(reasons.count("letters confused (OCR)")),
        float(sum(len(p.listed) > 1 or len(p.applicant) > 1 for p in pairs)),
        float(first_and_last),
        float(min(5, len(listed))),
        float(len(listed) == 1),
        float(syllabic),
        float(syllabic and bool(missing or extra)),
        float(han_readings and bool(extra)),
        float(any(j in family for p in whole for j in p.listed)),
        rules_score / 100,
        float(field_cut),
        max((weight for p, weight in evidence if p.listed[0] in surname), default=0.0),
        float(min((min(8, sum(len(listed[j]) for j in p.listed)) for p in whole), default=0)),
    )


@dataclass(frozen=True, slots=True)
class Tree:
    """One regression tree of the boosted model, as flat arrays (node 0 is the root; a leaf has
    left == -1 and its value in `value`)."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Review:
    """The model as a second opinion on the hand-set rules (HIREWATCH_PERSON_SCORER=
    reviewed): a name the rules score in [low, high) is set aside, scored `aside` (under the
    threshold, so only an agreeing date of birth still makes it a hit), when the trees score it
    below `veto`; every other score is the rules'. bench/fit_matcher.py chooses low, high and veto
    on names-dev's train split. `aside` sits under the default threshold (80): a threshold set
    lower than it shows the names set aside again."""

    low: float
    high: float
    veto: float
    aside: float = REVIEW_SCORE - 1


@dataclass(frozen=True, slots=True)
class PersonModel:
    """Gradient-boosted trees over FEATURES (log-odds = base + the trees' leaves, learning rate
    folded in); `cut` is the log-odds chosen on validation.

    `gate`: a name the hand-set rules score below it keeps that score, unscored by the trees (most
    of what the blocking index puts forward); bench/fit_matcher.py chooses it so that no decision
    on the data the model was fitted on changes."""

    trees: tuple[Tree, ...]
    base: float
    cut: float
    gate: float = 0.0
    review: Review | None = None  # set: the rules score, the trees only set names aside
    log_odds: Callable[[tuple[float, ...]], float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Alignments of one shape (two rare parts exact, a middle name left out...) recur from name to
        # name: 60% of names-dev's calls repeat one of the last 4,096 feature rows.
        object.__setattr__(self, "log_odds", lru_cache(maxsize=4096)(_compiled(self.trees, self.base)))

    @classmethod
    def from_json(cls, text: str) -> PersonModel:
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            raise ValueError("person_model.json was fitted on other features: rerun bench/fit_matcher.py")
        trees = tuple(Tree(*(tuple(t[k]) for k in ("feature", "threshold", "left", "right", "value")))
                      for t in data["trees"])  # fmt: skip
        review = Review(**{k: float(v) for k, v in data["review"].items()}) if data.get("review") else None
        return cls(trees, float(data["base"]), float(data["cut"]), float(data.get("gate", 0.0)), review)

    def consulted(self, rules: float) -> bool:
        """Does the rules' score leave the trees anything to decide?"""
        if self.review is not None:
            return self.review.low <= rules < self.review.high
        return rules >= self.gate

    def decide(self, rules: float, features: tuple[float, ...]) -> float:
        """The name's score: the trees' (a scorer), or the rules' unless the trees set it aside."""
        score = self.score(features)
        if self.review is None:
            return score
        return min(rules, self.review.aside) if score < self.review.veto else rules

    def score(self, features: tuple[float, ...]) -> float:
        """0-100, REVIEW_SCORE exactly at the validation threshold, monotone in the log-odds."""
        z = self.log_odds(features) - self.cut + _LOGIT_REVIEW
        return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _compiled(trees: tuple[Tree, ...], base: float) -> Callable[[Sequence[float]], float]:
    """The log-odds as one Python expression of nested conditionals, compiled once: it runs for every
    name compared, at a third of the cost of walking the trees node by node. Only numbers read from
    the model file (made int and float again here) enter its source."""

    def node(tree: Tree, i: int) -> str:
        if tree.left[i] == -1:
            return repr(float(tree.value[i]))
        test = f"x[{int(tree.feature[i])}] <= {float(tree.threshold[i])!r}"
        return f"({node(tree, tree.left[i])} if {test} else {node(tree, tree.right[i])})"

    source = f"lambda x: {float(base)!r} + sum(({''.join(node(t, 0) + ', ' for t in trees)}))"
    return eval(compile(source, "person_model.json", "eval"))


def load_person_model() -> PersonModel:
    text = resources.files("screening.matching").joinpath("person_model.json").read_text("utf-8")
    return PersonModel.from_json(text)
