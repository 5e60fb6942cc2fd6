"""Line up the applicant's name with a listed name part by part, for the reviewer's side-by-side."""

from __future__ import annotations

import re

from anyascii import anyascii
from rapidfuzz import fuzz

_SPLIT = re.compile(r"[\s,\-]+")


def name_parts(name: str) -> list[str]:
    return [part for part in _SPLIT.split(name.strip()) if part]


def align_names(applicant_name: str, listed_name: str) -> list[tuple[str | None, str | None, int]]:
    """(listed part, applicant part, similarity 0-100) rows: each listed part with the applicant
    part most like it (compared in Latin letters, so other scripts line up too). Parts left over
    are paired in order, since the matcher already judged the names equivalent (RI ~ Lee is a
    romanisation, not a spelling likeness); any surplus gets None opposite."""
    listed, typed = name_parts(listed_name), name_parts(applicant_name)
    pairs = sorted(
        (
            (fuzz.ratio(anyascii(a).lower(), anyascii(b).lower()), i, j)
            for i, a in enumerate(listed)
            for j, b in enumerate(typed)
        ),
        reverse=True,
    )
    matched: dict[int, tuple[int, int]] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if i not in matched and j not in used and score >= 40:
            matched[i] = (j, round(score))
            used.add(j)
    spare = iter(j for j in range(len(typed)) if j not in used)
    for i in range(len(listed)):
        if i not in matched and (j := next(spare, None)) is not None:
            matched[i] = (j, round(fuzz.ratio(anyascii(listed[i]).lower(), anyascii(typed[j]).lower())))
            used.add(j)
    rows = [
        (part, typed[matched[i][0]] if i in matched else None, matched[i][1] if i in matched else 0)
        for i, part in enumerate(listed)
    ]
    rows.extend((None, part, 0) for j, part in enumerate(typed) if j not in used)
    return rows
