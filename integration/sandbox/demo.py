"""The applications `hirewatch run` sends: a few ordinary people and a few who should be flagged.

The flagged ones are built from the lists actually loaded (whatever they are: the real OFAC/UN
files or the labelled DEMO list), so the demo shows real matches rather than a scripted result.
"""

from __future__ import annotations

from screening.matching.korean import hangul_by_spelling, romanize_syllable
from screening.models import Entity, EntityType, ListSnapshot

ORDINARY = [
    {"first_name": "Olivia", "last_name": "Brennan", "company": "Northwind Analytics"},
    {"first_name": "Min-jun", "last_name": "Kim", "company": "Hanbit Soft"},
    {"first_name": "Ingrid", "last_name": "Solberg", "company": "Acme Cloud"},
]
SHARED_PHONE = "+1 415 555 0199"  # two "different" applicants behind one phone number


def _revised_romanisation(syllables: str) -> str:
    """'Jong Chol' (as OFAC writes DPRK names) -> 'Jeong-cheol' (as a South Korean passport would)."""
    table = hangul_by_spelling()
    spelled = [romanize_syllable(table.get(s.lower(), s)) for s in syllables.split()]
    return "-".join(spelled).capitalize()


def _korean_applicant(entity: Entity) -> dict:
    """A DPRK-listed person applying under the other romanisation, given name first."""
    last, _, first = entity.primary_name.partition(",")
    return {"first_name": _revised_romanisation(first), "last_name": last.strip().title()}


def _first(
    snapshots: list[ListSnapshot], entity_type: EntityType, official: bool, want=lambda entity: True
) -> Entity | None:
    for snapshot in snapshots:
        if (snapshot.name == "advisories") == official:
            continue
        for entity in sorted(snapshot.entities, key=lambda e: e.native_id):
            if (
                entity.type == entity_type
                and entity.names
                and (entity_type != EntityType.INDIVIDUAL or "," in entity.primary_name)
                and want(entity)
            ):
                return entity
    return None


def _dprk(entity: Entity) -> bool:
    return (
        any(program.startswith("DPRK") for program in entity.programs)
        and len(entity.primary_name.split(",")[-1].split()) == 2
    )


def _has_email(entity: Entity) -> bool:
    return any(identifier.kind == "email" for identifier in entity.identifiers)


def demo_candidates(snapshots: list[ListSnapshot]) -> list[dict]:
    """Greenhouse candidate fields: ordinary applicants, a DPRK-listed person in another
    romanisation, a listed e-mail address, a listed employer, a ring."""
    candidates = [dict(fields) for fields in ORDINARY]
    korean = _first(snapshots, EntityType.INDIVIDUAL, official=True, want=_dprk)
    if korean:
        candidates.append(_korean_applicant(korean))
    listed_email = _first(snapshots, EntityType.INDIVIDUAL, official=True, want=_has_email) or _first(
        snapshots, EntityType.ENTITY, official=True, want=_has_email
    )
    if listed_email:
        email = next(i.value for i in listed_email.identifiers if i.kind == "email")
        candidates.append(
            {
                "first_name": "Alex",
                "last_name": "Morgan",
                "email_addresses": [{"value": email, "type": "personal"}],
            }
        )
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
