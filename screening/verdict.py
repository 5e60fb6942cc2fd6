"""Sanctions hits and red flags combined into one risk level, a 0-100 score and readable reasons.

Rules, most important first:
- `critical` only for a strong match on a legal sanctions list (OFAC SDN, OFAC non-SDN, UN): an
  exact listed identifier (e-mail, website, phone, wallet, passport...) or a name match that
  the same full date of birth corroborates and nothing contradicts. The name must match on its
  own (a common name that only the date lifts over the threshold does not) and not by a weak
  a.k.a. (OFAC FAQ 122-125: weaker evidence; such a hit stays a potential match, medium).
- A date of birth that agrees only roughly (the list gives a year, "circa", several years, a
  range, or 1 January) corroborates less: `high` for review, not critical.
- A name-only sanctions match is a *potential* match: at least `medium` and marked for review,
  never more on its own (OFAC FAQ 5: partial-name matches are not valid without more data).
  Several name-only matches do not add up: a common name that resembles two listed people is
  no likelier to be either of them, so only the best one counts toward the score.
- A past employer that is a listed entity is `high` when the match is exact (company forms aside)
  or the entity is on the advisories list of IT-worker front companies, unless only a weak a.k.a.
  matched: strong evidence of the
  scheme, but the applicant is not the listed party, so not critical. A fuzzy employer match on
  a legal list is a potential match for review: company names are generic ("Silver Tech").
- The advisories list is a watchlist of people, front companies and domains named in
  Treasury/DOJ/FBI releases, not a legal sanctions list: an exact identifier or a front company
  as employer is `high` (strong evidence of the scheme, but no legal blocking duty, so not
  critical); a name-only match there is a potential match, `medium`, for review.
- Flags add their scores. The single-application contact checks together are capped below
  `medium`: each is a weak, noisy signal (typos, moves, nicknames), so they can only raise a
  verdict that something stronger already supports.

Nothing here reads nationality, citizenship, country of birth, name origin or language: hits and
flags carry none of them into the score, and the fairness tests hold that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.models import Flag, MatchedOn, Risk, SanctionsHit
from screening.redflags import RULES

IDENTIFIER_MATCHES = {
    MatchedOn.EMAIL,
    MatchedOn.WEBSITE,
    MatchedOn.PHONE,
    MatchedOn.CRYPTO_ADDRESS,
    MatchedOn.IDENTIFIER,
}
SANCTIONS_LISTS = frozenset({"ofac_sdn", "ofac_cons", "un"})
CONTACT_CODES = frozenset(rule.code for rule in RULES)


@dataclass(frozen=True, slots=True)
class VerdictConfig:
    """Weights and thresholds; each default with its reason."""

    # Score bands. 40 for medium: one strong link (shared phone, résumé, profile, wallet: 45) is
    # enough for a reviewer to look; the weak contact checks together (capped at 35) are not.
    # 70 for high: three identities on one key, or two different strong links, or a watchlist
    # identifier. 15 for low: a single weak signal (disposable e-mail) is worth showing.
    low: float = 15.0
    medium: float = 40.0
    high: float = 70.0
    # The contact checks (disposable e-mail, invalid phone, VoIP, phone country vs location, name
    # vs handle) together never reach medium: each has a high false-positive rate on honest people.
    contact_cap: float = 35.0
    # A name-only potential match scores just over medium: review, not a finding.
    potential_match_score: float = 45.0
    # Watchlist (advisories) identifier or front-company employer: high, below critical.
    watchlist_strong_score: float = 75.0
    # A name that matches on its own with a date of birth that agrees only roughly (a year,
    # circa, several years): high, for review; a full date of birth makes it critical.
    likely_match_score: float = 75.0
    # An employer this close to a listed entity's name is that entity (company forms normalised).
    exact_employer_score: float = 97.0
    strong_sanctions_score: float = 100.0
    sanctions_lists: frozenset[str] = SANCTIONS_LISTS


DEFAULT_CONFIG = VerdictConfig()


@dataclass(slots=True)
class Verdict:
    risk: Risk
    score: float
    reasons: list[str] = field(default_factory=list)
    needs_review: bool = False


@dataclass(frozen=True, slots=True)
class _Assessed:
    score: float
    floor: Risk  # the least risk this item alone implies
    reason: str
    potential: bool = False  # a name-only potential match: these do not add up


def decide(hits: list[SanctionsHit], flags: list[Flag], config: VerdictConfig = DEFAULT_CONFIG) -> Verdict:
    assessed = [_assess_hit(hit, config) for hit in hits]
    contact = [f for f in flags if f.code in CONTACT_CODES]
    others = [f for f in flags if f.code not in CONTACT_CODES]
    potential = [a.score for a in assessed if a.potential]
    score = sum(a.score for a in assessed if not a.potential) + max(potential, default=0.0)
    score += sum(f.score for f in others)
    score += min(config.contact_cap, sum(f.score for f in contact))
    score = round(min(100.0, score), 1)
    risk = max([_band(score, config), *(a.floor for a in assessed)], key=lambda r: r.rank)
    if risk == Risk.CRITICAL and not any(a.floor == Risk.CRITICAL for a in assessed):
        risk = Risk.HIGH  # only a strong legal sanctions match is critical
    ranked = sorted(assessed, key=lambda a: (-a.floor.rank, -a.score))
    reasons = [a.reason for a in ranked] + [f.message for f in sorted(flags, key=lambda f: -f.score)]
    return Verdict(
        risk=risk, score=score, reasons=reasons, needs_review=bool(hits) or risk.rank >= Risk.MEDIUM.rank
    )


def _band(score: float, config: VerdictConfig) -> Risk:
    if score >= config.high:
        return Risk.HIGH
    if score >= config.medium:
        return Risk.MEDIUM
    if score >= config.low:
        return Risk.LOW
    return Risk.CLEAR


def _assess_hit(hit: SanctionsHit, config: VerdictConfig) -> _Assessed:
    exact_identifier = hit.matched_on in IDENTIFIER_MATCHES
    corroborated_name = hit.corroborated and not hit.contradicted and not _weak(hit)
    roughly_corroborated = hit.details.get("corroboration") == "partial" and not hit.contradicted
    source = f"{hit.list}: {hit.entity_name}"
    if hit.programs:
        source += f" [{', '.join(hit.programs)}]"
    if (
        hit.matched_on == MatchedOn.EMPLOYER
        and not _weak(hit)
        and (hit.list not in config.sanctions_lists or hit.score >= config.exact_employer_score)
    ):
        return _Assessed(
            config.watchlist_strong_score, Risk.HIGH, f"past employer is listed ({source}): {hit.explanation}"
        )
    if hit.list in config.sanctions_lists:
        if exact_identifier or corroborated_name:
            return _Assessed(
                config.strong_sanctions_score, Risk.CRITICAL, f"sanctions match ({source}): {hit.explanation}"
            )
        if roughly_corroborated:
            return _Assessed(
                config.likely_match_score,
                Risk.HIGH,
                f"likely match: review; the date of birth agrees only roughly ({source}): {hit.explanation}",
            )
        caveat = " (date of birth or other data disagrees)" if hit.contradicted else ""
        if _weak(hit):
            caveat += " (a weak a.k.a.: OFAC calls these weaker evidence)"
        return _Assessed(
            config.potential_match_score,
            Risk.MEDIUM,
            f"potential match: review ({source}){caveat}: {hit.explanation}",
            potential=True,
        )
    watchlist = f"watchlist, not a sanctions list ({source})"
    if exact_identifier or corroborated_name:
        return _Assessed(config.watchlist_strong_score, Risk.HIGH, f"{watchlist}: {hit.explanation}")
    return _Assessed(
        config.potential_match_score,
        Risk.MEDIUM,
        f"potential match: review ({watchlist}): {hit.explanation}",
        potential=True,
    )


def _weak(hit: SanctionsHit) -> bool:
    """Matched a weak a.k.a. ("low quality" on OFAC's list): never high or critical on its own."""
    return hit.details.get("name_kind") == "weak" and hit.matched_on not in IDENTIFIER_MATCHES
