"""The verdict: risk levels, scores and reasons from hits and flags; and the fairness guard."""

from __future__ import annotations

import dataclasses

import pytest

from screening.linkage import Linker, MemoryLinkageStore
from screening.models import Applicant, Flag, MatchedOn, Risk, SanctionsHit, Severity
from screening.redflags import assess
from screening.verdict import VerdictConfig, decide

EXPLANATION = "name 'Kim Sangman' ~ 'KIM, Sang Man'"
CONTACT = ("disposable_email", "invalid_phone", "voip_phone", "name_handle_mismatch")


def hit(
    list_="ofac_sdn", matched_on=MatchedOn.NAME, corroborated=False, contradicted=False, score=92.0
) -> SanctionsHit:
    return SanctionsHit(
        list=list_,
        entity_id="31337",
        entity_name="KIM, Sang Man",
        matched_name="KIM, Sang Man",
        matched_on=matched_on,
        score=score,
        programs=["DPRK4"],
        explanation=EXPLANATION,
        corroborated=corroborated,
        contradicted=contradicted,
    )


def flag(code: str, score: float) -> Flag:
    return Flag(code=code, severity=Severity.LOW, message=f"{code} message", score=score)


@pytest.mark.parametrize(
    ("hits", "flags", "risk", "score", "first_reason"),
    [
        ([], [], Risk.CLEAR, 0.0, None),
        ([hit()], [], Risk.MEDIUM, 45.0,
         "potential match: review (ofac_sdn: KIM, Sang Man [DPRK4]): name 'Kim Sangman' ~ 'KIM, Sang Man'"),
        ([hit(contradicted=True)], [], Risk.MEDIUM, 45.0,
         "potential match: review (ofac_sdn: KIM, Sang Man [DPRK4]) (date of birth or other data disagrees): "
         "name 'Kim Sangman' ~ 'KIM, Sang Man'"),
        ([hit(corroborated=True)], [], Risk.CRITICAL, 100.0,
         "sanctions match (ofac_sdn: KIM, Sang Man [DPRK4]): name 'Kim Sangman' ~ 'KIM, Sang Man'"),
        ([hit(matched_on=MatchedOn.CRYPTO_ADDRESS)], [], Risk.CRITICAL, 100.0,
         "sanctions match (ofac_sdn: KIM, Sang Man [DPRK4]): name 'Kim Sangman' ~ 'KIM, Sang Man'"),
        ([hit("advisories", MatchedOn.EMPLOYER)], [], Risk.HIGH, 75.0,
         "past employer is listed (advisories: KIM, Sang Man [DPRK4]): " + EXPLANATION),
        # a listed front company as past employer is high on a legal list too, never critical
        ([hit("ofac_sdn", MatchedOn.EMPLOYER, score=100.0)], [], Risk.HIGH, 75.0,
         "past employer is listed (ofac_sdn: KIM, Sang Man [DPRK4]): " + EXPLANATION),
        # ... but a fuzzy employer match there is a potential match: company names are generic
        ([hit("ofac_sdn", MatchedOn.EMPLOYER)], [], Risk.MEDIUM, 45.0,
         "potential match: review (ofac_sdn: KIM, Sang Man [DPRK4]): " + EXPLANATION),
        # two namesakes are no likelier than one: name-only matches do not add up
        ([hit(), hit("un")], [], Risk.MEDIUM, 45.0,
         "potential match: review (ofac_sdn: KIM, Sang Man [DPRK4]): " + EXPLANATION),
        ([hit()], [flag("shared_phone", 45)], Risk.HIGH, 90.0,
         "potential match: review (ofac_sdn: KIM, Sang Man [DPRK4]): " + EXPLANATION),
        ([hit("advisories")], [], Risk.MEDIUM, 45.0,
         "potential match: review (watchlist, not a sanctions list (advisories: KIM, Sang Man [DPRK4])): "
         "name 'Kim Sangman' ~ 'KIM, Sang Man'"),
        ([], [flag("disposable_email", 15)], Risk.LOW, 15.0, "disposable_email message"),
        # every contact check at once stays low: capped below medium
        ([], [flag(c, 15) for c in CONTACT],
         Risk.LOW, 35.0, "disposable_email message"),
        ([], [flag("shared_phone", 45)], Risk.MEDIUM, 45.0, "shared_phone message"),
        ([], [flag("shared_phone", 45), flag("similar_resume", 45)], Risk.HIGH, 90.0, "shared_phone message"),
        ([], [flag("shared_address", 10)], Risk.CLEAR, 10.0, "shared_address message"),
        # many strong flags never make critical without a sanctions match
        ([], [flag("shared_phone", 90), flag("shared_email", 90)], Risk.HIGH, 100.0, "shared_phone message"),
    ],
)  # fmt: skip
def test_decide(hits, flags, risk, score, first_reason):
    verdict = decide(hits, flags)
    assert (verdict.risk, verdict.score) == (risk, score)
    assert (verdict.reasons[0] if verdict.reasons else None) == first_reason
    assert verdict.needs_review is (risk.rank >= Risk.MEDIUM.rank)


def test_thresholds_are_configurable():
    strict = VerdictConfig(medium=10.0)
    assert decide([], [flag("disposable_email", 15)], strict).risk == Risk.MEDIUM


RING_PHONE = "+82 10 5555 0123"


def _verdict(applicant: Applicant):
    linker = Linker(MemoryLinkageStore(), b"tenant-secret")
    linker.index(Applicant(id="other", name="Park Jiwoo", phones=[RING_PHONE], location="Seoul"))
    return decide([], assess(applicant, linker))


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"name": "김민준"},  # Hangul
        {"name": "Ким Минджун"},  # Cyrillic
        {"name": "金敏俊"},  # Hanja
        {"country": "KP"},
        {"country": "United States"},
        {"country": "Iran"},
        {"cover_letter": "저는 백엔드 개발자입니다. " * 40},  # written in Korean
        {"cover_letter": "Je suis développeur backend. " * 40},
    ],
)
def test_fairness_country_script_and_language_never_change_the_verdict(variant):
    base = Applicant(id="a1", name="Kim Minjun", phones=[RING_PHONE], emails=["minjun.kim@example.com"],
                     location="Seoul", cover_letter="I am a backend developer. " * 40)  # fmt: skip
    expected = _verdict(base)
    got = _verdict(dataclasses.replace(base, **variant))
    assert (got.risk, got.score) == (expected.risk, expected.score) == (Risk.MEDIUM, 45.0)
    assert got.reasons == ["shares phone +82 105… with 1 applicant under another name: other"]


def _with(details: dict, **fields) -> SanctionsHit:
    return dataclasses.replace(hit(**fields), details=details)


@pytest.mark.parametrize(
    ("details", "fields", "risk"),
    [
        # a weak a.k.a. never makes critical or high on its own, whatever the date of birth says
        ({"name_kind": "weak", "corroboration": "full"}, {"corroborated": True}, Risk.MEDIUM),
        ({"name_kind": "weak"}, {"matched_on": MatchedOn.EMPLOYER, "score": 100.0}, Risk.MEDIUM),
        ({"name_kind": "weak"}, {"list_": "advisories", "matched_on": MatchedOn.EMPLOYER}, Risk.MEDIUM),
        # ... but a listed identifier is exact evidence whatever the name
        ({"name_kind": "weak"}, {"matched_on": MatchedOn.EMAIL, "corroborated": True}, Risk.CRITICAL),
        # a date of birth that agrees only roughly (year, circa, several years): high, not critical
        ({"name_kind": "primary", "corroboration": "partial"}, {}, Risk.HIGH),
        ({"name_kind": "primary", "corroboration": "partial"}, {"contradicted": True}, Risk.MEDIUM),
        ({"name_kind": "primary", "corroboration": "full"}, {"corroborated": True}, Risk.CRITICAL),
        # a common name the date alone lifted over the threshold carries no corroboration: medium
        ({"name_kind": "primary", "corroboration": ""}, {}, Risk.MEDIUM),
    ],
)
def test_weak_aliases_and_rough_dates_corroborate_less(details, fields, risk):
    verdict = decide([_with(details, **fields)], [])
    assert verdict.risk == risk
    if details.get("name_kind") == "weak" and risk == Risk.MEDIUM:
        assert "weak a.k.a." in verdict.reasons[0] or fields.get("matched_on") == MatchedOn.EMPLOYER
