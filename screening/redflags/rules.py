"""The declarative list of single-application checks, with the weight of each and why.

A check is a pure function `(applicant, rule) -> Flag | None`; the rule gives it its code,
severity and score so that every weight lives in this one table. None of these checks looks at
nationality, citizenship, name origin or language; the stated location is only compared with
the phone number's country, and a difference is a consistency question, not a score on where
someone is from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from screening.models import Applicant, Flag, Severity
from screening.redflags import contact


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: Severity
    score: float
    why: str  # the reason for this weight, shown in docs and kept next to the number
    check: Callable[[Applicant, Rule], Flag | None]

    def flag(self, message: str, **evidence) -> Flag:
        return Flag(
            code=self.code, severity=self.severity, message=message, evidence=evidence, score=self.score
        )


def contact_rules() -> list[Rule]:
    return [
        Rule("disposable_email", Severity.LOW, 15,
             "Throwaway mailboxes fit the 'no digital footprint' red flag (I3), but DPRK personas mostly "
             "use mainstream webmail and privacy-minded people use them too: low.",
             contact.disposable_email),
        Rule("invalid_email", Severity.LOW, 10,
             "An address that cannot exist is bad contact data (advisory: 'incorrect contact information'); "
             "typos are common: low.",
             contact.invalid_email),
        Rule("invalid_phone", Severity.LOW, 10,
             "A number that is not valid in its numbering plan: incorrect contact data, often a typo: low.",
             contact.invalid_phone),
        Rule("voip_phone", Severity.LOW, 15,
             "Virtual numbers (I1) are named in case reporting, but many people use them; the numbering "
             "plan only says VoIP outside North America (NANP needs a carrier lookup): low.",
             contact.voip_phone),
        Rule("phone_location_mismatch", Severity.LOW, 10,
             "Phone country differs from the stated location (I2); people move and keep numbers: low, "
             "a question to ask, never a score on nationality.",
             contact.phone_location_mismatch),
        Rule("name_handle_mismatch", Severity.LOW, 10,
             "E-mail or profile handle spells another person's name (I4); nicknames, married names and "
             "transliteration make this noisy: low, and never enough alone for more than low.",
             contact.name_handle_mismatch),
    ]  # fmt: skip
