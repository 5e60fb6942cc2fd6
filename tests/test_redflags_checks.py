"""Single-application checks: each case names the flag code and the sentence a recruiter reads."""

from __future__ import annotations

import pytest

from screening.models import Applicant, Severity
from screening.redflags import RULES, assess, check_applicant
from screening.redflags.names import handle_matches_name, same_identity


def _messages(applicant: Applicant) -> dict[str, str]:
    return {flag.code: flag.message for flag in check_applicant(applicant)}


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"emails": ["jane.doe@mailinator.com"]}, "disposable_email",
         "uses a disposable e-mail domain: mailinator.com"),
        ({"emails": ["jane.doe@@example.com"]}, "invalid_email",
         "e-mail address is not valid: jane.doe@@example.com "
         "(The part after the @-sign contains invalid characters: '@'.)"),
        ({"phones": ["+1 415 555 01"]}, "invalid_phone", "phone number is not a valid number: +1 415 555 01"),
        ({"phones": ["+44 56 0000 0000"]}, "voip_phone",
         "phone +44 560… is a VoIP (virtual) number in its numbering plan"),
        ({"phones": ["+49 30 901820"], "location": "Austin, TX"}, "phone_location_mismatch",
         "phone +49 309… is a DE number but the stated location is Austin, TX (US): "
         "confirm where the applicant is"),
        ({"emails": ["john.park@example.com"]}, "name_handle_mismatch",
         "name 'Jane Doe' does not appear in john.park@example.com: may be a nickname or a former name; "
         "check the applicant's identity"),
    ],
)  # fmt: skip
def test_each_check_says_what_it_found(fields, code, message):
    applicant = Applicant(id="a1", name="Jane Doe", **fields)
    assert _messages(applicant) == {code: message}


@pytest.mark.parametrize(
    "fields",
    [
        {"emails": ["Jane.Doe+jobs@gmail.com"], "phones": ["(512) 555-0188"], "location": "Austin, TX"},
        {"phones": ["+1 416 555 0199"], "location": "Seattle, WA"},  # Canada/US share +1: no mismatch
        {"emails": ["jdoe1990@outlook.com"]},  # initials and digits: nothing to say
        {"emails": ["coolcoder@proton.me"], "urls": ["https://github.com/janed"]},
        {
            "emails": ["janie.smith@example.com", "jane.doe@example.com"]
        },  # married name beside the current one
        {"phones": ["+49 30 901820"], "location": "Remote"},  # unknown location: no comparison
    ],
)
def test_ordinary_applicants_raise_nothing(fields):
    assert check_applicant(Applicant(id="a1", name="Jane Doe", **fields)) == []


def test_every_rule_is_weighted_low_and_documented():
    assert {rule.severity for rule in RULES} == {Severity.LOW}
    assert all(rule.why and 0 < rule.score < 40 for rule in RULES)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Jon Smith", "Jonathan Smith", True),
        ("Smith, Jonathan", "Jon Smith", True),
        ("Bob Miller", "Robert Miller", True),
        ("Kim Min-jun", "Minjun Kim", True),
        ("J. Smith", "John Smith", True),
        ("Jane Smith", "John Smith", False),
        ("Mary Jones", "John Smith", False),
        ("", "John Smith", False),
    ],
)
def test_same_identity(a, b, same):
    assert same_identity(a, b) is same


@pytest.mark.parametrize(
    ("handle", "name", "expected"),
    [
        ("minjun.kim", "김민준", True),  # Hangul name, romanised handle
        ("ivan.petrov", "Иван Петров", True),
        ("bob.miller", "Robert Miller", True),
        ("john.park", "Jane Doe", False),
        ("dev4life99", "Jane Doe", None),
    ],
)
def test_handle_matches_name_across_scripts(handle, name, expected):
    assert handle_matches_name(handle, name) is expected


def test_assess_without_linker_is_the_contact_checks():
    applicant = Applicant(id="a1", name="Jane Doe", emails=["x@mailinator.com"])
    assert [f.code for f in assess(applicant)] == ["disposable_email"]
