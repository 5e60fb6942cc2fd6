"""Risk tag and note written back to the ATS: only when the verdict changed, each write once.

Order: remove our stale risk tags, add the new one, add the note, then, where the installation
opted in, the verdict field the platform has (Ashby's fraud status). Each step goes through the
write-back ledger (`store.writebacks`): recorded `pending` before the API call and `done` after,
so a task run twice, or redelivered after its worker died, skips what already happened.

Tags are idempotent on every platform; a note is not. Each note ends with its ledger step's
reference, so when a note step is found `pending` (the worker died after calling the ATS, maybe
after the ATS stored the note) the connector is asked whether a note with that reference is
already on the candidate, and the POST is skipped if so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine

from connectors.base import Connector, ConnectorAbort, Installation
from screening.models import Risk, ScreeningResult
from store import audit
from store.writebacks import (
    WriteStep,
    WrittenState,
    last_written,
    mark_done,
    set_written,
    step_status,
    verdict_hash,
)

log = logging.getLogger(__name__)
ACTOR = "worker"
REFERENCE_LINE = "HireWatch ref: {reference}"


def note_text(installation: Installation, result: ScreeningResult, review_url: str, reference: str) -> str:
    reasons = "\n".join(f"- {reason}" for reason in result.reasons) or "- no risk indicators found"
    template = installation.settings.get("note_template") or "HireWatch screening: {risk} risk.\n{reasons}"
    body = template.format(risk=str(result.risk), reasons=reasons, review_url=review_url)
    # Appended after the template, so no installation's template can drop what a retry looks for.
    return f"{body.rstrip()}\n\n{REFERENCE_LINE.format(reference=reference)}"


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
    if verdict := connector.verdict_status(result.risk):
        steps.append(("verdict", verdict))
    actions: dict[str, Callable[[WriteStep], str | None]] = {
        "untag": lambda step: connector.remove_tag(candidate_id, step.target),
        "tag": lambda step: connector.add_tag(candidate_id, step.target),
        "note": lambda step: connector.add_note(
            candidate_id, note_text(installation, result, review_url, step.reference)
        ),
        "verdict": lambda step: connector.write_verdict(candidate_id, step.target),
    }
    for action, target in steps:
        step = WriteStep(installation.id, candidate_id, vhash, action, target)
        details = {"target": target, "risk": str(result.risk), "verdict_hash": vhash}
        _run_step(engine, connector, step, actions[action], details)
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


def _run_step(
    engine: Engine,
    connector: Connector,
    step: WriteStep,
    write: Callable[[WriteStep], str | None],
    details: dict,
) -> None:
    """Write one step unless the ledger, or for a note the ATS itself, shows it already happened."""
    with engine.begin() as conn:
        status = step_status(conn, step)
    if status == "done":
        return
    if status == "pending" and step.action == "note" and _note_on_ats(connector, step):
        details = {**details, "found_existing": True}
    elif outcome := write(step):
        details = {**details, "outcome": outcome}
    with engine.begin() as conn:
        mark_done(conn, step)
        audit.record(
            conn,
            action=f"writeback.{step.action}",
            actor=ACTOR,
            installation_id=step.installation_id,
            subject=step.candidate_id,
            details=details,
        )


def _note_on_ats(connector: Connector, step: WriteStep) -> bool:
    """Whether an earlier attempt's note is on the candidate; a platform that cannot say gets it again."""
    try:
        found = connector.find_note(step.candidate_id, step.reference)
    except ConnectorAbort as exc:
        if exc.reason != "forbidden":
            raise
        # A key without the notes-read permission (keys made before it was needed) can still write.
        log.warning(
            "writeback.note_read_forbidden platform=%s installation=%s: grant the API key the notes-read "
            "permission listed in manifest.json so a retried note is not posted twice",
            connector.name,
            step.installation_id,
        )
        found = None
    if found is None:
        log.warning(
            "writeback.note_unverified platform=%s installation=%s candidate=%s reference=%s: "
            "notes cannot be read back, so the note is posted again (at least once)",
            connector.name,
            step.installation_id,
            step.candidate_id,
            step.reference,
        )
    elif found:
        log.info(
            "writeback.note_found installation=%s candidate=%s reference=%s: an earlier attempt wrote it",
            step.installation_id,
            step.candidate_id,
            step.reference,
        )
    return bool(found)
