"""Dates of birth: a full date corroborates, a year, circa, range or 1 January only roughly."""

from __future__ import annotations

import pytest

from screening.matching.dates import DobAgreement, compare_birth_dates

AGREES, ROUGHLY, DISAGREES, UNKNOWN = (
    DobAgreement.AGREES,
    DobAgreement.ROUGHLY_AGREES,
    DobAgreement.DISAGREES,
    DobAgreement.UNKNOWN,
)


@pytest.mark.parametrize(
    ("applicant", "listed", "expected"),
    [
        ("1983-11-25", ["1983-11-25"], AGREES),
        ("25/11/1983", ["1983-11-25"], AGREES),
        ("1983-11-05", ["1983-05-11"], AGREES),  # day and month swapped by a US/EU date format
        ("1983-11-26", ["1983-11-25"], DISAGREES),
        ("1983-11-25", ["1983"], ROUGHLY),  # the list knows only the year
        ("1984-02-02", ["1983"], ROUGHLY),  # one year off a bare year is no contradiction
        ("1986-02-02", ["1983"], DISAGREES),
        ("1979-06-01", ["1979~"], ROUGHLY),  # circa
        ("1977-06-01", ["1976/1978"], ROUGHLY),  # several possible years
        ("1979-01-01", ["1979-01-01"], ROUGHLY),  # 1 January: how registries write an unknown day
        ("1983", ["1983-11-25"], ROUGHLY),  # the applicant gave only a year
        ("1983-11-25", ["1983-11"], ROUGHLY),
        ("1983-12-25", ["1983-11"], DISAGREES),
        ("1995-04-04", ["1959/1960", "1970", "1995-04-04"], AGREES),
        ("", ["1983"], UNKNOWN),
        ("1983-11-25", [], UNKNOWN),
    ],
)
def test_how_closely_a_date_of_birth_agrees(applicant, listed, expected) -> None:
    assert compare_birth_dates(applicant, listed) == expected
