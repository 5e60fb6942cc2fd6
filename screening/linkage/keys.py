"""The linkage keys of one applicant: keyed hashes of normalised identifiers, and stripped texts.

Exact identifiers (phone, e-mail, address, profile URLs, crypto) become HMAC-SHA256 digests under
the tenant's secret: the store can join on them without holding the values, and a digest from
one tenant means nothing in another. Free texts (résumé, cover letter, answers) become a
stripped text (the applicant's name and contact details removed) plus MinHash LSH band keys,
so near-duplicates are found by the same exact-key lookup and then confirmed with rapidfuzz.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import zlib
from dataclasses import dataclass, field
from functools import cache

import phonenumbers

from screening.identifiers import (
    canonical_url,
    extract_crypto_addresses,
    mask_email,
    mask_phone,
    normalize_address,
    normalize_email,
    parse_phone,
    region_for_location,
)
from screening.models import Applicant
from screening.redflags.names import name_tokens

NUM_PERM = 128
BANDS, ROWS = 32, 4  # candidates from ~40% shingle overlap (99% found at 60%); rapidfuzz confirms
MIN_WORDS = 30  # shorter texts ("Yes", "I am available now") are stock answers, not fingerprints
MAX_TEXT = 20_000  # characters kept per text: enough to compare, bounded storage


@dataclass(frozen=True, slots=True)
class LinkKey:
    kind: str  # phone | email | address | profile | portfolio | crypto | text_band
    digest: str  # HMAC-SHA256 hex under the tenant secret
    display: str = ""  # masked form for messages ("+1 415…"); never stored


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # resume | cover_letter | answer
    text: str  # normalised, with the applicant's name and contact details stripped


@dataclass(slots=True)
class LinkRecord:
    """What the linkage store keeps of one applicant."""

    applicant_id: str
    name: str
    keys: list[LinkKey] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def tenant_secret(master_key: bytes, tenant: str) -> bytes:
    """A per-tenant HMAC key derived from one master key, so no secret sits next to the keys."""
    return hmac.new(master_key, f"linkage-tenant:{tenant}".encode(), hashlib.sha256).digest()


def digest(secret: bytes | hmac.HMAC, kind: str, value: str) -> str:
    """HMAC-SHA256 of kind and value, 128 bits in hex (plenty to join on, half the storage).
    `secret` may be a prepared HMAC (see `_keyed`) to skip re-keying for every value."""
    keyed = secret.copy() if isinstance(secret, hmac.HMAC) else _keyed(secret)
    keyed.update(f"{kind}\x00{value}".encode())
    return keyed.hexdigest()[:32]


def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


def link_record(applicant: Applicant, secret: bytes) -> LinkRecord:
    keyed = _keyed(secret)
    documents = documents_of(applicant)
    keys = exact_keys(applicant, keyed) + [
        LinkKey("text_band", digest(keyed, "text_band", band))
        for doc in documents
        for band in bands(doc.text)
    ]
    return LinkRecord(applicant.id, applicant.full_name, _unique(keys), documents)


def exact_keys(applicant: Applicant, secret: bytes | hmac.HMAC) -> list[LinkKey]:
    region = region_for_location(applicant.location)
    keys = []
    for raw in applicant.phones:
        if phone := phone_key_value(raw, region):
            keys.append(LinkKey("phone", digest(secret, "phone", phone), _mask_phone_key(phone)))
    for raw in applicant.emails:
        if (email := normalize_email(raw)) and not _placeholder(email):
            keys.append(LinkKey("email", digest(secret, "email", email), mask_email(email)))
    for raw in applicant.addresses:
        if address := normalize_address(raw):
            keys.append(LinkKey("address", digest(secret, "address", address), _mask_address(address)))
    for raw in applicant.urls:
        if url := canonical_url(raw):
            kind = "profile" if url.startswith(("github:", "linkedin:")) else "portfolio"
            keys.append(LinkKey(kind, digest(secret, kind, url), _show_url(url)))
    for currency, address in _crypto_addresses(applicant):
        keys.append(
            LinkKey("crypto", digest(secret, "crypto", address), f"{currency} {address[:6]}…{address[-4:]}")
        )
    return keys


MIN_PHONE_DIGITS = 7  # shorter strings of digits are extensions, codes or filler, not numbers
_DIGIT_RUNS = "01234567890123456789", "98765432109876543210"


def phone_key_value(raw: str, region: str | None) -> str | None:
    """What a phone number is linked by: E.164 when it parses (valid or not: a number that fails
    validation is still the same digits when two applicants give it), else its bare digits
    ("digits:..."); None for filler ("555-555-5555", "0000000", "1234567890") and short strings.
    A valid number keeps the E.164 key it always had, so stored keys stay comparable."""
    number = parse_phone(raw, region)
    if number is None:
        national = re.sub(r"\D", "", raw or "").removeprefix("00")
        return None if _filler_digits(national) or _fictional(national) else f"digits:{national}"
    national = str(number.national_number)
    if _filler_digits(national) or (not phonenumbers.is_valid_number(number) and _fictional(national)):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _filler_digits(national: str) -> bool:
    """Digits typed to get past a required field: too few, one or two digits repeated, or a run
    ("1234567890" is a valid number in some regions, and still filler)."""
    core = national.lstrip("0")
    return len(national) < MIN_PHONE_DIGITS or len(set(core)) <= 2 or any(core in run for run in _DIGIT_RUNS)


def _fictional(national: str) -> bool:
    """An invalid ten-digit number in the 555 exchange: what North American films and forms use."""
    return len(national) == 10 and national[3:6] == "555"


def _mask_phone_key(value: str) -> str:
    """ "+1 415…" as usual; the first three digits of a number that does not parse."""
    if value.startswith("digits:"):
        return value.removeprefix("digits:")[:3] + "…"
    return mask_phone(value)


# Filler typed into required fields ("555-555-5555", "none@example.com") is shared by honest
# applicants who have nothing in common: filler numbers and reserved domains make no key.
PLACEHOLDER_DOMAINS = {"example.com", "example.org", "example.net"}
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test", ".localhost")


def _placeholder(email: str) -> bool:
    domain = email.rsplit("@", 1)[1]
    return domain in PLACEHOLDER_DOMAINS or domain.endswith(PLACEHOLDER_SUFFIXES)


def _crypto_addresses(applicant: Applicant) -> list[tuple[str, str]]:
    texts = [applicant.resume_text, applicant.cover_letter, *applicant.answers, *applicant.urls]
    return extract_crypto_addresses("\n".join(t for t in texts if t))


def _mask_address(address: str) -> str:
    """House number and street kept, the rest hidden: "1200 n main st…"."""
    words = address.split()
    return " ".join(words[:4]) + "…"


def _show_url(url: str) -> str:
    """Profile URLs are public pages the applicant gave us: shown whole, as the recruiter would."""
    site, _, handle = url.partition(":")
    if site == "github" and handle:
        return f"github.com/{handle}"
    if site == "linkedin" and handle:
        return f"linkedin.com/in/{handle}"
    return url


def _unique(keys: list[LinkKey]) -> list[LinkKey]:
    seen: dict[tuple[str, str], LinkKey] = {}
    for key in keys:
        seen.setdefault((key.kind, key.digest), key)
    return list(seen.values())


# --- near-duplicate texts --------------------------------------------------------------------

_DOMAIN = re.compile(r"^\W*[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b")  # "jane.dev", "(github.com/jd)"
_NOT_A_WORD = re.compile(r"[\W\d_]+")  # digits go too: phone numbers, dates, years


def documents_of(applicant: Applicant) -> list[Document]:
    raw = [("resume", applicant.resume_text), ("cover_letter", applicant.cover_letter)]
    raw += [("answer", answer) for answer in applicant.answers]
    raw += [(a.kind, a.text) for a in applicant.attachments if a.text and a.text != applicant.resume_text]
    personal = set(name_tokens(applicant.full_name))
    documents = []
    for kind, text in raw:
        stripped = strip_personal(text or "", personal)
        if len(stripped.split()) >= MIN_WORDS:
            documents.append(Document(kind, stripped[:MAX_TEXT]))
    return documents


def strip_personal(text: str, name_parts: set[str]) -> str:
    """Lower-case words without the applicant's name, e-mails, URLs, phones or numbers: so that a
    résumé copied under another name still compares equal, and contact details don't leak into
    the stored text."""
    tokens = [t for t in text.lower().split() if "@" not in t and "://" not in t and not _DOMAIN.match(t)]
    words = _NOT_A_WORD.sub(" ", " ".join(tokens)).split()
    return " ".join(w for w in words if w not in name_parts)


@cache
def _permutations():
    # datasketch is imported on the first free text: it imports scipy (about 2 s and 60 MB), which
    # a process screening names alone never needs.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=7, scheme="affine32", hashfunc=_crc32).permutations


def _crc32(shingle: bytes) -> int:
    """A fast hash that is stable across processes (band keys are persisted): CRC-32."""
    return zlib.crc32(shingle)


def bands(text: str) -> list[str]:
    """LSH band keys of a text's word 3-gram MinHash: texts sharing a band are candidates."""
    words = text.split()
    shingles = {" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)}
    if not shingles:
        return []
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=NUM_PERM, seed=7, permutations=_permutations(), scheme="affine32", hashfunc=_crc32
    )
    minhash.update_batch(list(shingles))
    values = minhash.hashvalues.astype("<u4").tobytes()
    width = ROWS * 4
    return [f"{b}:{values[b * width : (b + 1) * width].hex()}" for b in range(BANDS)]
