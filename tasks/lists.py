"""List refresh (beat, daily by default) and the delta re-screen it triggers.

When a new list version lands, only applicants whose result the change can move are re-screened
(screening.matching.delta.DeltaQuery: the blocking index queried with the added, changed and
removed entries and with the few entries whose token weights moved), and those whose latest
screening hit an entry that was removed or changed. Everyone else keeps a verdict the new
version cannot change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Connection

from screening.lists import ListError
from screening.lists.diff import ListDiff
from screening.lists.store import ListStore
from screening.matching.delta import DeltaQuery
from screening.matching.stored import prepare
from store import audit
from store.applicants import hits_of_flagged, iter_applicants
from store.jobs import add_chunk, create_job
from tasks import runtime
from tasks.app import BULK_QUEUE, app

log = logging.getLogger(__name__)
CHUNK_SIZE = 100


def delta_targets(conn: Connection, query: DeltaQuery, diffs: dict[str, ListDiff]) -> dict[str, list[int]]:
    """Installation id -> applicant row ids the list change may affect (screening.matching.delta),
    and those whose latest screening hit an entry that is gone or changed (perhaps screened
    against an older version than the one just replaced)."""
    targets: dict[str, set[int]] = defaultdict(set)
    for row_id, installation_id, applicant in iter_applicants(conn):
        if query.affects(applicant):
            targets[installation_id].add(row_id)
    stale = {
        (name, entity.native_id)
        for name, diff in diffs.items()
        for entity in [*diff.removed, *(old for old, _ in diff.changed)]
    }
    for row_id, installation_id, hits in hits_of_flagged(conn):
        if any((hit.get("list"), str(hit.get("entity_id"))) in stale for hit in hits):
            targets[installation_id].add(row_id)
    return {installation_id: sorted(ids) for installation_id, ids in targets.items()}


def start_delta_rescreen(diffs: dict[str, ListDiff], version: str) -> list[int]:
    """One `delta` job per affected installation, its chunks queued on `bulk`; the job ids."""
    engine = runtime.engine()
    job_ids = []
    query = DeltaQuery(runtime.screener_cache().get(check_now=True).index, diffs)
    with engine.connect() as conn:
        targets = delta_targets(conn, query, diffs)
    for installation_id, row_ids in targets.items():
        with engine.begin() as conn:
            job_id = create_job(conn, installation_id, kind="delta", requested_by=f"lists:{version}")
            chunks = [row_ids[i : i + CHUNK_SIZE] for i in range(0, len(row_ids), CHUNK_SIZE)]
            chunk_ids = [
                add_chunk(conn, job_id, chunk, next_cursor=None, last=number == len(chunks))
                for number, chunk in enumerate(chunks, start=1)
            ]
        for chunk_id in chunk_ids:
            runtime.enqueue("tasks.rescreen_chunk", [chunk_id], BULK_QUEUE)
        job_ids.append(job_id)
    log.info(
        "delta.started version=%s applicants=%d jobs=%s",
        version,
        sum(len(v) for v in targets.values()),
        job_ids,
    )
    return job_ids


@app.task(name="tasks.refresh_lists", acks_late=True, reject_on_worker_lost=True)
def refresh_lists(source_dir: str | None = None) -> dict:
    """Download (or import `source_dir`) the lists; on change, start the delta re-screen."""
    settings = runtime.settings()
    store = ListStore(settings.lists_dir)
    try:
        update = store.import_directory(Path(source_dir)) if source_dir else store.update()
    except ListError as exc:  # refused or unreachable: the current version stays in use
        with runtime.engine().begin() as conn:
            audit.record(
                conn,
                action="lists.refused",
                actor="beat",
                installation_id=None,
                details={"reason": str(exc)[:1000]},
            )
        log.error("lists.refresh_failed reason=%s", exc)
        return {"changed": False, "error": str(exc)}
    summary = {"version": update.version.id, "changed": update.changed, "jobs": []}
    prepare(store)  # workers load the new version's index instead of each building it
    if update.changed:
        with runtime.engine().begin() as conn:
            audit.record(
                conn,
                action="lists.updated",
                actor="beat",
                installation_id=None,
                subject=update.version.id,
                details={
                    "previous": update.previous,
                    "diff": {n: d.counts() for n, d in update.diffs.items()},
                },
            )
    if update.changed and update.previous:
        summary["jobs"] = start_delta_rescreen(update.diffs, update.version.id)
    return summary
