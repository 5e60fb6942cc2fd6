"""Attachments that could not be read: said to the recruiter, never scored.

A damaged, hostile or unreachable résumé must not stop a screening: the applicant is screened
on everything else, and the verdict says which file was not read and why, so the recruiter
knows what the screening did not see.
"""

from __future__ import annotations

from screening.models import Applicant, Flag, Severity

KIND_LABELS = {"resume": "résumé", "cover_letter": "cover letter"}


def unreadable_attachments(applicant: Applicant) -> list[Flag]:
    return [
        Flag(
            code="attachment_unreadable",
            severity=Severity.INFO,
            message=(
                f"{KIND_LABELS.get(a.kind, 'attachment')} unreadable ({a.filename}: {a.unreadable}); "
                "screened on everything else"
            ),
            evidence={"file": a.filename, "kind": a.kind, "reason": a.unreadable},
            score=0.0,
        )
        for a in applicant.attachments
        if a.unreadable
    ]
