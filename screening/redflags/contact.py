"""Checks on one application's contact data. Pure: no network (no DNS, no carrier lookups)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import phonenumbers
from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from email_validator import EmailNotValidError, validate_email

from screening.identifiers import (
    email_domain,
    email_local_part,
    mask_phone,
    parse_phone,
    profile_handle,
    region_for_location,
)
from screening.models import Applicant, Flag
from screening.redflags.names import handle_matches_name

if TYPE_CHECKING:
    from screening.redflags.rules import Rule


def _emails(applicant: Applicant) -> list[str]:
    return [e.strip() for e in applicant.emails if e and e.strip()]


def disposable_email(applicant: Applicant, rule: Rule) -> Flag | None:
    domains = sorted({d for e in _emails(applicant) if (d := email_domain(e)) in DISPOSABLE_DOMAINS})
    if not domains:
        return None
    return rule.flag(f"uses a disposable e-mail domain: {', '.join(domains)}", domains=domains)


def invalid_email(applicant: Applicant, rule: Rule) -> Flag | None:
    problems = {}
    for email in _emails(applicant):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as exc:
            problems[email] = str(exc)
    if not problems:
        return None
    shown = "; ".join(f"{email} ({reason})" for email, reason in problems.items())
    return rule.flag(
        f"e-mail address is not valid: {shown}", emails=list(problems), reasons=list(problems.values())
    )


def _phones(applicant: Applicant) -> list[tuple[str, phonenumbers.PhoneNumber | None]]:
    region = region_for_location(applicant.location)
    return [(raw, parse_phone(raw, region)) for raw in applicant.phones if raw and raw.strip()]


def invalid_phone(applicant: Applicant, rule: Rule) -> Flag | None:
    bad = [
        raw
        for raw, number in _phones(applicant)
        if number is None or not phonenumbers.is_valid_number(number)
    ]
    if not bad:
        return None
    return rule.flag(f"phone number is not a valid number: {', '.join(bad)}", phones=bad)


def voip_phone(applicant: Applicant, rule: Rule) -> Flag | None:
    voip = [
        _e164(number)
        for _, number in _phones(applicant)
        if number is not None and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.VOIP
    ]
    if not voip:
        return None
    masked = ", ".join(mask_phone(n) for n in voip)
    return rule.flag(f"phone {masked} is a VoIP (virtual) number in its numbering plan", phones=voip)


def phone_location_mismatch(applicant: Applicant, rule: Rule) -> Flag | None:
    stated = region_for_location(applicant.location)
    if not stated:
        return None
    for _, number in _phones(applicant):
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        phone_region = phonenumbers.region_code_for_number(number)
        if phone_region and phone_region != stated and not _same_plan(phone_region, stated):
            return rule.flag(
                f"phone {mask_phone(_e164(number))} is a {phone_region} number but the stated location is "
                f"{applicant.location} ({stated}): confirm where the applicant is",
                phone_region=phone_region,
                stated_region=stated,
            )
    return None


def _same_plan(region_a: str, region_b: str) -> bool:
    """US and Canada share +1 and people cross the border with their numbers."""
    return {region_a, region_b} <= {"US", "CA"}


def name_handle_mismatch(applicant: Applicant, rule: Rule) -> Flag | None:
    name = applicant.full_name
    handles = [(e, email_local_part(e)) for e in _emails(applicant)]
    handles += [(f"{site}:{handle}", handle) for url in applicant.urls if (found := profile_handle(url))
                for site, handle in [found]]  # fmt: skip
    mismatched = [shown for shown, handle in handles if handle and handle_matches_name(handle, name) is False]
    if not mismatched or any(handle_matches_name(handle, name) for _, handle in handles if handle):
        return None  # the name shows in another handle: the odd one is likely a nickname or old name
    return rule.flag(
        f"name {name!r} does not appear in {', '.join(mismatched)}: may be a nickname or a former name; "
        "check the applicant's identity",
        handles=mismatched,
    )


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
