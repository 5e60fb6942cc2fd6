"""Dates of birth as corroboration: how closely the applicant's agrees with the listed ones.

A full listed date the applicant's equals (day, month and year) corroborates a name match. A
listed date known only to the year or month, given "circa", as several possible years or a
range, or written as 1 January (how many registries record an unknown day) agrees only roughly:
many people share a birth year, so it corroborates less. A date that fits none of the listed ones
contradicts the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(~)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_TEXT = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
YEAR_TOLERANCE = 1  # a rough date one year off is no contradiction: lists often mean "about"


class DobAgreement(StrEnum):
    AGREES = "agrees"  # the same full date
    ROUGHLY_AGREES = "agrees only roughly"  # the same year (or month), a circa date, a range
    DISAGREES = "disagrees"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A date, or a span of years, and whether it names a day."""

    first_year: int
    last_year: int
    month: int | None = None
    day: int | None = None
    circa: bool = False

    @property
    def full(self) -> bool:
        """A specific day: not a year or month, not "circa", not a range, not 1 January."""
        return (
            self.day is not None
            and not self.circa
            and self.first_year == self.last_year
            and (self.month, self.day) != (1, 1)
        )


def parse_date(value: str) -> BirthDate | None:
    """From ISO or EDTF ("1983-11-25", "1959~", "1960/1962"), DD/MM/YYYY, "25 Nov 1983",
    "Sep 1959" or a bare year."""
    text = (value or "").strip()
    if "/" in text and not _DAY_FIRST.match(text):
        ends = [parse_date(part) for part in text.split("/", 1)]
        if all(ends):
            first, last = ends
            if (first.first_year, first.month, first.day) == (last.first_year, last.month, last.day):
                return first
            return BirthDate(first.first_year, last.last_year, circa=first.circa or last.circa)
    if match := _ISO.match(text):
        year, month, day, circa = match.groups()
        return BirthDate(int(year), int(year), _int(month), _int(day), circa=bool(circa))
    if match := _DAY_FIRST.match(text):
        day, month, year = match.groups()
        return BirthDate(int(year), int(year), int(month), int(day))
    if (match := _TEXT.search(text)) and match.group(2).lower() in _MONTHS:
        day, month, year = match.groups()
        return BirthDate(int(year), int(year), _MONTHS[month.lower()], _int(day))
    if match := _YEAR.search(text):
        return BirthDate(int(match.group(1)), int(match.group(1)))
    return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def compare_birth_dates(applicant_dob: str | None, listed: list[str]) -> DobAgreement:
    """AGREES when a full listed date is the applicant's; ROUGHLY_AGREES when a listed date fits
    only by year or month; DISAGREES only if every listed date differs."""
    mine = parse_date(applicant_dob or "")
    theirs = [d for d in (parse_date(v) for v in listed) if d]
    if not mine or not theirs:
        return DobAgreement.UNKNOWN
    fits = [_fit(mine, other) for other in theirs]
    if DobAgreement.AGREES in fits:
        return DobAgreement.AGREES
    if DobAgreement.ROUGHLY_AGREES in fits:
        return DobAgreement.ROUGHLY_AGREES
    return DobAgreement.DISAGREES


def _fit(mine: BirthDate, other: BirthDate) -> DobAgreement:
    year = mine.first_year
    if other.day is None or other.circa or other.first_year != other.last_year:
        # a year, a month, "circa" or a span: one year off is no contradiction
        if not other.first_year - YEAR_TOLERANCE <= year <= other.last_year + YEAR_TOLERANCE:
            return DobAgreement.DISAGREES
        if other.month and mine.month and other.first_year == year and not _same_month(mine, other):
            return DobAgreement.DISAGREES
        return DobAgreement.ROUGHLY_AGREES
    if year != other.first_year:
        return DobAgreement.DISAGREES
    if mine.month is None:
        return DobAgreement.ROUGHLY_AGREES  # the applicant gave only a year
    same_day = (mine.month, mine.day) == (other.month, other.day)
    swapped = (mine.day, mine.month) == (other.month, other.day)  # a US/EU day-month swap
    if mine.day is None:
        return (
            DobAgreement.ROUGHLY_AGREES if mine.month in (other.month, other.day) else DobAgreement.DISAGREES
        )
    if not (same_day or swapped):
        return DobAgreement.DISAGREES
    return DobAgreement.AGREES if other.full else DobAgreement.ROUGHLY_AGREES


def _same_month(mine: BirthDate, other: BirthDate) -> bool:
    return mine.month == other.month or mine.day == other.month  # a day-month swap
