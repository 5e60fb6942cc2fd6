"""Comparing two names part by part: token similarity, alignment, a 0-100 score, an explanation.

A listed name and an applicant's name are each a handful of tokens. Every applicant token is
paired with at most one list token (word order never matters), adjacent tokens may be joined
("Jong Chol" = "Jeongcheol", "Silver Star" = "SILVERSTAR"), and each pair says *why* it
matched (identical, Korean romanisation, sounds alike, typo, initial, truncated...). The score
weighs rare name parts above common ones: sharing "Kim" or "Muhammad" with a listed person
proves little, so a match must align the distinctive parts too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from screening.matching.korean import korean_key, looks_korean
from screening.matching.text import ocr_key, phonetic_key, skeleton

ACCEPT = 0.80  # token pairs below this similarity are not aligned
JOINED_ACCEPT = 0.93  # exact or Korean romanisation; not a loose sound-alike
COMMON_PART_WEIGHT = 0.35
PARTICLE_WEIGHT = 0.1
INITIAL_WEIGHT_FACTOR = 0.35  # an initial proves less than the name it abbreviates
MISSING_PART_DISCOUNT = 0.5  # a missing middle name costs half its weight once two parts agree
DISTINCTIVE_WEIGHT = 0.5
CAP_TOO_FEW_PARTS = 60.0  # one agreeing part of a longer name is never a match
CAP_ONLY_COMMON_PARTS = 70.0  # only common parts agree and not the whole name
CAP_SINGLE_PART_NAME = 75.0  # one-word list names (nicknames, weak aliases)
MIN_IDENTIFYING_WEIGHT = 1.0  # e.g. three common parts, or a rare part and a common one
CAP_COMMON_NAME = 75.0  # below the default threshold: a common full name needs a date of birth too


@dataclass(frozen=True, slots=True)
class TokenMatch:
    similarity: float
    reason: str  # "" when identical


@lru_cache(maxsize=500_000)
def token_similarity(
    applicant: str, listed: str, unvowelled: bool = False, korean: bool = False
) -> TokenMatch:
    """How alike two name tokens are (0-1) and the reason a recruiter can read.

    unvowelled: the applicant wrote in a script without short vowels (Arabic, Hebrew).
    korean: both names can be romanised Korean, so MR/RR spellings are compared by their key.
    """
    if applicant == listed:
        return TokenMatch(1.0, "")
    if len(applicant) == 1 or len(listed) == 1:
        short, long_ = sorted((applicant, listed), key=len)
        hit = len(short) == 1 and long_.startswith(short)
        return TokenMatch(0.9 if hit else 0.0, "initial")
    best = TokenMatch(_edit_similarity(applicant, listed), "spelling variant")
    for candidate in _special_matches(applicant, listed, unvowelled, korean):
        if candidate.similarity > best.similarity:
            best = candidate
    return best


def _edit_similarity(a: str, b: str) -> float:
    distance = OSA.distance(a, b)
    longest = max(len(a), len(b))
    plain = 1 - distance / longest
    if distance == 1 and min(len(a), len(b)) >= 4:
        return max(plain, 0.86)  # one typo, swap, doubled or dropped letter
    return plain


def _special_matches(a: str, b: str, unvowelled: bool, korean: bool):
    if korean:
        key_a, key_b = korean_key(a), korean_key(b)
        if key_a == key_b:
            yield TokenMatch(0.97, "Korean romanisation")
        elif min(len(key_a), len(key_b)) >= 4 and Levenshtein.distance(key_a, key_b) == 1:
            yield TokenMatch(0.86, "Korean romanisation, one letter off")
    if (
        min(len(a), len(b)) >= 4
        and phonetic_key(a) == phonetic_key(b)
        and OSA.normalized_similarity(a, b) >= 0.6
    ):
        yield TokenMatch(0.92, "sounds alike")
    if ocr_key(a) == ocr_key(b):
        yield TokenMatch(0.92, "letters confused (OCR)")
    skel_a, skel_b = skeleton(a), skeleton(b)
    if skel_a == skel_b and (unvowelled or (len(skel_a) >= 3 and skeleton(a[1:]) == a[1:])):
        yield TokenMatch(0.9, "same consonants (vowels left out)")
    if len(a) >= 4 and b.startswith(a) and len(a) >= len(b) / 2:
        yield TokenMatch(0.88, "truncated")


def is_korean_name(tokens: tuple[str, ...]) -> bool:
    return bool(tokens) and all(looks_korean(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class Pair:
    applicant: tuple[int, ...]  # applicant token positions (two when joined)
    listed: tuple[int, ...]
    match: TokenMatch


@dataclass(slots=True)
class NameComparison:
    score: float
    pairs: list[Pair]
    missing: list[int]  # list token positions nothing matched
    extra: list[int]  # applicant token positions nothing matched


def align(applicant: tuple[str, ...], listed: tuple[str, ...], unvowelled: bool, korean: bool) -> list[Pair]:
    """Greedy one-to-one pairing of tokens or adjacent joined tokens, best pairs first."""
    scored = [
        Pair((i,), (j,), token_similarity(a, b, unvowelled, korean))
        for i, a in enumerate(applicant)
        for j, b in enumerate(listed)
    ]
    if len(applicant) > 1 or len(listed) > 1:
        scored += _joined_pairs(applicant, listed, unvowelled, korean)
    return _greedy([p for p in scored if p.match.similarity >= ACCEPT], set(), set())


def _greedy(candidates: list[Pair], used_a: set[int], used_l: set[int]) -> list[Pair]:
    chosen = []
    for pair in sorted(candidates, key=lambda p: (-p.match.similarity, -len(p.applicant) - len(p.listed))):
        if used_a.isdisjoint(pair.applicant) and used_l.isdisjoint(pair.listed):
            chosen.append(pair)
            used_a.update(pair.applicant)
            used_l.update(pair.listed)
    return chosen


def _joined_pairs(applicant, listed, unvowelled: bool, korean: bool) -> list[Pair]:
    pairs = []
    for i, a in enumerate(applicant):
        for j, b in enumerate(listed):
            if j + 1 < len(listed):
                match = token_similarity(a, b + listed[j + 1], unvowelled, korean)
                pairs.append(Pair((i,), (j, j + 1), match))
            if i + 1 < len(applicant):
                match = token_similarity(a + applicant[i + 1], b, unvowelled, korean)
                pairs.append(Pair((i, i + 1), (j,), match))
    # Joining is itself a liberty: only close spellings of the joined form count.
    return [p for p in pairs if p.match.similarity >= JOINED_ACCEPT]


def compare(
    applicant: tuple[str, ...],
    listed: tuple[str, ...],
    listed_weights: tuple[float, ...],
    applicant_weights: tuple[float, ...],
    unvowelled: bool = False,
    korean: bool = False,
) -> NameComparison:
    """Score (0-100) how well an applicant's name tokens cover a listed name's, and vice versa.

    A part given on one side only (a middle name left out, an extra given name) costs half its
    weight once two parts agree; parts that disagree on both sides (a different given name)
    cost their full weight.
    """
    pairs = align(applicant, listed, unvowelled, korean)
    matched_l = {j for p in pairs for j in p.listed}
    matched_a = {i for p in pairs for i in p.applicant}
    missing = [j for j in range(len(listed)) if j not in matched_l]
    extra = [i for i in range(len(applicant)) if i not in matched_a]
    if not pairs:
        return NameComparison(0.0, pairs, missing, extra)

    agreed_l = agreed_a = 0.0
    for pair in pairs:
        weight = sum(listed_weights[j] for j in pair.listed)
        if pair.match.reason == "initial":
            weight *= INITIAL_WEIGHT_FACTOR
        agreed_l += weight * pair.match.similarity
        agreed_a += weight * pair.match.similarity
    one_sided = not (missing and extra)
    discount = MISSING_PART_DISCOUNT if len(pairs) >= 2 and one_sided else 1.0
    total_l = agreed_l + discount * sum(listed_weights[j] for j in missing)
    total_a = agreed_a + discount * sum(applicant_weights[i] for i in extra)
    score = 100 * (agreed_l / total_l) ** 0.6 * (agreed_a / total_a) ** 0.4
    return NameComparison(_cap(score, pairs, listed, listed_weights, missing), pairs, missing, extra)


def _cap(score: float, pairs: list[Pair], listed, listed_weights, missing: list[int]) -> float:
    """Rules that keep shared surnames and one-word names from alerting on their own."""
    aligned = [p for p in pairs if p.match.reason != "initial"]
    if len(listed) == 1:
        return min(score, CAP_SINGLE_PART_NAME)
    if len(aligned) < 2:
        return min(score, CAP_TOO_FEW_PARTS)
    distinctive = any(listed_weights[j] >= DISTINCTIVE_WEIGHT for p in aligned for j in p.listed)
    whole_name = not missing and all(p.match.similarity >= 0.9 for p in pairs)
    if not distinctive and not whole_name:
        return min(score, CAP_ONLY_COMMON_PARTS)
    identifying = sum(listed_weights[j] for p in aligned for j in p.listed)
    if identifying < MIN_IDENTIFYING_WEIGHT:
        return min(score, CAP_COMMON_NAME)  # "Wei Zhang", "Sergei Ivanov": many people, one name
    return score


def explain(
    comparison: NameComparison,
    applicant: tuple[str, ...],
    listed: tuple[str, ...],
    family: frozenset[int],
) -> str:
    """'family name PAK = PARK (Korean romanisation), given name JONG CHOL ≈ JEONGCHEOL'."""
    clauses = []
    for pair in sorted(comparison.pairs, key=lambda p: p.listed[0]):
        role = _role(pair.listed, family)
        listed_text = " ".join(listed[j] for j in pair.listed).upper()
        typed = " ".join(applicant[i] for i in pair.applicant).upper()
        if not pair.match.reason:
            clauses.append(f"{role} {listed_text} = {typed}")
        else:
            clauses.append(f"{role} {listed_text} ≈ {typed} ({pair.match.reason})")
    if comparison.missing:
        clauses.append("not given: " + " ".join(listed[j].upper() for j in comparison.missing))
    if comparison.extra:
        clauses.append("not on the list: " + " ".join(applicant[i].upper() for i in comparison.extra))
    return ", ".join(clauses)


def _role(positions: tuple[int, ...], family: frozenset[int]) -> str:
    if not family:
        return "name part"
    return "family name" if positions[0] in family else "given name"
