"""`tasks.sweep_outbox` (beat): send the decision write-backs the task queue did not take.

A decision recorded while Redis was down is committed with its outbox row (`store.outbox`); this
sweeper hands it to the workers once the queue is back, and sends again a write-back whose task
went missing (still pending long after it was sent).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from store import outbox
from tasks import runtime
from tasks.app import LIVE_QUEUE, app

log = logging.getLogger(__name__)
WRITE_BACK_TASK = "tasks.write_back_decision"


@app.task(name="tasks.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    settings = runtime.settings()
    engine = runtime.engine()
    with engine.connect() as conn:
        due = outbox.due(
            conn,
            unsent_for=timedelta(seconds=min(settings.sweep_seconds, 10)),
            stuck_for=timedelta(minutes=settings.stuck_minutes),
        )
    for write_back in due:
        runtime.enqueue(WRITE_BACK_TASK, list(write_back.task_kwargs().values()), LIVE_QUEUE)
        with engine.begin() as conn:
            outbox.mark_sent(conn, write_back.decision_id)
    if due:
        log.info("outbox.swept write_backs=%d", len(due))
    return len(due)
