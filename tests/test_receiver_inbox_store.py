"""The inbox store on both databases: dedupe, status moves, what the sweeper finds."""

from __future__ import annotations

from datetime import timedelta

from store.db import make_engine
from store.inbox import (
    accept_delivery,
    body_dedupe_key,
    get_delivery,
    mark_queued,
    mark_unqueued,
    unqueued_ids,
)
from store.tables import installations


def test_accept_dedupe_and_status_moves(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(installations.insert().values(id="i1", platform="greenhouse", name="A", settings={}))
    delivery = dict(
        installation_id="i1",
        platform="greenhouse",
        dedupe_key=body_dedupe_key(b"{}"),
        event_type="new_candidate_application",
        event_kind="application_created",
        raw_body=b"{}",
        headers={"Signature": "sha256 ab", "Authorization": "Basic x", "X-Hook-Secret": "s"},
    )
    first = accept_delivery(engine, **delivery)
    again = accept_delivery(engine, **delivery)
    assert (first.duplicate, again.duplicate, again.inbox_id) == (False, True, first.inbox_id)
    with engine.begin() as conn:
        row = get_delivery(conn, first.inbox_id)
        assert (row.status, row.headers) == ("queued", {"signature": "sha256 ab"})
        assert unqueued_ids(conn, older_than=timedelta(0)) == []
        assert mark_unqueued(conn, first.inbox_id)  # the broker refused it
        assert get_delivery(conn, first.inbox_id).enqueued_at is None
    with engine.begin() as conn:
        assert unqueued_ids(conn, older_than=timedelta(0)) == [first.inbox_id]
        assert unqueued_ids(conn, older_than=timedelta(hours=1)) == []
        assert mark_queued(conn, first.inbox_id) and not mark_queued(conn, first.inbox_id)
        assert not mark_unqueued(conn, 999)
