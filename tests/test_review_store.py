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


def test_apply_review_drops_exactly_the_suppressed_items_and_is_idempotent() -> None:
    from tests.review_helpers import ScreeningResult, shared_phone_flag

    hit, other = sanctions_hit(), sanctions_hit("9999", "Kim Yong Chol")
    flag = shared_phone_flag("c9")
    result = ScreeningResult(
        id="c1", risk=Risk.HIGH, score=91, sanctions_hits=[hit, other], flags=[flag], lists={}
    )
    state = review.ReviewState(
        suppressed=frozenset({review.hit_key(hit), review.flag_key(flag)}),
        latest={review.hit_key(hit): "false_positive", review.flag_key(flag): "false_positive"},
        notes=("Reviewed: not this person",),
    )
    applied = review.apply_review(result, state)
    assert applied.sanctions_hits == [other] and applied.flags == []
    assert applied.risk == Risk.MEDIUM and applied.needs_review  # KIM Yong Chol is still undecided
    assert applied.reasons[-1] == "Reviewed: not this person"
    assert review.apply_review(applied, state) == applied
    decided = review.ReviewState(state.suppressed, {**state.latest, review.hit_key(other): "confirmed_match"})
    assert not review.apply_review(result, decided).needs_review
    # A changed list entry (new programs) is a new key: not suppressed.
    changed = sanctions_hit()
    changed.programs = ["DPRK3", "CYBER2"]
    assert review.hit_key(changed) != review.hit_key(hit)


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
    assert escalated["review_status"] == "escalated"
    assert escalated["hits"] == [review.hit_key(sanctions_hit())]  # every item shown: the one hit


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


def test_a_screening_that_asks_no_more_review_settles_a_pending_applicant(sqlite_url: str) -> None:
    from store.applicants import Screened, record_screenings
    from tests.review_helpers import ScreeningResult

    clear = ScreeningResult(id="x", risk=Risk.CLEAR, score=0, sanctions_hits=[], flags=[], lists={})
    with make_engine(sqlite_url).begin() as conn:
        ids = tenant_with_queue(conn, "acme")
        review.record_decision(
            conn, "acme", ids["ring"], decision=review.Decision.ESCALATE, reason="legal", actor="x"
        )
        # The hit went away (the list entry was removed): nothing is open any more.
        record_screenings(conn, "acme", [Screened(ids["match"], "acme-c1", clear)], "rescreen:1")
        record_screenings(conn, "acme", [Screened(ids["ring"], "acme-c2", clear)], "rescreen:1")
        status = dict(conn.execute(select(applicants.c.id, applicants.c.review_status)).all())
    assert status[ids["match"]] == "none"  # nobody decided anything: back to not reviewed
    assert status[ids["ring"]] == "escalated"  # an escalation stays until someone decides
