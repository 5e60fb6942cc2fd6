"""Dates of birth as corroboration: an agreeing one raises a name match, a different one lowers it."""

from __future__ import annotations

import re
from enum import StrEnum

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_TEXT = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
YEAR_TOLERANCE = 1  # lists often give "circa"; a one-year slip is not a contradiction


class DobAgreement(StrEnum):
    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNKNOWN = "unknown"


def parse_date(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) from ISO, DD/MM/YYYY, "25 Nov 1983", "Sep 1959" or a bare year."""
    text = (value or "").strip()
    if match := _ISO.match(text):
        year, month, day = match.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    if match := _DAY_FIRST.match(text):
        day, month, year = match.groups()
        return int(year), int(month), int(day)
    if (match := _TEXT.search(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = match.groups()
        return int(year), _MONTHS[month.lower()], int(day) if day else None
    if match := _YEAR.search(text):
        return int(match.group(1)), None, None
    return None


def compare_birth_dates(applicant_dob: str | None, listed: list[str]) -> DobAgreement:
    """AGREES if any listed date fits the applicant's; DISAGREES only if every listed one differs."""
    mine = parse_date(applicant_dob or "")
    theirs = [d for d in (parse_date(v) for v in listed) if d]
    if not mine or not theirs:
        return DobAgreement.UNKNOWN
    if any(_fits(mine, other) for other in theirs):
        return DobAgreement.AGREES
    return DobAgreement.DISAGREES


def _fits(mine: tuple, other: tuple) -> bool:
    (year, month, day), (o_year, o_month, o_day) = mine, other
    if o_month is None:
        return abs(year - o_year) <= YEAR_TOLERANCE
    if year != o_year:
        return False
    if month is None or o_month is None:
        return True
    if (month, day) == (o_month, o_day) or o_day is None or day is None:
        return month == o_month or (day, month) == (o_month, o_day)
    return (day, month) == (o_month, o_day)  # day and month swapped by a US/EU date format
