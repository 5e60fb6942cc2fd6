"""Comparing two names part by part: token similarity, alignment, a 0-100 score, an explanation.

A listed name and an applicant's name are each a handful of tokens. Every applicant token is
paired with at most one list token (word order never matters), adjacent tokens may be joined
("Jong Chol" = "Jeongcheol", "Silver Star" = "SILVERSTAR"), and each pair says *why* it
matched (identical, Korean romanisation, sounds alike, typo, initial, truncated...). The score
weighs rare name parts above common ones: sharing "Kim" or "Muhammad" with a listed person
proves little, so a match must align the distinctive parts too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.matching.korean import korean_key
from screening.matching.scorer import VARIANT_REASONS, PersonModel, name_features
from screening.matching.syllabic import SyllableMode, cut_between_syllables, real_syllables
from screening.matching.text import (
    PARTICLES,
    arabic_keys,
    is_patronymic,
    ocr_key,
    phonetic_key,
    respelled,
    skeleton,
)

ACCEPT = 0.80  # token pairs below this similarity are not aligned
_VOWEL = re.compile("[aeiou]")
SYLLABLE_SLIP = 0.82  # one letter off in one syllable of an otherwise exact Korean or Chinese name
SHORT_TYPO = 0.82  # one letter changed in a three-letter part: aligned, but earns little
WHOLE_NAME_SIMILARITY = 0.85  # every listed part found, at worst with one typo each
JOINED_ACCEPT = 0.93  # exact or Korean romanisation; not a loose sound-alike
COMMON_PART_WEIGHT = 0.35
PARTICLE_WEIGHT = 0.1
INITIAL_WEIGHT_FACTOR = 0.35  # an initial proves less than the name it abbreviates
MISSING_PART_DISCOUNT = 0.35  # a missing middle name costs half its weight once two parts agree
DISTINCTIVE_WEIGHT = 0.5
CAP_TOO_FEW_PARTS = 60.0  # one agreeing part of a longer name is never a match
CAP_ONLY_COMMON_PARTS = 70.0  # only common parts agree and not the whole name
CAP_SINGLE_PART_NAME = 75.0  # one-word list names (nicknames, weak aliases)
ONE_SURNAME_OF_TWO = 0.5  # what leaving out one of two family names costs (_one_surname_of_two)
MISSING_FAMILY_WEIGHT = 0.7  # "Felipe Gomez" is not "FLORES GOMEZ, Felipe"
MIN_IDENTIFYING_WEIGHT = 0.7  # e.g. three common parts, or a rare part and a common one
CAP_COMMON_NAME = 75.0  # below the default threshold: a common full name needs a date of birth too
# "R. ROMASHKIN": a rare family name, whole, with the first given name's initial is a potential
# match for review; a common one ("M. AHMADI") is many people.
CAP_INITIAL_AND_FAMILY = 82.0
RARE_FAMILY_WEIGHT = 0.9
READING_REASONS = ("", "transliteration variant")  # how a pinyin reading may agree with a listed name
# Forms and exports cut long names at a fixed width; a name exactly as long as a common field (or
# one shorter: the cut fell on a space) may have lost its end. UNCONFIRMED which widths each ATS
# uses: these are common column sizes, and the check below still needs the name to be the listed
# one letter for letter up to the cut.
FIELD_WIDTHS = (20, 25, 30, 32, 35, 40, 50)
FIELD_CUT_SCORE = 85.0  # a potential match for review: everything typed agrees, the rest was cut off
# The listed name itself, patronymic aside: a date of birth that agrees (+8) makes it a hit, however
# common the name; on its own it stays under the threshold unless its parts score higher. With the
# patronymic too it is the exact name, 100.
WHOLE_NAME_FLOOR = CAP_COMMON_NAME
# Every listed part, transliterated (not Korean or Chinese syllables, whose spellings are many names):
# a potential match for review, as a field cut is.
RESPELT_NAME_FLOOR = FIELD_CUT_SCORE


@dataclass(frozen=True, slots=True)
class TokenMatch:
    similarity: float
    reason: str  # "" when identical


@lru_cache(maxsize=100_000)
def token_similarity(
    applicant: str, listed: str, unvowelled: bool = False, syllabic: SyllableMode = SyllableMode.OFF
) -> TokenMatch:
    """How alike two name tokens are (0-1) and the reason a recruiter can read.

    unvowelled: the applicant wrote in a script without short vowels (Arabic, Hebrew).
    syllabic: both are Korean or Chinese names (syllabic.syllable_mode): Korean MR/RR spellings
    agree by their key, and syllables that merely sound alike are different syllables; spelt as
    typed (SPELLED), two real syllables that look alike (Yan/Yang, Guiying/Guoying) are too.
    """
    if applicant == listed:
        return TokenMatch(1.0, "")
    if syllabic and len(applicant) > 1 and korean_key(applicant) == korean_key(listed):
        return TokenMatch(0.97, "Korean romanisation")  # "Oh" is the family name O (오); "I" an initial
    if len(applicant) == 1 or len(listed) == 1:
        short, long_ = sorted((applicant, listed), key=len)
        hit = len(short) == 1 and long_.startswith(short)
        return TokenMatch(0.9 if hit else 0.0, "initial")
    edit = _edit_similarity(applicant, listed)
    if syllabic == SyllableMode.SPELLED and real_syllables(applicant) and real_syllables(listed):
        edit = min(edit, ACCEPT - 0.01)  # both real syllables: another name, not a typo
    special = _special_match(applicant, listed, unvowelled, syllabic)
    if special is not None and special.similarity > edit:
        return special
    return TokenMatch(edit, "spelling variant")


def _edit_similarity(a: str, b: str) -> float:
    """Edit similarity wherever the edit is (the first letter as much as any other)."""
    distance = OSA.distance(a, b)
    plain = 1 - distance / max(len(a), len(b))
    shortest = min(len(a), len(b))
    slip = shortest >= 4 or (shortest == 3 and (len(a) != len(b) or sorted(a) == sorted(b)))
    if distance == 1 and slip:
        return max(plain, 0.86)  # one typo, swap, doubled or dropped letter
    if distance == 1 and shortest == 3:
        return SHORT_TYPO  # "Kij" for "Kim": a slip, or another short name ("Ali", "Ari")
    return plain


_TRANSLITERATED = TokenMatch(0.95, "transliteration variant")  # Dzhose/Jose, Kruz/Cruz, Khong/Hong
_ROMANISED = TokenMatch(0.97, "Korean romanisation")
_SOUNDS_ALIKE = TokenMatch(0.92, "sounds alike")
_RESPELT = TokenMatch(0.88, "transliteration variant")  # Aleksandr/Alexander (ks = x, one vowel)
_OCR = TokenMatch(0.92, "letters confused (OCR)")
_VOWELS_LEFT_OUT = TokenMatch(0.9, "same consonants (vowels left out)")
_ARABIC_CONSONANTS = TokenMatch(0.88, "same consonants in Arabic script")
_ARTICLE_ATTACHED = TokenMatch(0.88, "same consonants (article al- attached)")
_TRUNCATED = TokenMatch(0.88, "truncated")


def _special_match(a: str, b: str, unvowelled: bool, syllabic: SyllableMode) -> TokenMatch | None:
    """The strongest way beyond edits in which the two agree (of equally strong ones, the first
    below), or None. Checked strongest first: most pairs compared are new and agree in none."""
    respelled_a, phonetic_a, ocr_a, skel_a = _spellings(a)
    respelled_b, phonetic_b, ocr_b, skel_b = _spellings(b)
    shortest = min(len(a), len(b))
    transliterated = shortest >= 3 and respelled_a == respelled_b
    if syllabic:
        if korean_key(a) == korean_key(b):
            return _ROMANISED
        if transliterated:
            return _TRANSLITERATED
        if _truncated(a, b) and not cut_between_syllables(a, b):
            return _TRUNCATED  # "Dongmi" for "Dongming"; "Jing" is not "Jinghe"
        return None  # syllables that only sound alike are different syllables
    if transliterated:
        return _TRANSLITERATED
    sounds_alike = phonetic_a == phonetic_b and OSA.normalized_similarity(respelled_a, respelled_b) >= 0.6
    if shortest >= 5 and sounds_alike:
        return _SOUNDS_ALIKE
    if ocr_a == ocr_b:
        return _OCR
    respelt = shortest >= 5 and OSA.distance(respelled_a, respelled_b) == 1 < OSA.distance(a, b)
    if unvowelled and not _written_final_vowel_agrees(a, b):
        # Rasouli (رسولی) is not Rasoul: a long vowel written is no vowel left out
        return _RESPELT if respelt else None
    short_enough = len(skel_a) >= 2 or len(b) <= 4
    consonants = skel_a == skel_b and (
        (unvowelled and short_enough)
        or (len(skel_a) >= 2 and (len(a) >= 3 or a[0] == b[0]) and _vowels_left_out(a, b))
    )
    if consonants:
        return _VOWELS_LEFT_OUT
    if respelt:
        return _RESPELT
    if unvowelled and _same_arabic_consonants(a, b):
        return _ARABIC_CONSONANTS
    if unvowelled and a.startswith("l") and len(skel_b) >= 3 and skeleton(a[1:]) == skel_b:
        return _ARTICLE_ATTACHED
    return _TRUNCATED if _truncated(a, b) else None


@lru_cache(maxsize=100_000)
def _spellings(token: str) -> tuple[str, str, str, str]:
    """A token's respelled, sound-alike, OCR-folded and consonant forms: one cache lookup per
    token for the dozen comparisons of _special_matches."""
    return respelled(token), phonetic_key(token), ocr_key(token), skeleton(token)


def _written_final_vowel_agrees(typed: str, listed: str) -> bool:
    """Arabic and Persian script leave out short vowels but write long ones, and a name's last vowel
    is written: a typed part ending in a written long vowel (ی, و, ا read y, w, a after a consonant:
    Rasouli, Mohammadi, Taha) is another name than a listed part ending in a consonant (Rasoul,
    Muhammad; Atiyah's h aside), and a typed part ending in a consonant (Asl) than a listed part
    ending in i, u or o (Sali)."""
    end = listed.rstrip("h") if len(listed) > 2 and listed[-2] in "aeiou" else listed
    if len(typed) >= 2 and typed[-1] not in "aeiouwyh":
        return end[-1:] not in ("i", "y", "u", "o")
    if len(typed) < 3 or typed[-1] not in "ywa" or typed[-2] in "aeiouwy":
        return True
    return end[-1:] in tuple("aeiouy")


def _vowels_left_out(a: str, b: str) -> bool:
    """The consonants of the listed part in order, only letters dropped ("Mstfa" for MUSTAFA)."""
    return not _VOWEL.search(a, 1) or (len(a) < len(b) and _subsequence(a, b))


def _subsequence(short: str, long_: str) -> bool:
    letters = iter(long_)
    return all(ch in letters for ch in short)


def _truncated(a: str, b: str) -> bool:
    return len(a) >= 4 and b.startswith(a) and len(a) >= 0.6 * len(b)


def _same_arabic_consonants(applicant: str, listed: str) -> bool:
    """Both fold to one romanisation skeleton of at least two letters (a leading vowel counts)."""
    return any(len(key) >= 2 for key in arabic_keys(applicant) & arabic_keys(listed))


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
    features: tuple[float, ...] = ()  # what the person model scored (scorer.FEATURES)
    cut_at: int = 0  # the typed name is the listed one cut off at this many characters (0: not)
    # (floor, cap) the names' context put on whatever the parts scored (`settle`): bench/fit_matcher.py
    # decides a refitted model's scores through them as `compare` decides.
    limits: tuple[float, float] = (0.0, 100.0)


def settle(score: float, limits: tuple[float, float]) -> float:
    """A score within the floor and cap of NameComparison.limits."""
    floor, cap = limits
    return max(min(score, cap), floor)


def align(
    applicant: tuple[str, ...], listed: tuple[str, ...], unvowelled: bool, syllabic: SyllableMode
) -> list[Pair]:
    """Greedy one-to-one pairing of tokens or adjacent joined tokens, best pairs first."""
    scored = [
        Pair((i,), (j,), match)
        for i, a in enumerate(applicant)
        for j, b in enumerate(listed)
        if (match := token_similarity(a, b, unvowelled, syllabic)).similarity >= ACCEPT
    ]
    if len(applicant) != len(listed):  # joining only helps when one side has more tokens
        scored += _joined_pairs(applicant, listed, unvowelled, syllabic)  # all above ACCEPT
    return _greedy(scored, set(), set())


def _greedy(candidates: list[Pair], used_a: set[int], used_l: set[int]) -> list[Pair]:
    chosen = []
    for pair in sorted(candidates, key=lambda p: (-p.match.similarity, -len(p.applicant) - len(p.listed))):
        if used_a.isdisjoint(pair.applicant) and used_l.isdisjoint(pair.listed):
            chosen.append(pair)
            used_a.update(pair.applicant)
            used_l.update(pair.listed)
    return chosen


def _joined_pairs(applicant, listed, unvowelled: bool, syllabic: SyllableMode) -> list[Pair]:
    if not _joinable(applicant, listed, syllabic):
        return []
    pairs = []
    for i, a in enumerate(applicant):
        for j, b in enumerate(listed):
            if j + 1 < len(listed):
                # Either order: "SergeiLavrov" for "LAVROV, Sergei".
                match = max(token_similarity(a, b + listed[j + 1], unvowelled, syllabic),
                            token_similarity(a, listed[j + 1] + b, unvowelled, syllabic),
                            key=lambda m: m.similarity)  # fmt: skip
                pairs.append(Pair((i,), (j, j + 1), match))
            if i + 1 < len(applicant):
                match = token_similarity(a + applicant[i + 1], b, unvowelled, syllabic)
                pairs.append(Pair((i, i + 1), (j,), match))
    # Joining is itself a liberty: only close spellings of the joined form count.
    return [p for p in pairs if p.match.similarity >= JOINED_ACCEPT]


_EDIT_JOINABLE_LENGTH = int(1 / (1 - JOINED_ACCEPT)) - 1


def _joinable(applicant: tuple[str, ...], listed: tuple[str, ...], syllabic: SyllableMode) -> bool:
    """Could any joined form (two adjacent tokens of one name, the listed ones in either order)
    reach JOINED_ACCEPT against a token of the other? Rarely: and as a joined form is a new string
    each time, a cache miss of token_similarity (the costliest step of a comparison), names
    without one skip the pairing. Only identical, respelled-identical, Korean-key (syllabic) and
    one-letter-off long spellings score that high (tests/test_matching_names.py checks this
    against token_similarity itself)."""
    return _may_join(applicant, _joined_forms(listed, True), bool(syllabic)) or _may_join(
        listed, _joined_forms(applicant, False), bool(syllabic)
    )


def _may_join(tokens: tuple[str, ...], joined: tuple[str, ...], syllabic: bool) -> bool:
    if not joined:
        return False
    if any(a & b for a, b in zip(_folds(tokens, syllabic), _folds(joined, syllabic), strict=True)):
        return True
    # The edit similarity, 1 - distance / longest: one letter off is already too much for strings
    # shorter than 1 / (1 - JOINED_ACCEPT), and lengths must then agree within a letter.
    long_tokens = [t for t in tokens if len(t) >= _EDIT_JOINABLE_LENGTH]
    long_joined = [j for j in joined if len(j) >= _EDIT_JOINABLE_LENGTH]
    cutoff = JOINED_ACCEPT - 1e-9  # a hair below the cut: token_similarity decides
    return bool(long_joined) and any(
        process.extractOne(t, long_joined, scorer=OSA.normalized_similarity, score_cutoff=cutoff)
        for t in long_tokens
    )


@lru_cache(maxsize=50_000)
def _joined_forms(tokens: tuple[str, ...], both_orders: bool) -> tuple[str, ...]:
    """Adjacent tokens joined ("jong", "chol" -> "jongchol"; and "choljong" in both orders)."""
    pairs = itertools.pairwise(tokens)
    return tuple(joined for a, b in pairs for joined in ((a + b, b + a) if both_orders else (a + b,)))


@lru_cache(maxsize=50_000)
def _folds(strings: tuple[str, ...], syllabic: bool) -> tuple[frozenset[str], ...]:
    """The respelled forms of these strings (and their Korean keys, syllabic): a listed name's
    joined forms are folded once, not at each comparison."""
    folds = (respelled, korean_key) if syllabic else (respelled,)
    return tuple(frozenset(map(fold, strings)) for fold in folds)


def compare(
    applicant: tuple[str, ...],
    listed: tuple[str, ...],
    listed_weights: tuple[float, ...],
    applicant_weights: tuple[float, ...],
    unvowelled: bool = False,
    syllabic: SyllableMode = SyllableMode.OFF,
    family: frozenset[int] = frozenset(),
    han_readings: bool = False,
    model: PersonModel | None = None,
    typed_length: int = 0,
    hyphened: frozenset[int] = frozenset(),
) -> NameComparison:
    """Score (0-100) how well an applicant's name tokens cover a listed name's, and vice versa.

    model: the fitted model over scorer.name_features (the parts aligned, left out and added, by
    role and by how they agreed), for names the rules score at its gate or above, as the scorer (the
    default, HIREWATCH_PERSON_SCORER=model) or as the rules' reviewer (`reviewed`); without one
    (`rules`), by the hand-set rules of _rules_score.

    han_readings: the applicant wrote in Han characters, read as pinyin. Those readings are
    exact (no typos) and may be wrong (a Japanese name read as Chinese), so only identical or
    transliteration-variant syllables agree, and a syllable left unmatched means another name.

    typed_length: characters of the name as typed, to tell a name cut off by a form field.
    hyphened: applicant token positions typed joined to the next by a hyphen (text.NameForm).
    """
    width = field_width(typed_length)
    # One short of the width only when the cut fell on a space: the last part typed is whole.
    cut = cut_short(applicant, listed, family, whole_last=typed_length < width) if width else None
    comparison = _compare(applicant, listed, listed_weights, applicant_weights, unvowelled, syllabic,
                          family, han_readings, model, cut is not None)  # fmt: skip
    cap = _name_cap(comparison, applicant, listed, family, hyphened)
    syllables = bool(syllabic) or han_readings
    floor = FIELD_CUT_SCORE if cut is not None else _name_floor(comparison, listed, syllables)
    comparison.limits = (floor, max(floor, cap))
    score = settle(comparison.score, comparison.limits)
    if cut is not None and score > min(comparison.score, cap):  # the cut, not the parts, scored it
        pairs, missing = _cut_pairs(applicant, listed, cut), list(cut[len(applicant) :])
        comparison = NameComparison(score, pairs, missing, [], comparison.features, width, comparison.limits)
    comparison.score = score
    return comparison


def _name_cap(comparison: NameComparison, applicant: tuple[str, ...], listed: tuple[str, ...],
              family: frozenset[int], hyphened: frozenset[int]) -> float:  # fmt: skip
    """The most the names' context lets whatever the parts scored reach."""
    common = _split_across_roles(applicant, comparison, hyphened, family) or _only_family(comparison, family)
    cap = CAP_COMMON_NAME if common else 100.0
    if len(listed) > 1 and _one_part_and_initials(comparison):
        # At best a potential match for review; with a part the list lacks, another person (_cap).
        cap = min(cap, CAP_TOO_FEW_PARTS if comparison.extra else CAP_INITIAL_AND_FAMILY)
    return cap


def _name_floor(comparison: NameComparison, listed: tuple[str, ...], syllables: bool) -> float:
    """The least the listed name itself, typed whole or transliterated, scores whatever its parts
    weigh. syllables: Korean or Chinese syllables, whose other spellings are other names."""
    if _whole_listed_name(comparison, listed):
        return 100.0 if not comparison.missing else WHOLE_NAME_FLOOR  # the listed name itself: exact
    if not syllables and _respelt_listed_name(comparison):
        return RESPELT_NAME_FLOOR
    return 0.0


def _one_part_and_initials(comparison: NameComparison) -> bool:
    """At most one part agrees beyond an initial ("R. ROMASHKIN"): at best a potential match for
    review, whatever scores it."""
    return sum(p.match.reason != "initial" for p in comparison.pairs) < 2


def _whole_listed_name(comparison: NameComparison, listed: tuple[str, ...]) -> bool:
    """Every listed part but patronymics typed letter for letter, nothing added ("Andrey Kuznetsov"
    for "KUZNETSOV, Andrey Anatolyevich"): the listed person's name, though many may bear it, so a
    date of birth that agrees makes it a hit."""
    return (
        len(comparison.pairs) >= 2
        and not comparison.extra
        and all(p.match.similarity == 1.0 and p.match.reason != "initial" for p in comparison.pairs)
        and all(is_patronymic(listed[j]) for j in comparison.missing)
    )


def _respelt_listed_name(comparison: NameComparison) -> bool:
    """Every listed part and nothing else, each spelt as listed or transliterated ("Aleksandr Petrov"
    for "PETROV, Alexander"): the listed name in another spelling, however common."""
    return (
        len(comparison.pairs) >= 2
        and not comparison.extra
        and not comparison.missing
        and all(p.match.reason in ("", *VARIANT_REASONS) for p in comparison.pairs)
    )


def _split_across_roles(
    applicant: tuple[str, ...], comparison: NameComparison, hyphened: frozenset[int], family: frozenset[int]
) -> bool:
    """One hyphenated word typed ("Sang-hoon", "Ji-min") is one name part: its halves cannot be the
    listed family name and a given name at once, nor can one half alone be a listed part. Particles
    ("al-Hasan") align wherever their twin is."""
    if not hyphened or not family:
        return False
    role = {i: j in family for p in comparison.pairs for i in p.applicant for j in p.listed[:1]
            if p.match.reason or applicant[i] not in PARTICLES}  # fmt: skip
    extra = {i for i in comparison.extra if applicant[i] not in PARTICLES}
    for i in hyphened:
        if i in role and i + 1 in role and role[i] != role[i + 1]:
            return True
        if (i in role and i + 1 in extra) or (i in extra and i + 1 in role):
            return True
    return False


def _only_family(comparison: NameComparison, family: frozenset[int]) -> bool:
    """Only the family name agrees and every given name the list has is left out ("Sessa BERMUDEZ"
    for "BERMUDEZ SUAZA, Pedro Antonio"): a relative's name, not the person's."""
    matched = {j for p in comparison.pairs for j in p.listed}
    return bool(family) and matched <= family and bool(set(comparison.missing) - family)


def field_width(typed_length: int) -> int:
    """The common field width a name of this length may have been cut at (0: none)."""
    return next((w for w in FIELD_WIDTHS if w - 1 <= typed_length <= w), 0)


def cut_short(
    applicant: tuple[str, ...], listed: tuple[str, ...], family: frozenset[int], whole_last: bool = False
) -> tuple[int, ...] | None:
    """The listed name's positions in the reading order the applicant's name follows when its parts
    are the listed name's, read given names first or as listed, up to the last one typed, which
    begins the next listed part (is all of it: whole_last), and the listed name goes on after it;
    None when it does not."""
    given = tuple(j for j in range(len(listed)) if j not in family)
    surname = tuple(sorted(family))
    size = len(applicant)
    for order in (given + surname, surname + given):
        read = tuple(listed[j] for j in order)
        if size < 2 or size > len(read) or applicant == read:
            continue
        last = read[size - 1]
        if applicant[:-1] == read[: size - 1] and (
            last == applicant[-1] or (not whole_last and last.startswith(applicant[-1]))
        ):
            return order
    return None


def _cut_pairs(applicant: tuple[str, ...], listed: tuple[str, ...], order: tuple[int, ...]) -> list[Pair]:
    """Each typed part paired with the listed part it stands for; the last one may be cut off."""
    pairs = []
    for i, typed in enumerate(applicant):
        whole = listed[order[i]] == typed
        pairs.append(Pair((i,), (order[i],), TokenMatch(1.0, "") if whole else TokenMatch(0.88, "cut off")))
    return pairs


def _compare(applicant, listed, listed_weights, applicant_weights, unvowelled, syllabic, family,
             han_readings, model, field_cut: bool = False) -> NameComparison:  # fmt: skip
    pairs = align(applicant, listed, unvowelled, syllabic)
    if han_readings:
        pairs = [p for p in pairs if p.match.reason in READING_REASONS]
    pairs += _one_syllable_slip(applicant, listed, pairs, syllabic)
    matched_l = {j for p in pairs for j in p.listed}
    matched_a = {i for p in pairs for i in p.applicant}
    missing = [j for j in range(len(listed)) if j not in matched_l]
    extra = [i for i in range(len(applicant)) if i not in matched_a]
    if not pairs:
        return NameComparison(0.0, pairs, missing, extra)

    rules = _rules_score(pairs, missing, extra, listed, listed_weights, applicant_weights, family, syllabic)
    if han_readings and extra:
        rules = min(rules, CAP_COMMON_NAME)
    if model is None or not model.consulted(rules):  # e.g. far from any alert: the trees change nothing
        return NameComparison(rules, pairs, missing, extra)
    # Korean and Chinese names have no parts to leave out: a given name and the family name are not
    # "first and last" of them (as the rules' lenient reading never is).
    first_and_last = (
        len(pairs) >= 2 and not syllabic and _gave_first_and_last(len(listed), family, matched_l, extra)
    )
    roles = (listed_weights, applicant_weights, family)
    features = name_features(applicant, pairs, missing, extra, listed, *roles, bool(syllabic), han_readings,
                             first_and_last, rules, field_cut)  # fmt: skip
    return NameComparison(model.decide(rules, features), pairs, missing, extra, features)


def _one_syllable_slip(applicant, listed, pairs: list[Pair], syllabic: SyllableMode) -> list[Pair]:
    """A Korean or Chinese name of three syllables or more whose every syllable agrees but one, typed
    one letter off as another real syllable ("Yo Jong KUM" for "KIM, Yo Jong"): a typo, when all the
    rest is the listed name. Two real syllables are otherwise two names."""
    if syllabic != SyllableMode.SPELLED or len(listed) < 3 or len(applicant) != len(listed):
        return []
    if len(pairs) != len(listed) - 1 or any(len(p.applicant) > 1 or p.match.similarity < 0.97 for p in pairs):
        return []
    (i,) = set(range(len(applicant))) - {p.applicant[0] for p in pairs}
    (j,) = set(range(len(listed))) - {p.listed[0] for p in pairs}
    typed, meant = applicant[i], listed[j]
    if OSA.distance(typed, meant) != 1 or min(len(typed), len(meant)) < 2 or _n_or_ng(typed, meant):
        return []
    return [Pair((i,), (j,), TokenMatch(SYLLABLE_SLIP, "one letter off"))]


def _n_or_ng(a: str, b: str) -> bool:
    """San and Sang, Jin and Jing: the n and ng finals are two syllables, never a slip."""
    short, long_ = sorted((a, b), key=len)
    return long_ == short + "g" and short.endswith("n")


def _rules_score(pairs, missing, extra, listed, listed_weights, applicant_weights, family, syllabic) -> float:
    """The hand-set score: the `rules` scorer, and the first pass whose score decides whether the
    fitted model is consulted (PersonModel.consulted)."""
    matched_l = {j for p in pairs for j in p.listed}
    agreed = matched_weight = 0.0
    for pair in pairs:
        weight = sum(listed_weights[j] for j in pair.listed)
        if pair.match.reason == "initial":
            weight *= INITIAL_WEIGHT_FACTOR
        agreed += weight * _credit(pair.match.similarity)
        matched_weight += weight
    # Korean and Chinese names have no middle names to leave out; a family name is never optional.
    lenient = len(pairs) >= 2 and not (missing and extra) and not syllabic
    costs = [_missing_weight(j, listed, listed_weights, family, lenient) for j in missing]
    if lenient and _one_surname_of_two(pairs, missing, extra, family, listed_weights):
        costs = [min(costs[0], ONE_SURNAME_OF_TWO)]
    # Leaving out every middle name is one omission, however many there are: only the dearest counts.
    first_and_last = lenient and _gave_first_and_last(len(listed), family, matched_l, extra)
    missing_weight = max(costs, default=0.0) if first_and_last else sum(costs)
    total_l = matched_weight + missing_weight
    total_a = matched_weight + _extra_weight([applicant_weights[i] for i in extra], lenient)
    score = 100 * (agreed / total_l) ** 0.6 * (agreed / total_a) ** 0.4
    score = _cap(score, pairs, listed, listed_weights, missing, family, extra)
    if syllabic and (missing or extra):
        score = min(score, CAP_COMMON_NAME)  # Korean and Chinese names have no optional parts
    return score


def _extra_weight(weights: list[float], lenient: bool) -> float:
    """What parts the list does not have cost: one middle name the list left out costs little; any
    more are a longer name than the listed one."""
    if not lenient or not weights:
        return sum(weights)
    dearest = max(weights)
    return MISSING_PART_DISCOUNT * dearest + sum(weights) - dearest


def _one_surname_of_two(pairs: list[Pair], missing: list[int], extra: list[int], family: frozenset[int],
                        listed_weights) -> bool:  # fmt: skip
    """ "Hector LEYVA" for "BELTRAN LEYVA, Hector": of two family names one is given, a distinctive
    one ("Felipe PEREZ" is many people), every other part spelt as listed, nothing added. Many go
    by one of their two surnames."""
    given_surname = [j for j in family if j not in missing]
    return (
        len(family) == 2
        and len(missing) == 1
        and missing[0] in family
        and not extra
        and all(listed_weights[j] >= DISTINCTIVE_WEIGHT for j in given_surname)
        and all(p.match.similarity >= 0.95 for p in pairs)
    )


def _missing_weight(position: int, listed, listed_weights, family: frozenset[int], lenient: bool) -> float:
    """A middle name left out costs little, a patronymic less (few write it); part of the family
    name left out costs a lot."""
    if is_patronymic(listed[position]):
        return min(listed_weights[position], COMMON_PART_WEIGHT) * MISSING_PART_DISCOUNT
    if position in family:
        return max(listed_weights[position], MISSING_FAMILY_WEIGHT)
    return listed_weights[position] * (MISSING_PART_DISCOUNT if lenient else 1.0)


def _gave_first_and_last(size: int, family: frozenset[int], matched: set[int], extra: list[int]) -> bool:
    """The applicant gave the listed first given name and the whole family name (the last part when
    the list does not say) and nothing else: what a form's two name fields ask for."""
    given = [j for j in range(size) if j not in family]
    last = family or {size - 1}
    return not extra and bool(given) and given[0] in matched and last <= matched


def _credit(similarity: float) -> float:
    """How much of a part's weight a token pair earns: identical 1.0, 0.9 -> 0.83, 0.8 -> 0.67."""
    return max(0.0, (similarity - 0.4) / 0.6)


def _cap(score: float, pairs: list[Pair], listed, listed_weights, missing: list[int], family, extra) -> float:
    """Rules that keep shared surnames and one-word names from alerting on their own."""
    aligned = [p for p in pairs if p.match.reason != "initial"]
    if len(listed) == 1:
        return min(score, CAP_SINGLE_PART_NAME)
    if len(aligned) < 2:
        if not extra and _initial_and_rare_family(pairs, aligned, listed_weights, family, len(listed)):
            return min(score, CAP_INITIAL_AND_FAMILY)
        return min(score, CAP_TOO_FEW_PARTS)
    distinctive = any(listed_weights[j] >= DISTINCTIVE_WEIGHT for p in aligned for j in p.listed)
    # "Andrey KUZNETSOV" is the whole of "KUZNETSOV, Andrey Anatolyevich" as people write it.
    whole_name = all(is_patronymic(listed[j]) for j in missing) and all(
        p.match.similarity >= WHOLE_NAME_SIMILARITY for p in pairs
    )
    if not distinctive and not whole_name:
        return min(score, CAP_ONLY_COMMON_PARTS)
    identifying = sum(listed_weights[j] for p in aligned for j in p.listed)
    if identifying < MIN_IDENTIFYING_WEIGHT or (missing and identifying <= MIN_IDENTIFYING_WEIGHT + 1e-9):
        return min(score, CAP_COMMON_NAME)  # "Wei Zhang", "Sergei Ivanov": many people, one name
    return score


def _initial_and_rare_family(pairs, aligned, listed_weights, family: frozenset[int], size: int) -> bool:
    """The whole family name (the last part when the list does not say), rare and spelt as listed,
    and the first given name's initial."""
    surname = family or frozenset({size - 1})
    given = [j for j in range(size) if j not in surname]
    found = {j for p in aligned for j in p.listed}
    initials = {j for p in pairs if p.match.reason == "initial" for j in p.listed}
    return (
        bool(given)
        and given[0] in initials
        and found == surname
        and all(p.match.similarity == 1.0 for p in aligned)
        and max(listed_weights[j] for j in surname) >= RARE_FAMILY_WEIGHT
    )


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
    if comparison.cut_at:
        clauses.append(f"typed name may be cut off at {comparison.cut_at} characters (a form field's width)")
    return ", ".join(clauses)


def _role(positions: tuple[int, ...], family: frozenset[int]) -> str:
    if not family:
        return "name part"
    return "family name" if positions[0] in family else "given name"
