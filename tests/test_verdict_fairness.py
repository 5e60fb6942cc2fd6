"""Fairness through the whole engine: the script a name is written in, the stated country and the
language of the texts never change the verdict (name matching, red flags and links together)."""

from __future__ import annotations

import dataclasses

import pytest

from screening.engine import Screener
from screening.linkage import Linker, MemoryLinkageStore
from screening.lists import load_advisories
from screening.models import Applicant


@pytest.fixture(scope="module")
def advisories():
    return [load_advisories()]


def _screen(snapshots, applicant: Applicant):
    screener = Screener(snapshots, linker=Linker(MemoryLinkageStore(), b"tenant"))
    screener.screen(Applicant(id="other", name="Lee Soyeon", phones=["+82 10 5555 0123"]))
    return screener.screen(applicant)


@pytest.mark.parametrize(
    ("latin", "other_script"),
    [
        ("Kim Sang Man", "김상만"),  # listed (advisories): a potential match in both scripts
        ("Jong Song Hwa", "정성화"),
        ("Kim Minjun", "김민준"),  # not listed: clear in both
        ("Park Jiwoo", "박지우"),
        ("Wang Xiaoming", "王小明"),
        ("Kim Sang Man", "Ким Сан Ман"),
    ],
)  # fmt: skip
def test_same_verdict_whatever_the_script(advisories, latin, other_script):
    base = Applicant(id="a1", name=latin, phones=["+82 10 5555 0123"], location="Seoul")
    one = _screen(advisories, base)
    other = _screen(advisories, dataclasses.replace(base, name=other_script))
    assert (one.risk, one.score) == (other.risk, other.score)
    assert any("shares phone +82 105…" in reason for reason in one.reasons)


@pytest.mark.parametrize(
    "variant",
    [{"country": "KP"}, {"country": "CN"}, {"country": "US"}, {"cover_letter": "저는 개발자입니다. " * 40}],
)
def test_country_and_language_never_change_the_verdict(advisories, variant):
    base = Applicant(id="a1", name="Kim Sang Man", phones=["+82 10 5555 0123"], location="Seoul",
                     cover_letter="I am a developer. " * 40)  # fmt: skip
    expected = _screen(advisories, base)
    got = _screen(advisories, dataclasses.replace(base, **variant))
    assert (got.risk, got.score, got.reasons) == (expected.risk, expected.score, expected.reasons)
