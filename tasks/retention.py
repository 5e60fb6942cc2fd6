"""`tasks.expire_inbox_bodies` (beat, hourly): webhook bodies are kept only while needed.

A delivery's raw body carries the applicant's name, e-mails and phones. Once processed, it is
needed only to look into a problem, so its body and headers are purged after
HIREWATCH_INBOX_RETENTION_DAYS; the row stays (status, dedupe key, times) for the audit trail.
Bodies about a candidate deleted or anonymised in the ATS go at once (`tasks.inbox`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from store.inbox import expire_bodies
from tasks import runtime
from tasks.app import app

log = logging.getLogger(__name__)


@app.task(name="tasks.expire_inbox_bodies", acks_late=True, ignore_result=True)
def expire_inbox_bodies() -> int:
    days = runtime.settings().inbox_retention_days
    with runtime.engine().begin() as conn:
        erased = expire_bodies(conn, timedelta(days=days))
    if erased:
        log.info("inbox.bodies_expired count=%d retention_days=%s", erased, days)
    return erased
