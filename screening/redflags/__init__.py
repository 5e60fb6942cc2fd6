"""Identity red flags: checks on one application, and links between applicants of a tenant.

`check_applicant(applicant)` runs the declarative single-application rules (see `rules.py` for
each weight and its reason). `assess(applicant, linker)` adds the links to earlier applicants.
Sanctions and advisories list matches are not here: the matcher reports them as SanctionsHits.
"""

from __future__ import annotations

from screening.models import Applicant, Flag
from screening.redflags.rules import Rule, contact_rules

RULES: list[Rule] = contact_rules()


def check_applicant(applicant: Applicant, rules: list[Rule] = RULES) -> list[Flag]:
    return [flag for rule in rules if (flag := rule.check(applicant, rule)) is not None]


__all__ = ["RULES", "Rule", "check_applicant"]
