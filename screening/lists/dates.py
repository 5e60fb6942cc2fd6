"""Dates of birth as lists write them, turned into ISO-ish (EDTF-style) strings and back.

Forms: "1983-11-25", "1983-11", "1983", "1959~" (circa), "1960/1962" (between two dates),
"1979~/1982~" (circa a range).
"""

from __future__ import annotations

import re

MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?|about) (.+)$", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?) (?:to|-) (.+)$|^(\d{4})-(\d{4})$")
_ISO_YEAR = re.compile(r"^(\d{4})")


def _exact(text: str) -> str | None:
    if m := _DAY_MONTH_YEAR.match(text):
        month = MONTHS.get(m.group(2).lower())
        return f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}" if month else None
    if m := _MONTH_YEAR.match(text):
        month = MONTHS.get(m.group(1).lower())
        return f"{m.group(2)}-{month:02d}" if month else None
    if m := _YEAR.match(text):
        return m.group(1)
    return None


def normalise_date(text: str) -> str | None:
    """'25 Nov 1983' -> '1983-11-25'; 'Sep 1959' -> '1959-09'; 'circa 1959' -> '1959~';
    '1960 to 1962' -> '1960/1962'; 'circa 1979-1982' -> '1979~/1982~'. None when not a date."""
    text = " ".join(text.split()).rstrip(".")
    if m := _CIRCA.match(text):
        inner = normalise_date(m.group(1))
        return "/".join(f"{part}~" for part in inner.split("/")) if inner else None
    if m := _RANGE.match(text):
        start, end = _exact(m.group(1) or m.group(3)), _exact(m.group(2) or m.group(4))
        return f"{start}/{end}" if start and end else None
    return _exact(text)


def birth_year_range(value: str) -> tuple[int, int] | None:
    """The first and last year a normalised date allows: '1959~' -> (1958, 1960)."""
    if "/" in value:
        start, end = (birth_year_range(part) for part in value.split("/", 1))
        return (start[0], end[1]) if start and end else None
    m = _ISO_YEAR.match(value)
    if not m:
        return None
    year = int(m.group(1))
    return (year - 1, year + 1) if value.endswith("~") else (year, year)
