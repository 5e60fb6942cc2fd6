"""Normalised forms of the identifiers applicants type: e-mails, phones, URLs, addresses, crypto.

Pure functions, no network: the linkage index, the red-flag checks and the list matcher all key
on these forms, so two spellings of one identifier compare equal. Each returns None when the
input cannot be read as that kind of identifier (callers skip it; nothing here raises on bad
applicant data).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
import tldextract
from anyascii import anyascii

# --- e-mail ---------------------------------------------------------------------------------

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache(maxsize=65536)
def normalize_email(value: str) -> str | None:
    """Lower-case, `+tag` stripped, Gmail dots folded (googlemail.com is gmail.com)."""
    value = (value or "").strip().lower().removeprefix("mailto:").strip("<>")
    if not _EMAIL.match(value):
        return None
    local, domain = value.rsplit("@", 1)
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


def email_domain(value: str) -> str | None:
    """The domain of an e-mail address, lower-case, or None when it is not an address."""
    normalized = normalize_email(value)
    return normalized.rsplit("@", 1)[1] if normalized else None


def email_local_part(value: str) -> str | None:
    normalized = normalize_email(value)
    return normalized.rsplit("@", 1)[0] if normalized else None


# --- phone ----------------------------------------------------------------------------------


@cache
def _country_names() -> dict[str, str]:
    """Country name in any language phonenumbers knows ("germany", "deutschland") -> ISO code."""
    names: dict[str, str] = {}
    for region, by_language in _phonenumbers_locale_data().items():
        for name in by_language.values():
            folded = _fold(name)
            if not name.startswith("*") and len(folded) > 3:  # "*aa" refers to another language
                names.setdefault(folded, region)
        names.setdefault(region.lower(), region)
    names.update(_COUNTRY_ALIASES)
    return names


def _phonenumbers_locale_data() -> dict[str, dict[str, str]]:
    """phonenumbers' table of country names, read without its `geodata` package: importing that
    loads every prefix's place names too (about 1 s and 100 MB) for a table of 600 KB."""
    package = importlib.util.find_spec("phonenumbers")
    path = Path(next(iter(package.submodule_search_locations))) / "geodata" / "locale.py"
    spec = importlib.util.spec_from_file_location("phonenumbers.geodata.locale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LOCALE_DATA


_COUNTRY_ALIASES = {
    "usa": "US", "u s a": "US", "u s": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u k": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "northern ireland": "GB", "uae": "AE", "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "north korea": "KP", "russia": "RU", "czech republic": "CZ", "holland": "NL", "the netherlands": "NL",
}  # fmt: skip

_US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC",
}  # fmt: skip
_US_STATE_NAMES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana",
    "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri",
    "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
    "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
    "washington", "west virginia", "wisconsin", "wyoming",
}  # fmt: skip
_CA_PROVINCES = {"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}


def _fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: for comparing free-text places."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", anyascii(text).lower()).split())


@lru_cache(maxsize=65536)
def region_for_location(location: str | None, country: str | None = None) -> str | None:
    """The ISO 3166 region of a stated location ("Austin, TX", "Berlin, Germany", "DE"), or None.

    Only used as a default region to read national-format phone numbers and to check that the
    phone agrees with where the applicant says they are; never as a risk factor by itself.
    """
    if country and (region := _region_of_part(country.strip(), is_country_field=True)):
        return region
    parts = [p.strip() for p in re.split(r"[,/;|]", location or "") if p.strip()]
    for part in reversed(parts):  # the country is usually last: "Austin, TX, USA"
        region = _region_of_part(part, is_country_field=len(parts) == 1)
        if region:
            return region
    return None


def _region_of_part(part: str, is_country_field: bool) -> str | None:
    """ "Germany" / "DE" -> DE; after a city, a two-letter code is a US state or Canadian province
    first ("Austin, TX", "Dover, DE"), as people write them; a lone "DE" is a country."""
    names = _country_names()
    folded = _fold(part)
    is_code = len(part) == 2 and part.isupper()
    if is_code and not is_country_field:
        if part in _US_STATES:
            return "US"
        if part in _CA_PROVINCES:
            return "CA"
    if folded in _US_STATE_NAMES:  # "Georgia" is a state and a country: ambiguous, no answer
        return None if folded in names else "US"
    if folded in names and (len(folded) > 2 or is_code or is_country_field):
        return names[folded]
    return None


@lru_cache(maxsize=65536)
def parse_phone(value: str, default_region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """A parsed, possible phone number, or None (unreadable, or national format with no region).

    Cached: one applicant's number is read by several checks and by the linkage keys; callers
    must not modify the returned object."""
    value = (value or "").strip()
    if not value or len(value) > 40:
        return None
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def normalize_phone(value: str, default_region: str | None = None) -> str | None:
    """E.164 ("+14155550123"); national numbers are read in `default_region`, else None."""
    number = parse_phone(value, default_region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def mask_phone(e164: str) -> str:
    """The country code and the first three digits, for messages: "+1 415…"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164[:5] + "…"
    national = str(number.national_number)
    return f"+{number.country_code} {national[:3]}…"


def mask_email(normalized: str) -> str:
    """ "j…@example.com": enough for a recruiter to recognise it, not to copy it."""
    local, _, domain = normalized.partition("@")
    return f"{local[:1]}…@{domain}"


# --- URLs -----------------------------------------------------------------------------------

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
PROFILE_SITES = {"github.com": "github", "linkedin.com": "linkedin"}
# Paths on profile hosts that are not a person: github.com/orgs/..., linkedin.com/company/...
_GITHUB_RESERVED = {"orgs", "about", "features", "pricing", "topics", "explore", "marketplace", "sponsors"}


def _split_url(value: str):
    value = (value or "").strip()
    if not value or " " in value:
        return None
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    extracted = _EXTRACT(host)
    if not extracted.domain or not extracted.suffix:
        return None
    return extracted, parts


def registered_domain(value: str) -> str | None:
    """ "https://www.jane-dev.netlify.app/x" -> "jane-dev.netlify.app" (the public-suffix aware domain)."""
    split = _split_url(value)
    if not split:
        return None
    extracted, _ = split
    return f"{extracted.domain}.{extracted.suffix}"


def profile_handle(value: str) -> tuple[str, str] | None:
    """("github", "janedoe") or ("linkedin", "jane-doe-123") for a personal profile URL, else None."""
    split = _split_url(value)
    if not split:
        return None
    extracted, parts = split
    site = PROFILE_SITES.get(f"{extracted.domain}.{extracted.suffix}")
    segments = [s for s in parts.path.split("/") if s]
    if site == "github" and segments and segments[0].lower() not in _GITHUB_RESERVED:
        return site, segments[0].lower()
    if site == "linkedin" and len(segments) >= 2 and segments[0].lower() in ("in", "pub"):
        return site, unicodedata.normalize("NFC", segments[1]).lower()
    return None


def canonical_url(value: str) -> str | None:
    """One key per page: "github:janedoe", "linkedin:jane-doe", "jane.dev/work" (no www, query, slash)."""
    handle = profile_handle(value)
    if handle:
        return f"{handle[0]}:{handle[1]}"
    split = _split_url(value)
    if not split:
        return None
    extracted, parts = split
    host = ".".join(p for p in (extracted.subdomain, extracted.domain, extracted.suffix) if p)
    host = host.removeprefix("www.")
    path = re.sub(r"/(index\.html?)?$", "", parts.path.rstrip("/")).lower()
    return host + path


# --- postal addresses -----------------------------------------------------------------------

_ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "square": "sq", "terrace": "ter",
    "parkway": "pkwy", "highway": "hwy", "circle": "cir", "north": "n", "south": "s", "east": "e",
    "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "apartment": "unit", "apt": "unit", "suite": "unit", "ste": "unit", "unit": "unit", "flat": "unit",
    "room": "unit", "rm": "unit", "floor": "fl", "building": "bldg", "number": "", "no": "",
    "usa": "", "united states": "", "united states of america": "", "us": "",
}  # fmt: skip


def normalize_address(value: str) -> str | None:
    """Case, punctuation, unit markers and common abbreviations folded; None when too short.

    "Apt. 4B, 1200 North Main Street, Springfield IL 62701-1234" and
    "1200 N Main St #4b Springfield, IL 62701" both give "1200 n main st unit 4b springfield il 62701".
    """
    text = anyascii(value or "").lower()
    text = re.sub(r"\b(\d{5})-\d{4}\b", r"\1", text)  # ZIP+4 -> ZIP
    text = text.replace("#", " unit ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [_ADDRESS_WORDS.get(w, w) for w in words]
    words = [w for w in words if w]
    words = _units_last(words)
    normalized = " ".join(_dedupe_unit(words))
    return normalized if len(normalized) >= 8 and any(c.isdigit() for c in normalized) else None


def _units_last(words: list[str]) -> list[str]:
    """Move a leading "unit 4b" after the house number and street so both orders agree."""
    if len(words) >= 2 and words[0] == "unit":
        unit, rest = words[:2], words[2:]
        street_end = next((i for i, w in enumerate(rest) if w in _STREET_TYPES), None)
        if street_end is not None:
            return rest[: street_end + 1] + unit + rest[street_end + 1 :]
    return words


_STREET_TYPES = {"st", "ave", "rd", "blvd", "dr", "ln", "ct", "pl", "sq", "ter", "pkwy", "hwy", "cir", "way"}


def _dedupe_unit(words: list[str]) -> list[str]:
    return [w for i, w in enumerate(words) if not (w == "unit" and i > 0 and words[i - 1] == "unit")]


# --- crypto addresses -----------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

_CANDIDATES = re.compile(
    r"\b(?:"
    r"0x[0-9a-fA-F]{40}"  # Ethereum and EVM chains
    r"|(?:bc1|ltc1|tb1)[02-9ac-hj-np-z]{8,87}"  # bech32 / bech32m (lower-case form)
    r"|(?:BC1|LTC1)[02-9AC-HJ-NP-Z]{8,87}"  # bech32 upper-case form
    r"|[13LMT][1-9A-HJ-NP-Za-km-z]{25,34}"  # base58check: BTC, LTC, TRON
    r")\b"
)
# base58check version byte -> currency (OFAC's codes: XBT for bitcoin)
_BASE58_VERSIONS = {0x00: "XBT", 0x05: "XBT", 0x30: "LTC", 0x32: "LTC", 0x41: "TRX"}
_BECH32_PREFIXES = {"bc": "XBT", "ltc": "LTC"}


def _base58check_version(address: str) -> int | None:
    number = 0
    for char in address:
        number = number * 58 + _B58_INDEX[char]
    leading_zeros = len(address) - len(address.lstrip("1"))
    raw = b"\x00" * leading_zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(raw) != 25:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload[0]


def _bech32_valid(address: str) -> str | None:
    """The human-readable prefix when the bech32/bech32m checksum holds, else None."""
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return None
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            checksum ^= generator if (top >> i) & 1 else 0
    return hrp if checksum in (1, 0x2BC830A3) else None  # bech32, bech32m


def normalize_crypto_address(currency: str, address: str) -> str:
    """The form to compare: hex and bech32 are case-insensitive, base58 is not."""
    if address.lower().startswith(("0x", "bc1", "ltc1", "tb1")):
        return address.lower()
    return address


def extract_crypto_addresses(text: str) -> list[tuple[str, str]]:
    """(currency, address) for each valid-looking wallet address in free text, in order, once each.

    Base58 and bech32 addresses must pass their checksum (a typo or a random word is not an
    address); EVM addresses are taken on their shape alone (EIP-55 mixed case is optional).
    Currency is OFAC's code: XBT, LTC, TRX, and ETH for any EVM chain (USDT/USDC on Ethereum share it).
    """
    found: dict[tuple[str, str], None] = {}
    for match in _CANDIDATES.finditer(text or ""):
        candidate = match.group(0)
        currency = _currency_of(candidate)
        if currency:
            found[(currency, normalize_crypto_address(currency, candidate))] = None
    return list(found)


def _currency_of(candidate: str) -> str | None:
    if candidate.startswith("0x"):
        return "ETH"
    lowered = candidate.lower()
    if lowered.startswith(("bc1", "ltc1", "tb1")):
        hrp = _bech32_valid(candidate)
        return _BECH32_PREFIXES.get(hrp) if hrp else None
    version = _base58check_version(candidate)
    return _BASE58_VERSIONS.get(version) if version is not None else None
