"""Identifiers hidden in OFAC's free-text Remarks: pure functions, no I/O.

Remarks are items separated by "; " ("DOB 25 Nov 1983; POB Pyongyang, North Korea; nationality
Korea, North; Passport 927220230 (Korea, North); Digital Currency Address - XBT 1D6g...;
a.k.a. 'X'; Linked To: NAME."). Further values of a kind start with "alt.". The remark must be
re-joined with its sdn_comments.csv overflow before it comes here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from screening.lists.dates import normalise_date
from screening.models import Identifier

# OFAC label -> Identifier.kind; longest labels are tried first.
ID_LABELS: dict[str, str] = {
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "National ID No.": "national_id",
    "Identification Number": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "C.U.R.P.": "national_id",
    "SSN": "national_id",
    "Citizen's Card Number": "national_id",
    "Personal ID Card": "national_id",
    "Residency Number": "national_id",
    "Driver's License No.": "other",
    "Tax ID No.": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "R.F.C.": "tax_id",
    "V.A.T. Number": "tax_id",
    "RFC": "tax_id",
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Document #": "registration",
    "Business Registration Number": "registration",
    "Company Number": "registration",
    "Commercial Registry Number": "registration",
    "Unified Social Credit Code (USCC)": "registration",
    "Legal Entity Number": "registration",
    "Chamber of Commerce Number": "registration",
    "Trade License No.": "registration",
    "C.R. No.": "registration",
    "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration",
    "Central Registration System Number": "registration",
    "Government Gazette Number": "registration",
    "Economic Register Number (CBLS)": "registration",
    "D-U-N-S Number": "registration",
    "Public Security and Immigration No.": "national_id",
    "Vessel Registration Identification": "registration",
    "MMSI": "registration",
    "Aircraft Tail Number": "registration",
    "Aircraft Manufacturer's Serial Number (MSN)": "registration",
}
_ID_ITEM = re.compile(
    r"^(?P<label>" + "|".join(re.escape(k) for k in sorted(ID_LABELS, key=len, reverse=True)) + r")"
    r"\s+(?P<value>.+?)(?:\s+\((?P<country>[^()]+)\))?(?:\s+(?:issued|expires)\b.*)?$"
)
_CRYPTO = re.compile(r"^Digital Currency Address - (?P<currency>[A-Za-z0-9]+)\s+(?P<address>\S+)$")
_EMAIL = re.compile(r"^(?:Email Address|Email)[:\s]\s*(?P<value>\S+@\S+)$", re.IGNORECASE)
_EMAIL_SUFFIX = re.compile(r"^(?P<value>\S+@\S+) \(email\)$")
_WEBSITE = re.compile(r"^Website:?\s+(?P<value>\S+)$", re.IGNORECASE)
_WEBSITE_SUFFIX = re.compile(r"^(?P<value>https?://\S+) \(website\)$")
_PHONE = re.compile(r"^(?P<label>Phone Number|Telephone|Phone|Fax)[:\s]+(?P<value>.*\d.*)$", re.IGNORECASE)
_AKA = re.compile(r"^[afn]\.k\.a\.,?\s+['\"](?P<name>.+)['\"]$")
_LINKED = re.compile(r"^Linked To:\s*(?P<name>.+)$")
_ALT = re.compile(r"^alt\.\s+")
_SIMPLE = {"DOB": "dob", "POB": "pob", "nationality": "nationality", "citizen": "citizen", "Gender": "gender"}


@dataclass(slots=True)
class ParsedRemarks:
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    weak_names: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    gender: str | None = None


def split_items(remarks: str) -> list[str]:
    """The "; "-separated items of a remark, without the final full stop and "alt." prefixes."""
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    return [_ALT.sub("", item.strip()) for item in text.split("; ") if item.strip()]


def parse_remarks(remarks: str) -> ParsedRemarks:
    parsed = ParsedRemarks()
    for item in split_items(remarks):
        _parse_item(item, parsed)
    return parsed


def _parse_item(item: str, parsed: ParsedRemarks) -> None:
    head, _, rest = item.partition(" ")
    simple = _SIMPLE.get(head)
    if simple and rest:
        _add_simple(simple, rest.strip(), parsed)
    elif identifier := parse_identifier(item):
        parsed.identifiers.append(identifier)
    elif m := _AKA.match(item):
        parsed.weak_names.append(m.group("name").strip())
    elif m := _LINKED.match(item):
        parsed.linked_to.append(m.group("name").strip())


def _add_simple(kind: str, value: str, parsed: ParsedRemarks) -> None:
    if kind == "dob":
        if date := normalise_date(value):
            parsed.birth_dates.append(date)
    elif kind == "pob":
        parsed.birth_places.append(value)
    elif kind == "nationality":
        parsed.nationalities.append(value)
    elif kind == "citizen":
        parsed.citizenships.append(value)
    else:
        parsed.gender = value


def parse_identifier(item: str) -> Identifier | None:
    """One remark item as an Identifier (crypto, email, website, phone, passport, ids), or None."""
    if m := _CRYPTO.match(item):
        return Identifier("crypto", m.group("address"), currency=m.group("currency").upper())
    if m := _EMAIL.match(item) or _EMAIL_SUFFIX.match(item):
        return Identifier("email", m.group("value").rstrip("."))
    if m := _WEBSITE.match(item) or _WEBSITE_SUFFIX.match(item):
        return Identifier("website", m.group("value"))
    if m := _PHONE.match(item):
        return Identifier("phone", m.group("value").strip(), note=m.group("label"))
    if m := _ID_ITEM.match(item):
        label = m.group("label")
        return Identifier(ID_LABELS[label], m.group("value").strip(), country=m.group("country"), note=label)
    return None
