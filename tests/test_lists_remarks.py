"""The OFAC remarks parser and date normaliser, on remarks quoted from real SDN rows."""

from __future__ import annotations

import pytest

from screening.lists.dates import birth_year_range, normalise_date
from screening.lists.ofac import parse_identifier, parse_remarks, split_programs
from screening.models import Identifier

# ent 6939, AL-AHDAL, Mohammad Hamdi Mohammad Sadiq (sdn.csv 2024-05-03)
AL_AHDAL = (
    "DOB 19 Nov 1971; POB Medina, Saudi Arabia; nationality Yemen; Gender Male; Passport 541939 (Yemen) "
    "issued 31 Jul 2000; National ID No. 216040 (Yemen); a.k.a. 'AL-MAKKI, Abu Asim'."
)
# ent 12057, NAQDI, Mohammad Reza (start of the remark)
NAQDI = "DOB 1951 to 1953; alt. DOB 1960 to 1962; alt. DOB Apr 1961; alt. DOB 1953; POB Najaf, Iraq."
# ent 12610, QADHAFI, Ayesha
QADHAFI = (
    "DOB 1977; alt. DOB 1976; alt. DOB 01 Jan 1978; POB Tripoli, Libya; Gender Female; "
    "Passport 215215 (Libya); alt. Passport 428720 (Libya); alt. Passport B/011641; "
    "alt. Passport 03824970 (Oman) issued 04 May 2014 expires 03 May 2024; National ID No. 98606612."
)
# ent 10933, RAMAK
RAMAK = "Website www.ramakdutyfree.net; Email Address dam.d.free@net.sy."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 Nov 1983", "1983-11-25"),
        ("1965", "1965"),
        ("Sep 1959", "1959-09"),
        ("circa 1959", "1959~"),
        ("1960 to 1962", "1960/1962"),
        ("01 Jan 1960 to 31 Dec 1962", "1960-01-01/1962-12-31"),
        ("circa 1979-1982", "1979~/1982~"),
        ("sometime", None),
        ("31 Foo 1960", None),
    ],
)
def test_normalise_date(text: str, expected: str | None) -> None:
    assert normalise_date(text) == expected


def test_birth_year_range() -> None:
    assert birth_year_range("1983-11-25") == (1983, 1983)
    assert birth_year_range("1959~") == (1958, 1960)
    assert birth_year_range("1960/1962") == (1960, 1962)
    assert birth_year_range("1979~/1982~") == (1978, 1983)
    assert birth_year_range("unknown") is None


def test_individual_remarks() -> None:
    parsed = parse_remarks(AL_AHDAL)
    assert parsed.birth_dates == ["1971-11-19"]
    assert parsed.birth_places == ["Medina, Saudi Arabia"]
    assert parsed.nationalities == ["Yemen"]
    assert parsed.gender == "Male"
    assert parsed.weak_names == ["AL-MAKKI, Abu Asim"]
    assert Identifier("passport", "541939", country="Yemen", note="Passport") in parsed.identifiers
    assert Identifier("national_id", "216040", country="Yemen", note="National ID No.") in parsed.identifiers


def test_alt_dates_and_ranges() -> None:
    assert parse_remarks(NAQDI).birth_dates == ["1951/1953", "1960/1962", "1961-04", "1953"]


def test_alt_passports_with_and_without_country() -> None:
    passports = [(i.value, i.country) for i in parse_remarks(QADHAFI).identifiers if i.kind == "passport"]
    assert passports == [("215215", "Libya"), ("428720", "Libya"), ("B/011641", None), ("03824970", "Oman")]


def test_website_and_email() -> None:
    kinds = {(i.kind, i.value) for i in parse_remarks(RAMAK).identifiers}
    assert kinds == {("website", "www.ramakdutyfree.net"), ("email", "dam.d.free@net.sy")}


@pytest.mark.parametrize(
    ("item", "kind", "value", "currency"),
    [
        (
            "Digital Currency Address - XBT 1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ",
            "crypto",
            "1D6gG9iKEhPitTcWRJiniuj1jYM2hNeAfJ",
            "XBT",
        ),
        (
            "Digital Currency Address - USDT 0xb6f5ec1a0a9cd1526536d3f0426c429529471f40",
            "crypto",
            "0xb6f5ec1a0a9cd1526536d3f0426c429529471f40",
            "USDT",
        ),
        ("Phone Number 8613314257947", "phone", "8613314257947", None),
        ("PHONE 850 2 381 8221", "phone", "850 2 381 8221", None),
        ("Email sgcpdit@mail.sy", "email", "sgcpdit@mail.sy", None),
        ("Website:  www.alnakshabandia-army.org", "website", "www.alnakshabandia-army.org", None),
        ("Telephone (98)(21)(66153220)", "phone", "(98)(21)(66153220)", None),
        ("Tax ID No. 7744001497 (Russia)", "tax_id", "7744001497", None),
        (
            "Unified Social Credit Code (USCC) 9113100033607322XK (China)",
            "registration",
            "9113100033607322XK",
            None,
        ),
    ],
)
def test_parse_identifier(item: str, kind: str, value: str, currency: str | None) -> None:
    identifier = parse_identifier(item)
    assert identifier is not None
    assert (identifier.kind, identifier.value, identifier.currency) == (kind, value, currency)


def test_alt_prefixed_crypto_and_linked_to() -> None:
    # ent 28263 TIAN, Yinyin: end of the remark re-joined with its sdn_comments.csv continuation "hn'; ..."
    parsed = parse_remarks(
        "alt. Digital Currency Address - XBT 1AXUTu9y3H8w4wYx4BjyFWgRhZKDhmcMrn; "
        "alt. Digital Currency Address - XBT 1Hn9ErTCPRP6j5UDBeuXPGuq5RtRjFJxJQ; "
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; "
        "Phone Number 8613621583465; Identification Number 321284198607120616 (China); "
        "a.k.a. 'tianyinyin0404'; a.k.a. 'snowsjo" + "hn'; Linked To: LAZARUS GROUP."
    )
    assert [(i.kind, i.currency, i.value) for i in parsed.identifiers] == [
        ("crypto", "XBT", "1AXUTu9y3H8w4wYx4BjyFWgRhZKDhmcMrn"),
        ("crypto", "XBT", "1Hn9ErTCPRP6j5UDBeuXPGuq5RtRjFJxJQ"),
        ("phone", None, "8613621583465"),
        ("national_id", None, "321284198607120616"),
    ]
    assert parsed.weak_names == ["tianyinyin0404", "snowsjohn"]
    assert parsed.linked_to == ["LAZARUS GROUP"]


def test_split_programs() -> None:
    assert split_programs("DPRK3] [CYBER2") == ["DPRK3", "CYBER2"]
    assert split_programs("SDNTK") == ["SDNTK"]
    assert split_programs(None) == []
