"""Which applicants a list change can affect: the delta re-screen's query, exact by construction.

Screening an applicant against the new lists can end differently from screening against the old
ones only when
  (a) a listed name of an entry added, changed or removed is among its candidates (the names the
      blocking index lets through to scoring): the entry can be hit, lose its hit, or push another
      candidate out of the MAX_CANDIDATES cut (entries as they are now, and as they were);
  (b) a listed name among its candidates carries a token the change re-weighed (its count moved
      across a weight step), so its score moves although the entry itself did not change;
  (c) its own name or an employer carries such a token (the applicant's side of the weights);
  (d) an added, changed or removed entry lists one of its identifiers.
`DeltaQuery` builds one small index over the entries "now" (new weights) and one over the
entries "then" (old weights) and asks both; everyone else keeps a verdict the change cannot move.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping

from screening.lists.diff import ListDiff
from screening.matching.blocking import MAX_CANDIDATES, NameIndex, TokenFrequencies, token_counts
from screening.matching.companies import company_name
from screening.matching.index import SanctionsIndex, indexed_names, person_forms
from screening.matching.organisations import OrganisationIndex, OrgFrequencies
from screening.models import Applicant, Entity, ListSnapshot


class DeltaQuery:
    def __init__(self, full: SanctionsIndex, diffs: Mapping[str, ListDiff]) -> None:
        """`full`: the index over the new lists; `diffs`: old -> new, per list."""
        added = [e for d in diffs.values() for e in [*d.added, *(new for _, new in d.changed)]]
        gone = [e for d in diffs.values() for e in [*d.removed, *(old for old, _ in d.changed)]]
        new_people, new_orgs = full.frequencies
        old_people = _previous(full.people, new_people, added, gone, side=0)
        old_orgs = _previous(full.organisations, new_orgs, added, gone, side=1)
        self.reweighted = (_reweighted(new_people, old_people), _reweighted(new_orgs, old_orgs))
        reweighed_entries = _entries_carrying(full, self.reweighted)
        self.full = full
        self.now = _index([*added, *reweighed_entries], (new_people, new_orgs), full.threshold)
        self.then = _index([*gone, *reweighed_entries], (old_people, old_orgs), full.threshold)

    def affects(self, applicant: Applicant) -> bool:
        typed = applicant.full_name.strip()
        person_tokens = {t for form, _ in person_forms(typed) for t in form.tokens} if typed else set()
        employer_tokens = {t for e in applicant.employers for t in company_name(e).tokens}
        if person_tokens & self.reweighted[0] or employer_tokens & self.reweighted[1]:
            return True
        indexes = [index for index in (self.now, self.then) if index is not None]
        if any(index.match(applicant) for index in indexes):
            return True
        # Candidates that score nothing still take a place in the MAX_CANDIDATES cut when it is full.
        touched = [index.candidate_counts(applicant) for index in indexes]
        if not any(n for counts in touched for n in counts):
            return False
        columns = zip(self.full.candidate_counts(applicant), *touched, strict=True)
        return any(sum(column) >= MAX_CANDIDATES for column in columns)


def _previous(
    index: NameIndex | OrganisationIndex,
    freq: TokenFrequencies | OrgFrequencies,
    added: list[Entity],
    gone: list[Entity],
    side: int,
) -> TokenFrequencies | OrgFrequencies:
    """The old lists' token counts: the new ones without the added names, with the gone ones."""
    counts = Counter(freq.counts)
    counts.subtract(token_counts(index.indexable_forms([v for _, v, _ in indexed_names(added)[side]])))
    counts.update(token_counts(index.indexable_forms([v for _, v, _ in indexed_names(gone)[side]])))
    return type(freq)(+counts)


def _reweighted(new: TokenFrequencies | OrgFrequencies, old: TokenFrequencies | OrgFrequencies) -> set[str]:
    moved = {t for t in set(new.counts) | set(old.counts) if new.counts[t] != old.counts[t]}
    return new.reweighted(old, moved)


def _entries_carrying(full: SanctionsIndex, reweighted: tuple[set[str], set[str]]) -> list[Entity]:
    """Entries with a name whose token, or pair of adjacent tokens joined, was re-weighed."""
    owners: set[int] = set()
    for index, tokens in zip((full.people, full.organisations), reweighted, strict=True):
        if not tokens:
            continue
        for name in index.names:
            parts = name.form.tokens
            if tokens.intersection(parts) or tokens.intersection(a + b for a, b in itertools.pairwise(parts)):
                owners.add(name.owner)
    return [full.entities[owner] for owner in sorted(owners)]


def _index(
    entities: list[Entity], freq: tuple[TokenFrequencies, OrgFrequencies], threshold: float
) -> SanctionsIndex | None:
    if not entities:
        return None
    snapshot = ListSnapshot(name="delta", version="", entities=entities)
    return SanctionsIndex([snapshot], threshold=threshold, frequencies=freq)
