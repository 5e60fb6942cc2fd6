"""Risk tag and note written back to the ATS: only when the verdict changed, each write once.

Order: remove our stale risk tags, add the new one, add the note. Each step goes through the
write-back ledger (`store.writebacks`): recorded `pending` before the API call and `done` after,
so a task run twice, or redelivered after its worker died, skips what already happened.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from connectors.base import Connector, Installation
from screening.models import Risk, ScreeningResult
from store import audit
from store.writebacks import (
    WriteStep,
    WrittenState,
    last_written,
    mark_done,
    set_written,
    step_pending,
    verdict_hash,
)

log = logging.getLogger(__name__)
ACTOR = "worker"


def note_text(installation: Installation, result: ScreeningResult, review_url: str) -> str:
    reasons = "\n".join(f"- {reason}" for reason in result.reasons) or "- no risk indicators found"
    template = installation.settings.get("note_template") or "HireWatch screening: {risk} risk.\n{reasons}"
    return template.format(risk=str(result.risk), reasons=reasons, review_url=review_url)


def risk_tag(installation: Installation, risk: Risk) -> str | None:
    return (installation.settings.get("tags") or {}).get(str(risk))


def write_back(
    engine: Engine,
    connector: Connector,
    installation: Installation,
    candidate_id: str,
    result: ScreeningResult,
    review_url: str,
) -> bool:
    """Bring the ATS in line with `result`; False when nothing needed writing."""
    vhash = verdict_hash(result)
    with engine.connect() as conn:
        previous = last_written(conn, installation.id, candidate_id)
    if previous and previous.verdict_hash == vhash:
        return False
    if previous is None and result.risk == Risk.CLEAR:
        return False  # nothing to tell a recruiter about an applicant we never flagged
    wanted = risk_tag(installation, result.risk)
    current = previous.tags if previous else []
    steps = [("untag", tag) for tag in current if tag != wanted]
    if wanted and wanted not in current:
        steps.append(("tag", wanted))
    steps.append(("note", "note"))
    actions = {
        "untag": lambda tag: connector.remove_tag(candidate_id, tag),
        "tag": lambda tag: connector.add_tag(candidate_id, tag),
        "note": lambda _target: connector.add_note(candidate_id, note_text(installation, result, review_url)),
    }
    for action, target in steps:
        step = WriteStep(installation.id, candidate_id, vhash, action, target)
        with engine.begin() as conn:
            if not step_pending(conn, step):
                continue
        actions[action](target)
        with engine.begin() as conn:
            mark_done(conn, step)
            audit.record(
                conn,
                action=f"writeback.{action}",
                actor=ACTOR,
                installation_id=installation.id,
                subject=candidate_id,
                details={"target": target, "risk": str(result.risk), "verdict_hash": vhash},
            )
    with engine.begin() as conn:
        tags = [wanted] if wanted else []
        set_written(conn, installation.id, candidate_id, WrittenState(vhash, str(result.risk), tags))
    log.info(
        "writeback.done installation=%s candidate=%s risk=%s steps=%d",
        installation.id,
        candidate_id,
        result.risk,
        len(steps),
    )
    return True
