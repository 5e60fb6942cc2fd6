"""SanctionsIndex: every loaded list, ready to screen one applicant after another.

Names of people are screened against listed individuals; employers against listed
organisations (entities, and anything that is not a person, vessel or aircraft); e-mails,
websites, phones and crypto addresses exactly against listed identifiers. Date of birth
corroborates or contradicts a name match. Nationality and country are never looked at.

Delta re-screens (screening.matching.delta) build small indexes over a list change with the full
index's `frequencies` and ask which applicants they `touch`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace

from screening.matching.blocking import Candidate, NameIndex, TokenFrequencies
from screening.matching.compact import State
from screening.matching.companies import company_name
from screening.matching.dates import DobAgreement, compare_birth_dates
from screening.matching.identifiers import IdentifierIndex
from screening.matching.names import explain
from screening.matching.organisations import OrganisationIndex, OrgFrequencies
from screening.matching.organisations import explain as explain_employer
from screening.matching.scorer import PersonModel, load_person_model
from screening.matching.text import NameForm, korean_reading, person_name
from screening.models import Applicant, Entity, EntityType, ListSnapshot, MatchedOn, NameKind, SanctionsHit

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 80.0
DOB_AGREES_BONUS = 8.0
# A rough date (a year, circa, several years) is shared by many: it raises a name match less.
DOB_ADJUSTMENT = {
    DobAgreement.AGREES: DOB_AGREES_BONUS,
    DobAgreement.ROUGHLY_AGREES: DOB_AGREES_BONUS / 2,
    DobAgreement.DISAGREES: -20.0,
    DobAgreement.UNKNOWN: 0.0,
}
STRONG_NAME_SCORE = 90.0  # a rough date of birth corroborates only a name matching this closely
COMMON_NAME_WEIGHT = 0.5  # a name whose every part weighs less is a common name
WEAK_ALIAS_FACTOR = 0.9  # OFAC FAQ 122-125: weak a.k.a.s alone are weaker evidence
IDENTIFIER_SCORE = 100.0
PERSON_TYPES = {EntityType.INDIVIDUAL}
NOT_ORGANISATIONS = {EntityType.INDIVIDUAL, EntityType.VESSEL, EntityType.AIRCRAFT}
# "model" (default): people's names scored by the fitted model (bench/fit_matcher.py) over the
# per-part features; "reviewed": the hand-set rules, with the model setting aside the near alerts it
# reads as another person; "rules": the hand-set rules alone (figures of each: bench/README.md).
PERSON_SCORERS = ("model", "reviewed", "rules")
PERSON_SCORER = os.environ.get("HIREWATCH_PERSON_SCORER", "model")


def person_model(scorer: str) -> PersonModel | None:
    """The fitted model the person index consults for HIREWATCH_PERSON_SCORER (None: the rules alone)."""
    if scorer not in PERSON_SCORERS:
        raise ValueError(f"HIREWATCH_PERSON_SCORER={scorer!r}: use one of {', '.join(PERSON_SCORERS)}")
    if scorer == "rules":
        return None
    model = load_person_model()
    if scorer == "model":
        return replace(model, review=None)
    if model.review is None:  # a model file from before reviews: the rules alone, as before
        log.warning("person_model.json has no review settings: names scored by the rules alone; "
                    "rerun bench/fit_matcher.py")  # fmt: skip
        return None
    return model


PERSON_MODEL = person_model(PERSON_SCORER)


def indexed_names(entities: list[Entity]) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """(owner, name, kind) of the people's names and of the organisations' names."""
    people, organisations = [], []
    for owner, entity in enumerate(entities):
        names = [(owner, n.value, str(n.kind)) for n in entity.names if n.value.strip()]
        if entity.type in PERSON_TYPES:
            people += names
        elif entity.type not in NOT_ORGANISATIONS:
            organisations += names
    return people, organisations


def person_forms(typed: str) -> list[tuple[NameForm, str]]:
    """The forms a typed name is screened in, with the Korean reading each stands for ("" for none).

    A name in Han characters is read as Chinese and, as Korean names are written in hanja too, as
    Korean (金英哲 -> 김영철 -> Kim Yong Chol): the best hit per entry counts."""
    reading = korean_reading(typed)
    return [(person_name(typed), "")] + ([(person_name(reading), reading)] if reading else [])


def name_evidence(score: float, kind: str) -> float:
    """What a listed name's score proves: a weak a.k.a. alone is weaker evidence."""
    return score * WEAK_ALIAS_FACTOR if kind == NameKind.WEAK else score


def hit_score(name_score: float, agreement: DobAgreement) -> float:
    """A name hit's score as shown and held against the threshold: the date of birth's adjustment,
    one decimal."""
    return round(max(0.0, min(100.0, name_score + DOB_ADJUSTMENT[agreement])), 1)


class SanctionsIndex:
    def __init__(
        self,
        snapshots: list[ListSnapshot],
        threshold: float = DEFAULT_THRESHOLD,
        frequencies: tuple[TokenFrequencies, OrgFrequencies] | None = None,
        state: Mapping | None = None,
    ) -> None:
        """state: a stored index's `state()` over these same snapshots (screening.matching.stored),
        taken over instead of building."""
        self.threshold = threshold
        self.versions = {s.name: s.version for s in snapshots}
        self.entities: list[Entity] = [e for s in snapshots for e in s.entities]
        self._version_of = {s.name: s.version for s in snapshots}
        self.people = NameIndex(person_name, single_part_names=False, model=PERSON_MODEL)
        self.organisations = OrganisationIndex()
        self.identifiers = IdentifierIndex()
        if state is not None:
            self.people.restore(state, "people.")
            self.organisations.restore(state, "organisations.")
            self.identifiers.restore(state, "identifiers.")
        else:
            for owner, entity in enumerate(self.entities):
                self.identifiers.add(owner, entity)
            people, organisations = indexed_names(self.entities)
            person_freq, org_freq = frequencies or (None, None)
            self.people.build(people, person_freq)
            self.organisations.build(organisations, org_freq)
        log.info(
            "sanctions index ready entities=%d person_names=%d organisation_names=%d",
            len(self.entities), len(self.people.names), len(self.organisations.names),
        )  # fmt: skip

    def state(self) -> State:
        """What was built from the snapshots, as flat lists and arrays (the entities are the snapshots')."""
        return {
            **self.people.state("people."),
            **self.organisations.state("organisations."),
            **self.identifiers.state("identifiers."),
        }

    @property
    def frequencies(self) -> tuple[TokenFrequencies, OrgFrequencies]:
        """Token frequencies to reuse when building a small delta index over changed entries."""
        return self.people.frequencies, self.organisations.frequencies

    def candidate_counts(self, applicant: Applicant) -> list[int]:
        """How many listed names the blocking index puts forward, before the MAX_CANDIDATES cut, for
        each form of the applicant's name (person_forms) and for each employer (in that order)."""
        typed = applicant.full_name.strip()
        forms = [(self.people, form) for form, _ in person_forms(typed)] if typed else []
        forms += [(self.organisations, company_name(e)) for e in applicant.employers]
        return [len(index.candidate_ids(form, limit=None)) for index, form in forms]

    def match(self, applicant: Applicant) -> list[SanctionsHit]:
        """Every list entry the applicant could be, best first (one hit per entry and kind)."""
        hits: dict[tuple[str, str, str], SanctionsHit] = {}
        for hit in (
            self._name_hits(applicant) + self._employer_hits(applicant) + self._identifier_hits(applicant)
        ):
            key = (hit.list, hit.entity_id, hit.matched_on)
            if key not in hits or hit.score > hits[key].score:
                hits[key] = hit
        return sorted(hits.values(), key=lambda h: (-h.score, h.list, h.entity_id, h.matched_on))

    @property
    def name_floor(self) -> float:
        """The least name score a date of birth can lift to the threshold: lower ones are never hits."""
        return self.threshold - DOB_AGREES_BONUS

    def _name_hits(self, applicant: Applicant) -> list[SanctionsHit]:
        typed = applicant.full_name.strip()
        if not typed:
            return []
        best: dict[tuple[str, str], SanctionsHit] = {}
        for form, read_as in person_forms(typed):
            for candidate in self.people.search(form, self.name_floor):
                hit = self._name_hit(applicant, typed, form, read_as, candidate)
                current = best.get((hit.list, hit.entity_id))
                if hit.score >= self.threshold and (current is None or hit.score > current.score):
                    best[(hit.list, hit.entity_id)] = hit
        return list(best.values())

    def _name_hit(
        self, applicant: Applicant, typed: str, form: NameForm, read_as: str, candidate: Candidate
    ) -> SanctionsHit:
        name, comparison = candidate.name, candidate.comparison
        entity = self.entities[name.owner]
        name_score = name_evidence(comparison.score, name.kind)
        agreement = compare_birth_dates(applicant.date_of_birth, entity.birth_dates)
        score = hit_score(name_score, agreement)
        common = self._common_name(form.tokens)
        corroboration = self._corroboration(agreement, name_score, name.kind, common)
        # As typed: digits are never shown read as letters.
        clauses = explain(comparison, form.shown or form.tokens, name.form.shown or name.form.tokens,
                          name.form.family)  # fmt: skip
        if read_as:
            clauses = f"read in Korean as {read_as}: {clauses}"
        kind = (
            "weak a.k.a."
            if name.kind == NameKind.WEAK
            else "name"
            if name.kind == NameKind.PRIMARY
            else name.kind
        )
        explanation = f"{typed} vs listed {kind} {name.value}: {clauses}"
        if agreement != DobAgreement.UNKNOWN:
            explanation += f"; date of birth {agreement.value} ({', '.join(entity.birth_dates)})"
            if agreement != DobAgreement.DISAGREES and not corroboration:
                explanation += ", which does not confirm so common a name or so weak a match"
        matched_on = MatchedOn.NAME if name.kind == NameKind.PRIMARY else MatchedOn.ALIAS
        return self._hit(entity, name.value, matched_on, score, explanation, typed,
                         corroborated=corroboration == "full",
                         contradicted=agreement == DobAgreement.DISAGREES,
                         name_kind=str(name.kind), corroboration=corroboration)  # fmt: skip

    def _corroboration(self, agreement: DobAgreement, name_score: float, kind: str, common: bool) -> str:
        """How far the date of birth corroborates a name that matches on its own (not by a weak
        a.k.a., not only thanks to the date's bonus): 'full' for the same full date (critical);
        'partial' (high) for a rough date (a year, circa, several years) with a name that matches
        closely and is not common; '' otherwise: many people share a common name and a birth
        year."""
        if kind == NameKind.WEAK or name_score < self.threshold:
            return ""
        if agreement == DobAgreement.AGREES:
            return "full"  # the same day, month and year: rare even for a common name
        if agreement == DobAgreement.ROUGHLY_AGREES and not common and name_score >= STRONG_NAME_SCORE:
            return "partial"
        return ""

    def _common_name(self, tokens: tuple[str, ...]) -> bool:
        """Every part of the name is common on the lists or worldwide ("Muhammad Khan")."""
        return all(self.people.frequencies.weight(t) < COMMON_NAME_WEIGHT for t in tokens)

    def _employer_hits(self, applicant: Applicant) -> list[SanctionsHit]:
        hits = []
        for employer in applicant.employers:
            form = company_name(employer)
            for candidate in self.organisations.search(form, self.threshold):
                name, comparison = candidate.name, candidate.comparison
                entity = self.entities[name.owner]
                kind = "weak a.k.a." if name.kind == NameKind.WEAK else f"{entity.type} name"
                clauses = explain_employer(comparison, form, name.form, self.organisations.frequencies.weight)
                explanation = f"employer {employer} vs listed {kind} {name.value}: {clauses}"
                hits.append(self._hit(entity, name.value, MatchedOn.EMPLOYER,
                                      comparison.score, explanation, employer,
                                      name_kind=str(name.kind)))  # fmt: skip
        return hits

    def _identifier_hits(self, applicant: Applicant) -> list[SanctionsHit]:
        hits = []
        for found in self.identifiers.match(applicant):
            entity = self.entities[found.owner]
            explanation = f"{found.explanation} for {entity.primary_name}"
            hits.append(self._hit(entity, found.listed_value, found.matched_on,
                                  IDENTIFIER_SCORE, explanation, found.applicant_value,
                                  corroborated=True))  # fmt: skip
        return hits

    def _hit(self, entity: Entity, matched_name: str, matched_on: MatchedOn, score: float,
             explanation: str, applicant_value: str, corroborated: bool = False,
             contradicted: bool = False, name_kind: str = "",
             corroboration: str = "") -> SanctionsHit:  # fmt: skip
        return SanctionsHit(
            list=entity.list,
            entity_id=entity.native_id,
            entity_name=entity.primary_name,
            matched_name=matched_name,
            matched_on=matched_on,
            score=round(max(0.0, score), 1),
            programs=list(entity.programs),
            explanation=explanation,
            applicant_value=applicant_value,
            entity_type=str(entity.type),
            corroborated=corroborated,
            contradicted=contradicted,
            list_version=self._version_of.get(entity.list, ""),
            details={
                "name_kind": name_kind,
                "source_url": entity.source_url,
                "corroboration": "full" if corroborated else corroboration,
            },
        )
