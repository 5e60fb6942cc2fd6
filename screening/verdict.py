"""Sanctions hits and red flags combined into one risk level, a score and readable reasons.

Placeholder rules until the red-flag work lands: a name-only sanctions hit is a potential
match for review (at least MEDIUM); a corroborated one or an exact identifier is CRITICAL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.models import Flag, MatchedOn, Risk, SanctionsHit

IDENTIFIER_MATCHES = {
    MatchedOn.EMAIL,
    MatchedOn.WEBSITE,
    MatchedOn.PHONE,
    MatchedOn.CRYPTO_ADDRESS,
    MatchedOn.IDENTIFIER,
}


@dataclass(slots=True)
class Verdict:
    risk: Risk
    score: float
    reasons: list[str] = field(default_factory=list)
    needs_review: bool = False


def decide(hits: list[SanctionsHit], flags: list[Flag]) -> Verdict:
    risk, reasons = Risk.CLEAR, []
    for hit in hits:
        strong = hit.matched_on in IDENTIFIER_MATCHES or hit.corroborated
        hit_risk = Risk.CRITICAL if strong else Risk.MEDIUM
        risk = max(risk, hit_risk, key=lambda r: r.rank)
        reasons.append(f"potential sanctions match: {hit.explanation}")
    score = max([h.score for h in hits] + [f.score for f in flags] + [0.0])
    return Verdict(risk=risk, score=score, reasons=reasons, needs_review=bool(hits))
