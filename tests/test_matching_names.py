"""Name, employer and identifier matching on small hand-written lists (fast, no shared data)."""

from __future__ import annotations

import dataclasses

import pytest

from screening.matching import SanctionsIndex, names
from screening.matching.korean import (
    FINALS_RR,
    INITIALS_DPRK,
    INITIALS_RR,
    VOWELS_MR,
    VOWELS_RR,
    korean_key,
    romanize_hangul_name,
)
from screening.matching.syllabic import SyllableMode
from screening.matching.text import person_name
from screening.models import (
    Applicant,
    Entity,
    EntityType,
    Identifier,
    ListedName,
    ListSnapshot,
    MatchedOn,
    NameKind,
)
from tests.matching_helpers import joined_accepted

PERSON, ORG = EntityType.INDIVIDUAL, EntityType.ENTITY


def _entity(native_id, names, type_=PERSON, **fields) -> Entity:
    listed = [ListedName(n) if isinstance(n, str) else ListedName(*n) for n in names]
    return Entity(list="test", native_id=native_id, type=type_, names=listed, programs=["DPRK3"], **fields)


# Real SDN rows (names as OFAC prints them), plus common-name entries so token weights are realistic.
ENTITIES = [
    _entity("18668", ["RI, Jong Chol"], birth_dates=["1968-05-15"]),
    _entity("24918", ["PARK, Jin Hyok", ("PAK, Jin-hek", NameKind.AKA)]),
    _entity("17614", ["KIM, Yong Chol"], birth_dates=["1962-02-18"]),
    _entity("20157", ["KIM, Jong Un"]),
    _entity("15667", ["PAEK, Chang-Ho"]),
    _entity("7860", ["AL-DULAYMI, Latif Nusayyif Jasim"]),
    _entity("9001", ["CHOE, Kyong Song"]),
    _entity("11740", ["SA'ID, Mohamed"]),
    _entity("25692", ["MENDOZA GAYTAN, Gonzalo"]),
    _entity("35096", ["PUTIN, Vladimir Vladimirovich"]),
    _entity("24977", ["YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD."], ORG),
    _entity("43379", ["CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY"], ORG),
    _entity(
        "44437",
        ["SINBAD"],
        ORG,
        identifiers=[
            Identifier("email", "adv@sinbad.io"),
            Identifier("website", "https://sinbad.io"),
            Identifier("crypto", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", currency="ETH"),
            Identifier("phone", "+850 2 381 8111"),
        ],
    ),
] + [_entity(f"filler{i}", [f"KIM, {given}"]) for i, given in enumerate(["Chol", "Song Il", "Yong Su", "Il"])]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return SanctionsIndex([ListSnapshot("test", "v1", ENTITIES)])


def _best(index, name: str, **fields):
    hits = [
        h for h in index.match(Applicant(id="a", name=name, **fields)) if h.matched_on in ("name", "alias")
    ]
    return hits[0] if hits else None


SHOULD_MATCH = [
    # (typed by the applicant, listed entry, words the explanation must contain)
    ("Lee Jeong-cheol", "18668", ["family name RI ≈ LEE (Korean romanisation)", "CHOL ≈ CHEOL"]),
    ("Jeongcheol Rhee", "18668", ["JONG CHOL ≈ JEONGCHEOL"]),
    ("RI, Jong Chol", "18668", ["family name RI = RI"]),
    ("리정철", "18668", ["(Korean romanisation)"]),
    ("Park Jin-hyuk", "24918", ["HYOK ≈ HYUK (Korean romanisation)"]),
    ("Jin Hyok Bak", "24918", ["PARK ≈ BAK"]),
    ("Choi Kyung-sung", "9001", ["CHOE ≈ CHOI", "KYONG ≈ KYUNG"]),
    ("Baek Chang-ho", "15667", ["PAEK ≈ BAEK"]),
    ("Kim Jоng Un", "20157", ["JONG = JONG"]),  # Cyrillic о
    ("Kim Jong\u200b Un", "20157", ["UN = UN"]),
    ("Dr. Latif AL-DULAYMI Jr.", "7860", ["not given: NUSAYYIF JASIM"]),
    ("Gonzalo Mendoza Gytn", "25692", ["GAYTAN ≈ GYTN (same consonants (vowels left out))"]),
    ("Vladimir Putln", "35096", ["PUTIN ≈ PUTLN"]),
    ("Владимир Путин", "35096", ["PUTIN = PUTIN"]),
    ("Vladimir Vladimirov Putin", "35096", ["truncated"]),
]


@pytest.mark.parametrize(("typed", "entity_id", "explained"), SHOULD_MATCH)
def test_listed_people_are_found_however_typed(index, typed, entity_id, explained) -> None:
    hit = _best(index, typed)
    assert hit is not None and hit.entity_id == entity_id, typed
    assert hit.score >= index.threshold
    for words in explained:
        assert words in hit.explanation


MUST_NOT_MATCH = [
    "Kim Min-jun",  # shares only the family name with many listed KIMs
    "Ri Song-min",  # listed family name, another given name
    "Kim Jong-hyun",  # two of three parts, the distinctive one differs
    "Mohamed Salah",  # a listed given name with another family name
    "Felipe Gaytan",  # part of a family name and another given name
    "Park Min-seo",
    "John Smith",
    "Sang-cheol Gim",  # Korean syllables that only sound alike are different names
]


@pytest.mark.parametrize("typed", MUST_NOT_MATCH)
def test_ordinary_applicants_do_not_alert(index, typed) -> None:
    assert _best(index, typed) is None, typed


def test_a_common_full_name_is_a_potential_match_until_a_full_date_of_birth_decides(index) -> None:
    entity = _entity("11741", ["SA'ID, Mohamed"], birth_dates=["1970-03-14", "1971"])
    with_dob = SanctionsIndex([ListSnapshot("test", "v1", [*ENTITIES, entity])])
    plain = _best(with_dob, "Mohamed Said")
    assert plain is not None and not plain.corroborated
    hits = with_dob.match(Applicant(id="a", name="Mohamed Said", date_of_birth="1970-03-14"))
    agreeing = next(h for h in hits if h.entity_id == "11741")
    assert agreeing.corroborated and not any(h.corroborated for h in hits if h.entity_id != "11741")
    assert "date of birth agrees (" in agreeing.explanation
    # only the year of the listed "1971": no corroboration at all for a common name
    hits = with_dob.match(Applicant(id="a", name="Mohamed Said", date_of_birth="1971-06-30"))
    rough = next(h for h in hits if h.entity_id == "11741")
    assert rough.details["corroboration"] == "" and "does not confirm so common a name" in rough.explanation
    hits = with_dob.match(Applicant(id="a", name="Mohamed Said", date_of_birth="1990-05-05"))
    assert all(h.contradicted and h.score < plain.score for h in hits if h.entity_id == "11741")


def test_date_of_birth_raises_and_contradicting_one_lowers(index) -> None:
    plain = _best(index, "Kim Yong-chul")
    agreeing = _best(index, "Kim Yong-chul", date_of_birth="1962-02-18")
    differing = _best(index, "Kim Yong-chul", date_of_birth="1990-07-01")
    assert agreeing.score > plain.score or agreeing.score == 100
    assert agreeing.corroborated and "date of birth agrees" in agreeing.explanation
    assert differing is None or (differing.contradicted and differing.score < plain.score)


@pytest.mark.parametrize("country", ["KP", "North Korea", "US", "KR", None])
def test_nationality_and_country_never_change_a_score(index, country) -> None:
    base = Applicant(id="a", name="Lee Jeong-cheol", employers=["Yanbian Silver Star Network Tech"])
    varied = dataclasses.replace(base, country=country, location=f"Pyongyang, {country}")
    assert [(h.entity_id, h.score) for h in index.match(varied)] == [
        (h.entity_id, h.score) for h in index.match(base)
    ]


def test_the_same_person_in_any_script_gets_the_same_entry(index) -> None:
    assert {_best(index, n).entity_id for n in ("Kim Jong Un", "김정은", "KIM, Jong Un")} == {"20157"}


def test_employer_with_company_forms_and_spacing_is_found(index) -> None:
    hits = index.match(Applicant(id="a", name="Daniel Kim", employers=["Yanbian Silver Star Network Tech"]))
    assert [(h.entity_id, h.matched_on) for h in hits] == [("24977", MatchedOn.EMPLOYER)]
    assert "SILVERSTAR = SILVER STAR" in hits[0].explanation
    assert hits[0].programs == ["DPRK3"]


@pytest.mark.parametrize("employer", ["Google LLC", "Silver Star Trading", "Chinyong Trading"])
def test_ordinary_employers_do_not_alert(index, employer) -> None:
    assert index.match(Applicant(id="a", name="Jane Doe", employers=[employer])) == []


def test_listed_identifiers_match_exactly(index) -> None:
    applicant = Applicant(
        id="a",
        name="Alex Morgan",
        emails=["ADV@sinbad.io"],
        urls=["https://www.sinbad.io/about"],
        phones=["+850 2 381 8111"],
        resume_text="Pay me at 0x098b716b8aaf21512996dc57eb0615e2383e2f96 please.",
    )
    found = {h.matched_on: h for h in index.match(applicant)}
    assert set(found) == {MatchedOn.EMAIL, MatchedOn.WEBSITE, MatchedOn.PHONE, MatchedOn.CRYPTO_ADDRESS}
    assert all(h.entity_id == "44437" and h.score == 100 and h.corroborated for h in found.values())
    assert "listed wallet for SINBAD" in found[MatchedOn.CRYPTO_ADDRESS].explanation


def test_delta_index_over_changed_entries_reuses_frequencies(index) -> None:
    delta = SanctionsIndex([ListSnapshot("test", "v2", ENTITIES[:1])], frequencies=index.frequencies)
    assert [h.entity_id for h in delta.match(Applicant(id="a", name="Lee Jeong-cheol"))] == ["18668"]
    assert delta.match(Applicant(id="b", name="Park Jin-hyuk")) == []


def test_korean_key_agrees_for_every_syllable_in_rr_and_dprk_spelling() -> None:
    for initial in range(19):
        for vowel in range(21):
            for final in (0, 1, 4, 8, 16, 21):  # none, k, n, l, m, ng
                rr = INITIALS_RR[initial] + VOWELS_RR[vowel] + FINALS_RR[final]
                dprk = INITIALS_DPRK[initial] + VOWELS_MR[vowel] + FINALS_RR[final]
                assert korean_key(rr) == korean_key(dprk), (rr, dprk)


def test_hangul_names_split_into_family_and_given() -> None:
    assert romanize_hangul_name("리정철") == ["ri", "jeongcheol"]
    assert person_name("김정은").tokens == ("gim", "jeongeun")
    assert person_name("Kim Jоng\u200bChol").tokens == ("kim", "jongchol")


def test_a_rough_date_of_birth_corroborates_a_distinctive_name_only_partly(index) -> None:
    entity = _entity("60001", ["MENDOZA GAYTAN, Gonzalo"], birth_dates=["1968~"])
    with_dob = SanctionsIndex([ListSnapshot("test", "v1", [*ENTITIES[:-4], entity])])
    hits = with_dob.match(Applicant(id="a", name="Gonzalo Mendoza Gaytan", date_of_birth="1969-07-02"))
    hit = next(h for h in hits if h.entity_id == "60001")
    assert hit.details["corroboration"] == "partial" and not hit.corroborated
    assert "date of birth agrees only roughly (1968~)" in hit.explanation


JOINED_SPELLINGS = [
    "Jongchol Ri", "Ri Jeongcheol", "Ri Jungchul", "SergeiLavrov", "Kimyong Chol", "Kim Yongcheol",
    "Abdulrahman Alhashimi", "Abdurahman Alhashimi", "Abdul Rahmanalhashimy", "Alhashimiabdulrahman",
    "Vladimirvladimirovich Putin", "Vladimir Vladimirovitch Putin", "Pak Jinhek", "Parkjin Hyok",
    "Mendozagaytan Gonzalo", "Mendosagaytan Gonzalo", "Mendozagaitan Gonzalo", "Latif Nusayyifjasim",
    "Nusayyif Jasim Aldulaymi", "Choe Kyongsong", "Choi Kyungsung", "Paek Changho", "Baek Chang Ho",
    "Vladimirvladimirovic Putin", "Vladimirvladimirowich Putin", "Sergei Lavrov", "Maria Kim",
]  # fmt: skip


def test_joined_forms_are_skipped_only_where_none_could_be_accepted() -> None:
    """names._joinable is a shortcut: where it says no joined form can reach JOINED_ACCEPT, comparing
    every joined form with token_similarity itself finds none either (a new special match scoring
    that high must be added to the shortcut)."""
    listed_names = [n.value for e in ENTITIES if e.type == PERSON for n in e.names]
    listed_names += ["AL HASHIMI, Abdul Rahman", "LAVROV, Sergei Viktorovich", "MENDOZAGAYTAN, Gonzalo"]
    accepted = 0
    for typed in JOINED_SPELLINGS:
        applicant = person_name(typed).tokens
        for listed in (person_name(value).tokens for value in listed_names):
            for mode in SyllableMode:
                joins = joined_accepted(applicant, listed, mode)
                assert names._joinable(applicant, listed, mode) or not joins, (typed, listed, mode)
                accepted += joins
    assert accepted >= 40  # the check covers joins of every kind, not only names that never join
