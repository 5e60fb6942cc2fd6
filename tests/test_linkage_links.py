"""Links between applicants, on the in-memory store and on SQL (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import event, select

from screening.linkage import Linker, MemoryLinkageStore, tenant_secret
from screening.models import Applicant
from store.db import init_db, make_engine
from store.linkage import SqlLinkageStore, linkage_applicants, linkage_keys

RESUME = (
    "Senior full stack engineer with eight years building scalable web applications in React, Node "
    "and Python. Led the migration of payment systems to microservices on AWS, cut latency by forty "
    "percent, mentored junior developers and shipped blockchain integrations for fintech clients "
    "across three continents with distributed agile teams. Strong in TypeScript, GraphQL, Postgres."
)
TEMPLATE = (
    "Summary. Experience. Education. Skills. References available on request. {body} "
    "I am a motivated professional who thrives in fast paced environments and works well in teams."
)


def pool() -> list[Applicant]:
    return [
        # a ring: one phone and one résumé behind three names
        Applicant(
            id="a0001",
            name="Daniel Brooks",
            phones=["+1 415 555 0132"],
            resume_text=f"Daniel Brooks {RESUME}",
        ),
        Applicant(
            id="a0042",
            name="Kevin Osei",
            phones=["(415) 555-0132"],
            location="San Francisco, CA",
            resume_text=f"Kevin Osei kevin@x.io {RESUME.replace('eight', 'seven')}",
        ),
        Applicant(id="a0107", name="Li Wei", phones=["+14155550132"]),
        # one person applying twice is not a ring
        Applicant(id="a0200", name="Jon Smith", phones=["+1 312 555 0100"], emails=["jon.smith@gmail.com"]),
        Applicant(
            id="a0201",
            name="Jonathan Smith",
            phones=["+1 (312) 555-0100"],
            emails=["j.o.n.smith+cv@gmail.com"],
        ),
        # a couple at one address
        Applicant(
            id="a0300", name="Anna Berg", addresses=["Apt 4B, 1200 North Main Street, Springfield IL 62701"]
        ),
        Applicant(id="a0301", name="Tom Berg", addresses=["1200 N Main St #4b, Springfield, IL 62701"]),
        # a shared résumé template with different content
        Applicant(
            id="a0400",
            name="Sara Lopez",
            resume_text=TEMPLATE.format(
                body="Nurse with ten years of intensive care experience at county hospitals, trained staff, "
                "ran the night shift and improved patient handover with a checklist adopted statewide."
            ),
        ),
        Applicant(
            id="a0401",
            name="Omar Haddad",
            resume_text=TEMPLATE.format(
                body="Accountant handling payroll, audits and tax filings for small manufacturers, migrated "
                "ledgers to a cloud system and trained clerks on reconciliation and month end close."
            ),
        ),
    ]


def _flags(linker: Linker, applicant_id: str) -> dict[str, str]:
    applicant = next(a for a in pool() if a.id == applicant_id)
    return {flag.code: flag.message for flag in linker.flags(applicant)}


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def make_store(request, tmp_path):
    """The same behaviour from every LinkageStore: in memory, SQLite file, real PostgreSQL."""
    if request.param == "memory":
        yield lambda tenant: MemoryLinkageStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hirewatch.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(linkage_keys.delete())
        conn.execute(linkage_applicants.delete())
    yield lambda tenant: SqlLinkageStore(engine, tenant)
    engine.dispose()


@pytest.fixture
def linker(make_store) -> Linker:
    linker = Linker(make_store("t1"), tenant_secret(b"master", "t1"))
    linker.index_many(pool())
    return linker


def test_ring_is_reported_with_size_ties_and_ids(linker):
    assert _flags(linker, "a0042") == {
        "shared_phone": "shares phone +1 415… with 2 applicants under other names: a0001, a0107",
        "similar_resume": "résumé is 99%+ identical to that of 1 applicant under another name: a0001",
    }
    flag = next(f for f in linker.flags(pool()[0]) if f.code == "shared_phone")
    assert (flag.severity, flag.score) == ("high", 70)
    assert flag.evidence == {
        "kind": "phone",
        "shared": "+1 415…",
        "applicants": ["a0042", "a0107"],
        "group_size": 3,
        "identities": 3,
    }


def test_same_person_twice_couples_and_templates_are_not_rings(linker):
    assert _flags(linker, "a0200") == {}
    assert _flags(linker, "a0201") == {}
    assert _flags(linker, "a0300") == {
        "shared_address": "shares address 1200 n main st… with 1 applicant under another name: a0301"
    }
    assert next(f for f in linker.flags(pool()[5])).score == 10  # a couple stays low
    assert _flags(linker, "a0400") == {}


def test_deleting_an_applicant_removes_its_links(linker):
    linker.forget("a0107")
    assert (
        _flags(linker, "a0042")["shared_phone"]
        == "shares phone +1 415… with 1 applicant under another name: a0001"
    )
    assert len(linker.store) == len(pool()) - 1


def test_tenants_do_not_see_each_other(make_store):
    first = Linker(make_store("t1"), tenant_secret(b"master", "t1"))
    second = Linker(make_store("t2"), tenant_secret(b"master", "t2"))
    first.index(pool()[0])
    second.index(pool()[1])
    assert second.flags(pool()[1]) == []
    assert first.record(pool()[0]).keys[0].digest != second.record(pool()[0]).keys[0].digest


def test_sql_store_keeps_hashes_not_contact_details(db_url):
    engine = make_engine(db_url)
    linker = Linker(SqlLinkageStore(engine, "t1"), tenant_secret(b"master", "t1"))
    linker.index_many(pool())
    with engine.connect() as conn:
        stored = repr(conn.execute(select(linkage_keys)).all()) + repr(
            conn.execute(select(linkage_applicants)).all()
        )
    assert "4155550132" not in stored and "gmail" not in stored and "main st" not in stored
    assert (
        "kevin" not in stored.split("Kevin Osei")[-1]
    )  # the name column only; stripped from the résumé text
    linker.index(Applicant(id="a0042", name="Kevin Osei"))  # re-indexed without a phone: old keys gone
    assert (
        _flags(linker, "a0001")["shared_phone"]
        == "shares phone +1 415… with 1 applicant under another name: a0107"
    )
    engine.dispose()


def test_filler_in_required_fields_links_nobody():
    linker = Linker(MemoryLinkageStore(), b"k")
    filler = [
        Applicant(id=f"f{i}", name=name, phones=["+1 555 555 5555"], emails=["none@example.com"])
        for i, name in enumerate(["Ann Lee", "Bo Diaz", "Cy Ward"])
    ]
    linker.index_many(filler)
    assert linker.flags(filler[0]) == []


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("+82 10 1234 567", "+82-10-1234-567"),  # a digit short: fails validation, same digits
        ("98 7612 3490", "9876 123 490"),  # no country code and no location: bare digits
    ],
)
def test_a_number_that_fails_validation_still_links_by_its_digits(ours, theirs):
    linker = Linker(MemoryLinkageStore(), b"k")
    a = Applicant(id="a", name="Ann Lee", phones=[ours])
    b = Applicant(id="b", name="Bo Diaz", phones=[theirs])
    linker.index_many([a, b])
    (flag,) = linker.flags(a)
    assert flag.code == "shared_phone" and flag.evidence["applicants"] == ["b"]
    assert linker.flags(dataclasses.replace(a, phones=["+82 10 1234 568"])) == []  # other digits
    stored = linker.record(a).keys
    assert all(ours not in key.digest and "1234" not in key.digest for key in stored)  # keyed hashes only


@pytest.mark.parametrize("filler", ["000-000-0000", "1234567890", "(999) 555-1212", "12345", "1111111"])
def test_filler_numbers_that_fail_validation_link_nobody(filler):
    linker = Linker(MemoryLinkageStore(), b"k")
    applicants = [
        Applicant(id=f"f{i}", name=n, phones=[filler]) for i, n in enumerate(["Ann Lee", "Bo Diaz"])
    ]
    linker.index_many(applicants)
    assert linker.flags(applicants[0]) == []


def test_sql_store_rewrites_only_applicants_whose_keys_changed(db_url):
    engine = make_engine(db_url)
    linker = Linker(SqlLinkageStore(engine, "t1"), tenant_secret(b"master", "t1"))
    applicants = pool()
    linker.index_many(applicants)
    writes: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: writes.append(args[2].split()[0]))
    linker.index_many(applicants)  # a re-screen of unchanged applicants
    assert "DELETE" not in writes and "INSERT" not in writes
    moved = dataclasses.replace(applicants[0], phones=["+1 212 555 0100"])
    records = linker.index_many([moved, *applicants[1:]])
    assert writes.count("INSERT") == 2  # the one changed applicant: its row and its keys
    assert set(records) == {a.id for a in applicants}
    engine.dispose()
