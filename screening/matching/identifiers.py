"""Exact identifier matching: e-mails, website domains, phones and crypto addresses.

All three reference screeners treat a listed identifier as decisive (screening-anchors.md,
section 7), so these are exact lookups on normalised forms (screening.identifiers), never fuzzy.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from screening import identifiers as ids
from screening.models import Applicant, Entity, MatchedOn


@dataclass(frozen=True, slots=True)
class IdentifierHit:
    owner: int  # position of the entity in the SanctionsIndex
    matched_on: MatchedOn
    listed_value: str
    applicant_value: str
    explanation: str


class IdentifierIndex:
    def __init__(self) -> None:
        self._emails: dict[str, list[tuple[int, str]]] = {}
        self._domains: dict[str, list[tuple[int, str]]] = {}
        self._phones: dict[str, list[tuple[int, str]]] = {}
        self._crypto: dict[str, list[tuple[int, str]]] = {}

    def add(self, owner: int, entity: Entity) -> None:
        for identifier in entity.identifiers:
            kind, value = identifier.kind, identifier.value
            if kind == "email" and (email := ids.normalize_email(value)):
                self._emails.setdefault(email, []).append((owner, value))
            elif kind == "website" and (domain := _site(value)):
                self._domains.setdefault(domain, []).append((owner, value))
            elif kind == "phone" and (phone := ids.normalize_phone(value)):
                self._phones.setdefault(phone, []).append((owner, value))
            elif kind == "crypto":
                address = ids.normalize_crypto_address(identifier.currency or "", value.strip())
                self._crypto.setdefault(address, []).append((owner, value))

    def state(self, prefix: str) -> dict[str, list[str] | array]:
        """The four tables as flat columns, one row per (normalised value, entity, listed value)."""
        state: dict[str, list[str] | array] = {}
        for kind, table in self._tables().items():
            rows = [(key, owner, listed) for key, found in table.items() for owner, listed in found]
            state[f"{prefix}{kind}.key"] = [key for key, _, _ in rows]
            state[f"{prefix}{kind}.owner"] = array("i", (owner for _, owner, _ in rows))
            state[f"{prefix}{kind}.listed"] = [listed for _, _, listed in rows]
        return state

    def restore(self, state: Mapping, prefix: str) -> None:
        """Take over a `state` instead of normalising every listed identifier again (the first
        website alone loads tldextract's suffix list, about 0.7 s)."""
        for kind, table in self._tables().items():
            columns = (state[f"{prefix}{kind}.{column}"] for column in ("key", "owner", "listed"))
            for key, owner, listed in zip(*columns, strict=True):
                table.setdefault(key, []).append((owner, listed))

    def _tables(self) -> dict[str, dict[str, list[tuple[int, str]]]]:
        return {"email": self._emails, "domain": self._domains, "phone": self._phones, "crypto": self._crypto}

    def match(self, applicant: Applicant) -> Iterator[IdentifierHit]:
        for typed in applicant.emails:
            email = ids.normalize_email(typed)
            if not email:
                continue
            for owner, listed in self._emails.get(email, ()):
                yield IdentifierHit(owner, MatchedOn.EMAIL, listed, typed, f"e-mail {typed} is listed")
            domain = email.rsplit("@", 1)[1]
            for owner, listed in self._domains.get(domain, ()):
                why = f"e-mail {typed} is at {domain}, the listed website {listed}"
                yield IdentifierHit(owner, MatchedOn.WEBSITE, listed, typed, why)
        for typed in applicant.urls:
            domain = _site(typed)
            for owner, listed in self._domains.get(domain or "", ()):
                why = f"website {typed} is on the listed domain {listed}"
                yield IdentifierHit(owner, MatchedOn.WEBSITE, listed, typed, why)
        for typed in applicant.phones:
            phone = ids.normalize_phone(typed)
            for owner, listed in self._phones.get(phone or "", ()):
                yield IdentifierHit(owner, MatchedOn.PHONE, listed, typed, f"phone {typed} is listed")
        for currency, address in ids.extract_crypto_addresses(_free_text(applicant)):
            for owner, listed in self._crypto.get(address, ()):
                why = f"{currency} address {address} in the application is a listed wallet"
                yield IdentifierHit(owner, MatchedOn.CRYPTO_ADDRESS, listed, address, why)


def _site(value: str) -> str | None:
    """Host without www. and path: a listed subdomain (kimsuky.blogspot.com) stays itself."""
    url = ids.canonical_url(value)
    if not url or ":" in url.split("/", 1)[0]:
        return None  # profile handles (github:x) are not websites
    return url.split("/", 1)[0]


def _free_text(applicant: Applicant) -> str:
    parts = [applicant.resume_text, applicant.cover_letter, *applicant.answers, *applicant.urls]
    parts += [a.text or "" for a in applicant.attachments]
    return "\n".join(p for p in parts if p)
