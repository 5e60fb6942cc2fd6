"""Identity red flags: checks on one application, and links between applicants of a tenant.

`check_applicant(applicant)` runs the declarative single-application rules (see `rules.py` for
each weight and its reason). `assess(applicant, linker)` adds the links to earlier applicants.
Sanctions and advisories list matches are not here: the matcher reports them as SanctionsHits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screening.models import Applicant, Flag
from screening.redflags.documents import unreadable_attachments
from screening.redflags.rules import Rule, contact_rules

if TYPE_CHECKING:
    from screening.linkage import Linker

RULES: list[Rule] = contact_rules()


def check_applicant(applicant: Applicant, rules: list[Rule] = RULES) -> list[Flag]:
    return [flag for rule in rules if (flag := rule.check(applicant, rule)) is not None]


def assess(applicant: Applicant, linker: Linker | None = None) -> list[Flag]:
    """Every red flag of one applicant: its own contact data, and its links to the tenant's
    other applicants when a linker is given (the applicant is indexed first, so later
    applicants see it), and which attachments could not be read (never scored)."""
    flags = check_applicant(applicant) + unreadable_attachments(applicant)
    if linker is not None:
        flags += linker.flags(applicant, linker.index(applicant))
    return flags


__all__ = ["RULES", "Rule", "assess", "check_applicant"]
