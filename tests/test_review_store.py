from sqlalchemy import select, update

from screening.models import Risk
from store import review
from store.db import make_engine
from store.tables import applicants, audit_log
from tests.review_helpers import add_screened_applicant, sanctions_hit, tenant_with_queue


def test_queue_is_highest_risk_first_and_tenant_scoped(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        tenant_with_queue(conn, "globex")
        queue = review.search_applicants(conn, "acme", needs_review=True)
    assert [row["id"] for row in queue] == [ids["ring"], ids["match"]]
    assert all(row["external_id"].startswith("acme-") for row in queue)


def test_search_by_name_and_id_and_risk_filter(sqlite_url: str) -> None:
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        assert [r["id"] for r in review.search_applicants(conn, "acme", query="jeong")] == [ids["match"]]
        assert [r["id"] for r in review.search_applicants(conn, "acme", query="ACME-C4")] == [ids["clear"]]
        assert [r["id"] for r in review.search_applicants(conn, "acme", risks=["low", "clear"])] == [
            ids["linked"],
            ids["clear"],
        ]


def test_false_positive_suppresses_hit_until_fingerprint_changes(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        key = review.hit_key(sanctions_hit())
        decision = review.record_decision(
            conn,
            "acme",
            ids["match"],
            decision=review.Decision.FALSE_POSITIVE,
            reason="DOB differs",
            actor="user:r@acme.test",
            hit=key,
        )
        assert decision["review_status"] == "decided"
        assert review.suppressed_hits(conn, "acme", ids["match"]) == {key}
        # The verdict without the suppressed hit is recorded at once, for the ATS write-back.
        latest = review.latest_screening(conn, "acme", ids["match"])
        assert (latest["trigger"], latest["risk"], latest["result"]["sanctions_hits"]) == (
            "decision",
            "clear",
            [],
        )
        assert review.get_applicant(conn, "acme", ids["match"])["risk"] == "clear"
        assert review.suppressed_hits(conn, "globex", ids["match"]) == set()
        conn.execute(update(applicants).where(applicants.c.id == ids["match"]).values(fingerprint="changed"))
        assert review.suppressed_hits(conn, "acme", ids["match"]) == set()
        actions = conn.execute(select(audit_log.c.action, audit_log.c.subject)).all()
    assert ("decision", "acme-c1") in actions


def test_apply_suppressions_recomputes_verdict() -> None:
    from tests.review_helpers import ScreeningResult

    hit = sanctions_hit()
    result = ScreeningResult(id="c1", risk=Risk.MEDIUM, score=91, sanctions_hits=[hit], flags=[], lists={})
    cleared = review.apply_suppressions(result, {review.hit_key(hit)})
    assert cleared.sanctions_hits == [] and cleared.risk == Risk.CLEAR and not cleared.needs_review
    assert "suppressed" in cleared.reasons[-1]
    # A changed list entry (new programs) is a new key: not suppressed.
    changed = sanctions_hit()
    changed.programs = ["DPRK3", "CYBER2"]
    assert review.apply_suppressions(
        ScreeningResult(id="c1", risk=Risk.MEDIUM, score=91, sanctions_hits=[changed], flags=[], lists={}),
        {review.hit_key(hit)},
    ).sanctions_hits == [changed]


def test_decision_needs_reason_and_known_hit(sqlite_url: str) -> None:
    import pytest

    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        with pytest.raises(review.ReviewError, match="reason"):
            review.record_decision(
                conn, "acme", ids["match"], decision=review.Decision.ESCALATE, reason=" ", actor="x"
            )
        with pytest.raises(review.ReviewError, match="not in"):
            review.record_decision(
                conn,
                "acme",
                ids["match"],
                decision=review.Decision.FALSE_POSITIVE,
                reason="r",
                actor="x",
                hit="ofac_sdn:1:name:zz",
            )
        escalated = review.record_decision(
            conn, "acme", ids["match"], decision=review.Decision.ESCALATE, reason="needs legal", actor="x"
        )
    assert escalated["review_status"] == "escalated" and escalated["hits"] == []


def test_tokens_are_hashed_and_scoped(sqlite_url: str) -> None:
    with make_engine(sqlite_url).begin() as conn:
        tenant_with_queue(conn, "acme")
        token, plain = review.create_token(conn, "acme", review.Scope.REVIEWER)
        stored = conn.execute(select(review.api_tokens.c.token_hash)).scalar_one()
        assert plain not in stored and len(stored) == 64
        found = review.authenticate_token(conn, plain)
        assert found == token and found.allows(review.Scope.REVIEWER) and not found.allows(review.Scope.ADMIN)
        assert review.authenticate_token(conn, plain + "x") is None


def test_users_password_hashed_and_checked(sqlite_url: str) -> None:
    with make_engine(sqlite_url).begin() as conn:
        tenant_with_queue(conn, "acme")
        review.add_user(conn, "acme", "Rev@Acme.test", "correct horse battery", review.Scope.REVIEWER)
        stored = conn.execute(select(review.users.c.password_hash)).scalar_one()
        assert stored.startswith("scrypt:")
        assert (
            review.authenticate_user(conn, "rev@acme.test", "correct horse battery").installation_id == "acme"
        )
        assert review.authenticate_user(conn, "rev@acme.test", "wrong password!!") is None
        assert review.authenticate_user(conn, "nobody@acme.test", "correct horse battery") is None


def test_linked_applicants_stay_in_tenant(sqlite_url: str) -> None:
    with make_engine(sqlite_url).begin() as conn:
        tenant_with_queue(conn, "acme")
        tenant_with_queue(conn, "globex")
        add_screened_applicant(conn, "globex", "acme-c3", "Impostor", Risk.LOW)
        found = review.applicants_by_external_id(conn, "acme", ["acme-c3"])
    assert found["acme-c3"]["name"] == "Sam Rivera"
