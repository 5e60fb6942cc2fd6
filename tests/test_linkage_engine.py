"""The Screener runs the red-flag checks, and with a Linker indexes and links each applicant."""

from __future__ import annotations

from screening.engine import Screener
from screening.linkage import Linker, MemoryLinkageStore
from screening.lists import load_demo
from screening.models import Applicant, Risk


def test_screener_links_each_applicant_to_earlier_ones_of_the_tenant():
    screener = Screener(load_demo(), linker=Linker(MemoryLinkageStore(), b"tenant-secret"))
    first = screener.screen(Applicant(id="a1", name="Kevin Li", phones=["+1 917 555 0101"]))
    second = screener.screen(Applicant(id="a2", name="Jason Wu", phones=["+1 917 555 0101"]))
    assert (first.risk, first.flags) == (Risk.CLEAR, [])
    assert second.risk == Risk.MEDIUM and second.needs_review
    assert second.reasons == ["shares phone +1 917… with 1 applicant under another name: a1"]


def test_screener_without_linker_still_checks_contact_data():
    result = Screener(load_demo()).screen(Applicant(id="a1", name="Jane Doe", emails=["jd@mailinator.com"]))
    assert (result.risk, result.reasons) == (Risk.LOW, ["uses a disposable e-mail domain: mailinator.com"])
