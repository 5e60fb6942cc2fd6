"""Matching against the real OFAC SDN + UN lists in ../shared/data (index built once)."""

from __future__ import annotations

import json

import pytest

from screening.engine import Screener
from screening.models import Applicant, MatchedOn, Risk

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def screener(shared_data) -> Screener:
    from screening.lists import load_directory

    return Screener(load_directory(shared_data))


def _hits(screener, **fields):
    return screener.index.match(Applicant(id="t", **fields))


@pytest.mark.parametrize(
    ("typed", "entity_id", "explained"),
    [
        ("Park Jin-hyuk", "24918", "HYOK ≈ HYUK (Korean romanisation)"),  # Lazarus Group programmer
        # Either name of the entry explains it: PARK, Jin Hyok or its a.k.a. PAK, Ch'in-hyo'k (Chin is
        # the McCune-Reischauer spelling of the syllable Revised Romanisation writes Jin).
        ("Pak Jinhyeok", "24918", "HYOK ≈ JINHYEOK"),
        ("Jang Yong-seon", "17615", "SON ≈ SEON (Korean romanisation)"),
        ("박진혁", "24918", "(Korean romanisation)"),
    ],
)
def test_dprk_sdn_people_are_found_from_revised_romanisation(screener, typed, entity_id, explained) -> None:
    hits = [h for h in _hits(screener, name=typed) if h.list == "ofac_sdn"]
    assert hits and hits[0].entity_id == entity_id
    assert explained in hits[0].explanation
    assert any(p.startswith("DPRK") or p == "CYBER2" for p in hits[0].programs)


def test_date_of_birth_picks_the_right_namesake(screener) -> None:
    hits = _hits(screener, name="Kim Yong-chul", date_of_birth="1962-02-18")
    corroborated = {(h.list, h.entity_id) for h in hits if h.corroborated}
    assert ("ofac_sdn", "17614") in corroborated
    assert all(h.contradicted for h in hits if (h.list, h.entity_id) == ("ofac_sdn", "12211"))


def test_front_company_employer_is_found_and_plain_words_are_not(screener) -> None:
    hits = _hits(screener, name="Daniel Kim", employers=["Yanbian Silver Star Network Tech"])
    assert ("ofac_sdn", "24977", MatchedOn.EMPLOYER) in {(h.list, h.entity_id, h.matched_on) for h in hits}
    assert _hits(screener, name="Jane Doe", employers=["Network Technology Co., Ltd.", "Google LLC"]) == []


def test_listed_website_and_wallet_make_the_verdict_critical(screener) -> None:
    applicant = Applicant(
        id="t",
        name="Alex Morgan",
        urls=["https://sovershopp.online/portfolio"],
        resume_text="payouts to 0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
    )
    result = screener.screen(applicant)
    assert result.risk == Risk.CRITICAL
    kinds = {(h.entity_name, h.matched_on) for h in result.sanctions_hits}
    assert ("KIMSUKY", MatchedOn.WEBSITE) in kinds
    assert ("LAZARUS GROUP", MatchedOn.CRYPTO_ADDRESS) in kinds
    assert set(result.lists) >= {"ofac_sdn", "un"}


@pytest.mark.parametrize(
    "typed", ["Kim Min-jun", "Xiaoling Zhou", "Emily Carter", "Maria Garcia", "Olena Kovalenko"]
)
def test_ordinary_names_stay_clear(screener, typed) -> None:
    assert screener.screen(Applicant(id="t", name=typed)).risk == Risk.CLEAR


def test_an_exact_common_name_is_only_a_potential_match_for_review(screener) -> None:
    result = screener.screen(Applicant(id="t", name="Wei Zhang"))
    assert result.risk != Risk.CRITICAL and result.needs_review
    assert not any(h.corroborated for h in result.sanctions_hits)


def test_joined_forms_are_skipped_only_where_none_join_on_names_dev(screener, shared_data) -> None:
    """names._joinable against every joined form compared (tests/test_matching_names.py), on the
    listed names the blocking index puts forward for every 25th names-dev query."""
    from itertools import islice

    from screening.matching import names
    from screening.matching.syllabic import name_shape, syllable_mode
    from screening.matching.text import person_name
    from tests.matching_helpers import joined_accepted

    queries = shared_data.parent / "bench" / "names-dev.jsonl"
    if not queries.exists():
        pytest.skip(f"names dev set not found at {queries}")
    people = screener.index.people
    checked = accepted = 0
    with queries.open(encoding="utf-8") as lines:
        for line in islice(lines, 0, None, 25):
            form = person_name(json.loads(line)["query"])
            for name in (people.names[i] for i in people.candidate_ids(form)):
                mode = syllable_mode(name_shape(form.tokens), name.shape, form.script)
                joins = joined_accepted(form.tokens, name.form.tokens, mode)
                assert names._joinable(form.tokens, name.form.tokens, mode) or not joins, (form, name.value)
                checked, accepted = checked + 1, accepted + joins
    assert checked > 2000 and accepted > 20
