"""Normalised identifiers: two spellings of one identifier give one key, junk gives None."""

from __future__ import annotations

import pytest

from screening.identifiers import (
    canonical_url,
    email_domain,
    extract_crypto_addresses,
    mask_email,
    mask_phone,
    normalize_address,
    normalize_email,
    normalize_phone,
    profile_handle,
    region_for_location,
    registered_domain,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Doe+jobs@GMail.com", "janedoe@gmail.com"),
        ("j.a.n.e.doe@googlemail.com", "janedoe@gmail.com"),
        ("Jane.Doe+x@example.org", "jane.doe@example.org"),  # dots fold only on Gmail
        ("mailto:<bob@Example.COM>", "bob@example.com"),
        ("not an email", None),
        ("+tag@example.com", None),
        ("", None),
    ],
)
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


def test_email_domain_and_mask():
    assert email_domain("X@Sub.Example.co.uk") == "sub.example.co.uk"
    assert email_domain("nope") is None
    assert mask_email("janedoe@gmail.com") == "j…@gmail.com"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (415) 555-0132", None, "+14155550132"),
        ("(415) 555-0132", "US", "+14155550132"),
        ("(415) 555-0132", None, None),  # national format, no region: unreadable
        ("0044 20 7946 0958", None, "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("call me", "US", None),
    ],
)
def test_normalize_phone(raw, region, expected):
    assert normalize_phone(raw, region) == expected


def test_mask_phone():
    assert mask_phone("+14155550132") == "+1 415…"


@pytest.mark.parametrize(
    ("location", "country", "expected"),
    [
        ("Austin, TX", None, "US"),
        ("Austin, TX, USA", None, "US"),
        ("Berlin, Germany", None, "DE"),
        ("Berlin, Deutschland", None, "DE"),
        ("Toronto, ON", None, "CA"),
        ("San Francisco, CA", None, "US"),  # California, not Canada
        ("Dover, DE", None, "US"),  # Delaware after a city
        ("DE", None, "DE"),  # alone it is the country code
        (None, "Poland", "PL"),
        ("Atlanta, Georgia", None, None),  # a state and a country: no guess
        ("Remote", None, None),
    ],
)
def test_region_for_location(location, country, expected):
    assert region_for_location(location, country) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://github.com/JaneDoe/", "github:janedoe"),
        ("github.com/janedoe/some-repo?tab=x", "github:janedoe"),
        ("https://www.linkedin.com/in/jane-doe-123/", "linkedin:jane-doe-123"),
        ("http://uk.linkedin.com/in/Jane-Doe-123", "linkedin:jane-doe-123"),
        ("https://www.Jane-Dev.netlify.app/Portfolio/index.html", "jane-dev.netlify.app/portfolio"),
        ("janedoe.dev", "janedoe.dev"),
        ("https://github.com/orgs/acme", "github.com/orgs/acme"),  # an organisation, not a person
        ("not a url", None),
        ("localhost", None),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected


def test_profile_handle_and_registered_domain_offline():
    assert profile_handle("https://www.linkedin.com/company/acme") is None
    assert registered_domain("https://a.b.example.co.uk/x") == "example.co.uk"


def test_normalize_address_folds_order_units_and_abbreviations():
    a = normalize_address("Apt. 4B, 1200 North Main Street, Springfield IL 62701-1234")
    b = normalize_address("1200 N Main St #4b Springfield, IL 62701")
    assert a == b == "1200 n main st unit 4b springfield il 62701"
    assert normalize_address("Remote") is None


def test_extract_crypto_addresses_validates_checksums():
    text = (
        "Pay me at 1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ or 0x97B1043ABD9E6FC31681635166D430A458D14F9C, "
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, TRON TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL; "
        "typo 1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfK and word Mississippi1234567890abcdefghijk."
    )
    assert extract_crypto_addresses(text) == [
        ("XBT", "1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ"),
        ("ETH", "0x97b1043abd9e6fc31681635166d430a458d14f9c"),
        ("XBT", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        ("TRX", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"),
    ]
