"""The applications `hirewatch run` sends: a few ordinary people and a few who should be flagged.

The flagged ones are built from the lists actually loaded (whatever they are: the real OFAC/UN
files or the labelled DEMO list), so the demo shows real matches rather than a scripted result.
"""

from __future__ import annotations

from screening.models import Entity, EntityType, ListSnapshot

ORDINARY = [
    {"first_name": "Olivia", "last_name": "Brennan", "company": "Northwind Analytics"},
    {"first_name": "Min-jun", "last_name": "Kim", "company": "Hanbit Soft"},
    {"first_name": "Ingrid", "last_name": "Solberg", "company": "Acme Cloud"},
]
SHARED_PHONE = "+1 415 555 0199"  # two "different" applicants behind one phone number


def _person(entity: Entity) -> dict:
    last, _, first = entity.primary_name.partition(",")
    fields = {"first_name": first.strip().title() or entity.primary_name, "last_name": last.strip().title()}
    emails = [i.value for i in entity.identifiers if i.kind == "email"]
    if emails:
        fields["email_addresses"] = [{"value": emails[0], "type": "personal"}]
    return fields


def _first(snapshots: list[ListSnapshot], entity_type: EntityType, official: bool) -> Entity | None:
    for snapshot in snapshots:
        if (snapshot.name == "advisories") == official:
            continue
        for entity in sorted(snapshot.entities, key=lambda e: e.native_id):
            if (
                entity.type == entity_type
                and entity.names
                and (entity_type != EntityType.INDIVIDUAL or "," in entity.primary_name)
            ):
                return entity
    return None


def demo_candidates(snapshots: list[ListSnapshot]) -> list[dict]:
    """Greenhouse candidate fields: ordinary applicants, a listed person, a listed employer, a ring."""
    candidates = [dict(fields) for fields in ORDINARY]
    listed_person = _first(snapshots, EntityType.INDIVIDUAL, official=True)
    if listed_person:
        candidates.append(_person(listed_person))
    front_company = _first(snapshots, EntityType.ENTITY, official=False) or _first(
        snapshots, EntityType.ENTITY, official=True
    )
    if front_company:
        candidates.append(
            {
                "first_name": "Daniel",
                "last_name": "Whitfield",
                "company": front_company.primary_name,
                "employments": [{"company_name": front_company.primary_name, "title": "Developer"}],
            }
        )
    for first, last in (("Jordan", "Ellis"), ("Marcus", "Tanaka")):
        candidates.append(
            {
                "first_name": first,
                "last_name": last,
                "phone_numbers": [{"value": SHARED_PHONE, "type": "mobile"}],
            }
        )
    return candidates
