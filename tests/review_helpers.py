"""Scenario builders for the review, API and badge tests: rows inserted straight into the tables."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Connection, Engine

from screening.lists.store import ListStore
from screening.models import Flag, MatchedOn, Risk, SanctionsHit, ScreeningResult, Severity
from store.inbox import MISSING_IN_ATS, accept_delivery
from store.secretbox import SecretBox
from store.tables import applicants, inbox, installations, screenings
from tests.conftest import private_redis_url


def sanctions_hit(entity_id: str = "36542", name: str = "RI Jong Chol", score: float = 91.0) -> SanctionsHit:
    return SanctionsHit(
        list="ofac_sdn",
        entity_id=entity_id,
        entity_name=name.upper(),
        matched_name=name.upper(),
        matched_on=MatchedOn.NAME,
        score=score,
        programs=["DPRK3"],
        explanation=f"family name RI~LEE (romanisation), given name JONG CHOL~JEONG CHEOL; score {score}",
        applicant_value="Lee Jeong-cheol",
        entity_type="individual",
        details={"aligned": [["RI", "Lee"], ["JONG", "Jeong"], ["CHOL", "cheol"]]},
    )


def shared_phone_flag(*linked: str) -> Flag:
    return Flag(
        code="shared_phone",
        severity=Severity.HIGH,
        message=f"shares phone +1 415 555 0100 with {len(linked)} applicants under other names: "
        + ", ".join(linked),
        evidence={"phone": "+14155550100", "applicants": list(linked)},
        score=60.0,
    )


def add_installation(conn: Connection, installation_id: str, name: str | None = None) -> str:
    """A Greenhouse installation with Harvest v3 client credentials."""
    conn.execute(
        installations.insert().values(
            id=installation_id,
            platform="greenhouse",
            name=name or installation_id,
            settings={},
            client_id="client-1",
            client_secret_enc=SecretBox("test-secret-key").encrypt("client-secret"),
            on_behalf_of="4080",
        )
    )
    return installation_id


def add_screened_applicant(
    conn: Connection,
    installation_id: str,
    external_id: str,
    name: str,
    risk: Risk,
    hits: list[SanctionsHit] = (),
    flags: list[Flag] = (),
    review_status: str = "pending",
) -> int:
    score = max([h.score for h in hits] + [f.score for f in flags] + [0.0])
    fingerprint = hashlib.sha256(f"{installation_id}:{external_id}:{name}".encode()).hexdigest()
    applicant_id = conn.execute(
        applicants.insert().values(
            installation_id=installation_id,
            external_id=external_id,
            name=name,
            data={"id": external_id, "name": name, "emails": [f"{external_id}@example.com"]},
            fingerprint=fingerprint,
            risk=risk.value,
            score=score,
            review_status=review_status,
        )
    ).inserted_primary_key[0]
    result = ScreeningResult(
        id=external_id,
        risk=risk,
        score=score,
        sanctions_hits=list(hits),
        flags=list(flags),
        lists={"ofac_sdn": "abc123"},
        reasons=[h.explanation for h in hits] + [f.message for f in flags],
        needs_review=bool(hits),
    )
    conn.execute(
        screenings.insert().values(
            installation_id=installation_id,
            applicant_id=applicant_id,
            trigger="webhook",
            risk=risk.value,
            score=score,
            result=_jsonable(result),
            list_versions=result.lists,
        )
    )
    return applicant_id


def _jsonable(result: ScreeningResult) -> dict:
    data = asdict(result)
    data["risk"] = str(result.risk)
    for hit in data["sanctions_hits"]:
        hit["matched_on"] = str(hit["matched_on"])
    for flag in data["flags"]:
        flag["severity"] = str(flag["severity"])
    return data


def tenant_with_queue(conn: Connection, installation_id: str) -> dict[str, int]:
    """One tenant: a name-only sanctions match, a shared-phone ring of two, and a clear applicant."""
    add_installation(conn, installation_id)
    return {
        "match": add_screened_applicant(
            conn,
            installation_id,
            f"{installation_id}-c1",
            "Lee Jeong-cheol",
            Risk.MEDIUM,
            hits=[sanctions_hit()],
        ),
        "ring": add_screened_applicant(
            conn,
            installation_id,
            f"{installation_id}-c2",
            "Alex Turner",
            Risk.HIGH,
            flags=[shared_phone_flag(f"{installation_id}-c3")],
        ),
        "linked": add_screened_applicant(
            conn, installation_id, f"{installation_id}-c3", "Sam Rivera", Risk.LOW, review_status="none"
        ),
        "clear": add_screened_applicant(
            conn, installation_id, f"{installation_id}-c4", "Maria Lopez", Risk.CLEAR, review_status="none"
        ),
    }


def make_app(database_url: str, data_dir, **overrides):
    """The real app on a given database, with settings as the environment would give them."""
    from dataclasses import replace

    from integration.app import create_app
    from integration.config import Settings

    values = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key",
        "public_url": "http://hirewatch.test",
        "lists_dir": data_dir / "lists",
        # Tasks the tests enqueue go to a Redis database of their own, not the workers' queue.
        "redis_url": private_redis_url(13),
    }
    settings = replace(Settings.from_env(), **{**values, **overrides})
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


LIST_FIXTURE = Path(__file__).parent / "fixtures" / "lists" / "basic"


def two_list_versions(lists_dir: Path, work_dir: Path) -> tuple[str, str]:
    """Import the small real-row list fixture, then a copy with its first SDN entry removed."""
    store = ListStore(lists_dir)
    first = store.import_directory(LIST_FIXTURE).version.id
    newer = Path(shutil.copytree(LIST_FIXTURE, work_dir / "lists-newer"))
    sdn = newer / "ofac" / "sdn.csv"
    sdn.write_bytes(b"\r\n".join(sdn.read_bytes().split(b"\r\n")[1:]))
    return first, store.import_directory(newer).version.id


def add_missing_in_ats(engine: Engine, installation_id: str, count: int) -> None:
    """`count` deliveries the ATS answered 404 for, as the worker leaves them."""
    for n in range(count):
        accepted = accept_delivery(
            engine, installation_id=installation_id, platform="greenhouse", dedupe_key=f"missing-{n}",
            event_type="update_candidate", event_kind="candidate_updated", raw_body=b"{}", headers={},
        )  # fmt: skip
        with engine.begin() as conn:
            conn.execute(inbox.update().where(inbox.c.id == accepted.inbox_id).values(status=MISSING_IN_ATS))


def sign_in(client, email: str, password: str):
    """Log in to the review pages as a browser would (the login form's CSRF token included)."""
    import re

    page = client.get("/review/login").data
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    return client.post("/review/login", data={"email": email, "password": password, "csrf_token": csrf})
