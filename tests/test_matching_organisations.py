"""Employers against listed organisations: company forms fold, the distinctive word decides."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.matching.companies import company_name
from screening.matching.organisations import OrganisationIndex, OrgFrequencies, StoredOrgs, compare
from screening.models import Applicant, Entity, EntityType, ListedName, NameKind
from tests.matching_helpers import index_of

# Word counts as in a list where these generic words are on many names (as on the real SDN list).
GENERIC = OrgFrequencies(Counter({"trading": 700, "group": 480, "technology": 370, "star": 68, "golden": 34}))


def _score(employer: str, listed: str, frequencies: OrgFrequencies = GENERIC) -> float:
    return compare(company_name(employer), company_name(listed), frequencies).score


def _org(native_id: str, *names: str | tuple[str, NameKind]) -> Entity:
    listed = [ListedName(n) if isinstance(n, str) else ListedName(*n) for n in names]
    return Entity(list="test", native_id=native_id, type=EntityType.ENTITY, names=listed)


@pytest.mark.parametrize(
    ("employer", "listed"),
    [
        ("Siemens AG", "Siemens Aktiengesellschaft"),
        ("CRYSTALORD LIMITED", "CRYSTALORD LTD"),
        ("A.B.C. Company", "A.B.C. COMPANY"),
        ("abc co", "A.B.C. COMPANY"),
        ("Alis LLC", "LIMITED LIABILITY COMPANY ALIS"),
        ("ooo romashka", "ООО Ромашка"),
        ("Yanbian Silver Star Network Tech", "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD."),
        ("Golden Star", "GOLDEN STAR CO."),
        ("Huawei", "华为有限公司"),
    ],
)
def test_the_same_company_in_another_form_scores_100(employer, listed) -> None:
    assert _score(employer, listed) == 100


@pytest.mark.parametrize(
    ("employer", "listed"),
    [
        ("Golden Star Technology", "GOLDEN STAR CO."),  # only common words agree
        ("Digital Solutions Group", "RUSSIAN DIGITAL SOLUTIONS"),
        ("Amazon Web Services", "LLC VEB SERVICE"),
        ("KAIST", "KARST, OOO"),  # one letter apart in a short word is another word
        ("STC", "STC, LTD"),  # a bare acronym is shared by too many organisations
        ("NEC Corporation", "JSC NEC"),  # ... unless the same kind of company form comes with it
        ("Fortuna Entertainment Group", "FORTUNA LLC"),
    ],
)
def test_other_companies_stay_below_any_threshold(employer, listed) -> None:
    assert _score(employer, listed) < 80


def test_company_forms_in_any_script_and_digits() -> None:
    assert company_name("Siemens Aktiengesellschaft").forms == ("aktiengesellschaft",)
    assert company_name("PAO Sberbank Rossii").tokens == ("sberbank", "rossii")
    assert company_name("삼성전자 주식회사").tokens == company_name("삼성전자").tokens
    assert company_name("Unit 110").tokens == ("unit", "110")
    assert company_name("110th Research Center").tokens[0] == "110"
    assert company_name("KB Financial Group").tokens[0] == "kb"  # two letters in front are no form


def test_generic_words_weigh_less_than_distinctive_ones() -> None:
    frequencies = OrgFrequencies(Counter({"trading": 700, "chonsurim": 1}))
    assert frequencies.weight("trading") < 0.5 <= frequencies.weight("chonsurim") == 1.0
    assert not frequencies.distinctive("trading") and frequencies.distinctive("chonsurim")
    # "university" is on no listed name here, but on many real employers' (employer_words.txt)
    assert OrgFrequencies(Counter()).weight("university") < 0.5


def test_one_word_and_short_listed_names_are_hits_with_a_reason() -> None:
    index = index_of(
        [
            _org("1", "HAMAS"),
            _org("2", "HIZBALLAH"),
            _org("3", "LIMITED LIABILITY COMPANY ALIS", ("ALIS LLC", NameKind.AKA)),
            _org("5", "NOCTURNUM INC", ("CORTEZ", NameKind.WEAK)),
        ]
    )
    for employer, entity_id in [("Hamas", "1"), ("hizballah", "2"), ("Alis LLC", "3"), ("ALIS", "3")]:
        hits = index.match(Applicant(id="a", name="", employers=[employer]))
        assert [(h.entity_id, h.score) for h in hits] == [(entity_id, 100.0)], employer
    assert index.match(Applicant(id="a", name="", employers=["Cortez Ltd"])) == []  # one-word weak a.k.a.
    (hit,) = index.match(Applicant(id="a", name="", employers=["Alis LLC"]))
    assert (
        hit.explanation
        == "employer Alis LLC vs listed entity name LIMITED LIABILITY COMPANY ALIS: ALIS = ALIS, "
        "company forms set aside: LLC / LIMITED LIABILITY COMPANY"
    )


def test_organisation_index_reuses_frequencies_for_a_delta() -> None:
    full = OrganisationIndex()
    full.build(
        [(0, "CHONSURIM TRADING CORPORATION", "primary")]
        + [(i, f"X{i} TRADING", "primary") for i in range(1, 40)]
    )
    delta = OrganisationIndex()
    delta.build([(0, "CHONSURIM TRADING CORPORATION", "primary")], full.frequencies)
    assert delta.frequencies.weight("trading") == full.frequencies.weight("trading") < 1
    assert [c.name.owner for c in delta.search(company_name("Chonsurim Trading Corp."), 80)] == [0]
    assert delta.candidate_ids(company_name("Golden Trading")) == []


def test_employers_are_screened_against_organisations_only() -> None:
    person = Entity(
        list="test", native_id="p", type=EntityType.INDIVIDUAL, names=[ListedName("FORTUNA, Maria")]
    )
    index = index_of([person, _org("o", "FORTUNA LLC")])
    hits = index.match(Applicant(id="a", name="", employers=["Fortuna"]))
    assert [h.entity_id for h in hits] == ["o"]


def test_a_stored_state_restores_the_same_index() -> None:
    built = OrganisationIndex()
    built.build(
        [
            (0, "LIMITED LIABILITY COMPANY ALIS", "primary"),
            (0, "ALIS LLC", "aka"),
            (1, "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.", "primary"),
            (2, "CHONSURIM TRADING CORPORATION", "primary"),
        ]
    )
    restored = OrganisationIndex()
    restored.restore(built.state("organisations."), "organisations.")
    assert restored.frequencies.counts == built.frequencies.counts
    employers = [
        "Alis",
        "Yanbian Silver Star Network Tech",
        "Chonsurim Trading Corp",
        "Chonsurin Trading",
        "Golden Star",
    ]
    for employer in employers:
        form = company_name(employer)
        expected = [(c.name.owner, c.name.value, c.comparison.score) for c in built.search(form, 80)]
        assert [
            (c.name.owner, c.name.value, c.comparison.score) for c in restored.search(form, 80)
        ] == expected
    assert isinstance(restored.names, StoredOrgs) and restored.names[0].form == built.names[0].form
    assert restored.candidate_ids(company_name("Chonsurin Trading")) == [3]  # one letter off a long word
