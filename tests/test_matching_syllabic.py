"""Korean and Chinese names are compared syllable by syllable; names that merely have their shape
("Hakki Sanli", "Yahya Hammam", "Thura Lwin") are compared like any other name."""

from __future__ import annotations

import pytest

from screening.matching import SanctionsIndex
from screening.matching.syllabic import (
    NameShape,
    SyllableMode,
    cut_between_syllables,
    name_shape,
    real_syllables,
    syllable_mode,
)
from screening.models import Applicant
from tests.matching_helpers import index_of, person

# Real SDN rows.
ENTITIES = [
    person("36030", "SANLI, Hakki Selcuk"),
    person("15801", "HAMMAM, Yahya Abu"),
    person("24809", "LWIN, Thura San"),
    person("27208", "SIM, Kwang Sok"),
    person("30511", "WANG, Dongming"),
    person("45720", "LIN, Jinghe"),
    person("1001", "TANG, Ping-keung"),
    person("1002", "KHUN, Saeng"),
    person("18668", "RI, Jong Chol"),
    person("23279", "GAO, Yan"),
    person("45349", "WANG, Jiantong"),
    person("2001", "KIM, Sang Man"),
    person("26927", "HUANG, Wang-gen"),
]


@pytest.fixture(scope="module")
def index() -> SanctionsIndex:
    return index_of(ENTITIES)


@pytest.mark.parametrize(
    ("tokens", "shape"),
    [
        (("hakki", "sanli"), NameShape.SYLLABLES),
        (("thura", "lwin", "san"), NameShape.SYLLABLES),
        (("kwang", "sim"), NameShape.EAST_ASIAN),  # 심
        (("lee", "jeongcheol"), NameShape.EAST_ASIAN),
        (("hong", "zhang"), NameShape.EAST_ASIAN),  # pinyin
        (("mustafa", "khan"), NameShape.OTHER),
    ],
)
def test_name_shape(tokens, shape) -> None:
    assert name_shape(tokens) == shape


def test_only_a_korean_or_chinese_name_is_compared_syllable_by_syllable() -> None:
    assert syllable_mode(NameShape.EAST_ASIAN, NameShape.SYLLABLES, "latin") == SyllableMode.SPELLED
    assert syllable_mode(NameShape.SYLLABLES, NameShape.SYLLABLES, "latin") == SyllableMode.OFF
    assert syllable_mode(NameShape.EAST_ASIAN, NameShape.OTHER, "latin") == SyllableMode.OFF
    # Cyrillic spells 상 and 산 alike ("Сан"): compared as syllables, but San may be Sang.
    assert syllable_mode(NameShape.EAST_ASIAN, NameShape.EAST_ASIAN, "cyrillic") == SyllableMode.SOUNDS


def test_a_korean_name_in_cyrillic_may_merge_syllables_latin_keeps_apart(index) -> None:
    assert [h.entity_id for h in index.match(Applicant(id="a", name="Ким Сан Ман"))] == ["2001"]
    assert index.match(Applicant(id="a", name="Kim San Man")) == []  # 산 is not 상


def test_a_cut_on_a_syllable_boundary_is_another_name() -> None:
    assert cut_between_syllables("jing", "jinghe")
    assert cut_between_syllables("kwang", "kwang-il")
    assert cut_between_syllables("huan", "huang")
    assert not cut_between_syllables("dongmi", "dongming")


def test_real_syllables_are_told_from_typos() -> None:
    assert all(real_syllables(t) for t in ("yan", "yang", "guiying", "chol", "jeongcheol"))
    assert not any(real_syllables(t) for t in ("wag", "col", "yingjir"))


@pytest.mark.parametrize(
    ("typed", "entity_id"),
    [
        ("Hakki Sanli", "36030"),  # a middle name left out, as for any Turkish name
        ("Yahya Hammam", "15801"),
        ("Thura Lwin", "24809"),
        ("Dongmi Wang", "30511"),  # cut inside a syllable: a truncated field
        ("Jeong-cheol Lee", "18668"),  # Korean romanisation still agrees
        ("Jiantong Wag", "45349"),  # a typo that is no syllable is a typo
    ],
)
def test_names_of_korean_shape_that_are_not_korean_match_like_others(index, typed, entity_id) -> None:
    assert [h.entity_id for h in index.match(Applicant(id="a", name=typed))] == [entity_id]


@pytest.mark.parametrize(
    "typed",
    [
        "Kwang Sim",  # 심광석 without 석 is another person
        "Ping Tang",  # nor is Ping Tang the listed Tang Ping-keung
        "Jing Lin",  # 靖 of 靖和: a whole syllable, not a cut
        "Jingyi Lin",  # sounds a little like Jinghe: different syllables
        "Sang-hun Gang",  # a Korean name is not KHUN Saeng by sound
        "Yang Gao",  # Yang and Yan are both syllables: another name, not a typo
        "Huan Wang",  # nor is Huan a truncated Huang
    ],
)
def test_korean_and_chinese_names_have_no_optional_syllables(index, typed) -> None:
    assert index.match(Applicant(id="a", name=typed)) == []
