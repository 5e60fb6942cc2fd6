"""Links between applicants of one tenant: who shares a phone, e-mail, address, profile, wallet
or a near-identical text with applicants under *other* names.

The same person applying twice ("Jon Smith" and "Jonathan Smith", same phone) is one identity,
not a ring: applicants whose names could be the same person are left out of the count.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from screening.linkage.keys import Document, LinkKey, LinkRecord, link_record
from screening.linkage.store import LinkageStore
from screening.models import Applicant, Flag, Severity
from screening.redflags.names import same_identity


@dataclass(frozen=True, slots=True)
class LinkWeight:
    """Score of a shared key: `first` for one other identity, `each_more` per further one, capped."""

    first: float
    each_more: float
    cap: float = 90.0

    def score(self, other_identities: int) -> float:
        return min(self.cap, self.first + self.each_more * (other_identities - 1))


# Why these weights (0-100 scale; the verdict reads >= 40 as medium, >= 70 as high):
# - phone, e-mail, profile URL, wallet, near-identical text: one of these behind two names is the
#   advisory's core red flag (X1, X2, X4, X5, X9), and honest people rarely share them: medium at
#   once, high from three identities.
# - portfolio site: a shared personal site is as telling, but a company or agency site is
#   shared honestly: a little lower.
# - address: couples, families and roommates share one (X3 notes the FP risk), so two or three
#   identities stay low; four or more at one address is the laptop-farm pattern: medium, then high.
DEFAULT_LINK_WEIGHTS = {
    "phone": LinkWeight(first=45, each_more=25),
    "email": LinkWeight(first=45, each_more=25),
    "profile": LinkWeight(first=45, each_more=25),
    "crypto": LinkWeight(first=50, each_more=25),
    "text": LinkWeight(first=45, each_more=25),
    "portfolio": LinkWeight(first=40, each_more=25),
    "address": LinkWeight(first=10, each_more=15),
}
LABELS = {
    "phone": "phone",
    "email": "e-mail",
    "address": "address",
    "profile": "profile",
    "portfolio": "portfolio site",
    "crypto": "wallet",
}
log = logging.getLogger(__name__)
TEXT_LABELS = {"resume": "résumé", "cover_letter": "cover letter", "answer": "an application answer"}


@dataclass(frozen=True, slots=True)
class LinkageConfig:
    weights: dict[str, LinkWeight] = field(default_factory=lambda: dict(DEFAULT_LINK_WEIGHTS))
    # rapidfuzz ratio (0-100) two stripped texts must reach to count as one text: a shared
    # résumé template with different content stays well below; a copy with swapped names and
    # employers stays above.
    text_similarity: float = 85.0
    max_ids_shown: int = 10


def severity_for(score: float) -> Severity:
    return Severity.HIGH if score >= 70 else Severity.MEDIUM if score >= 40 else Severity.LOW


class Linker:
    """Indexes applicants of one tenant and reports each one's links to the others."""

    def __init__(self, store: LinkageStore, secret: bytes, config: LinkageConfig | None = None) -> None:
        self.store = store
        self.secret = secret
        self.config = config or LinkageConfig()

    def record(self, applicant: Applicant) -> LinkRecord:
        return link_record(applicant, self.secret)

    def index(self, applicant: Applicant) -> LinkRecord:
        record = self.record(applicant)
        self.store.put(record)
        return record

    def index_many(self, applicants: Iterable[Applicant]) -> dict[str, LinkRecord]:
        """Index a batch in one write (records by applicant id, to compute each one's links)."""
        records = {applicant.id: self.record(applicant) for applicant in applicants}
        self.store.put_many(records.values())
        return records

    def forget(self, applicant_id: str) -> None:
        self.store.delete(applicant_id)

    def flags(self, applicant: Applicant, record: LinkRecord | None = None) -> list[Flag]:
        """Links of this applicant to every other applicant in the store, as flags."""
        record = record or self.record(applicant)
        holders = self.store.holders([k.digest for k in record.keys])
        others_by_key = {
            key: others
            for key in record.keys
            if (others := holders.get(key.digest, set()) - {record.applicant_id})
        }
        if not others_by_key:
            return []
        all_others = set().union(*others_by_key.values())
        names = self.store.names(all_others)
        strangers = {i for i in all_others if not same_identity(record.name, names.get(i, ""))}
        flags = self._exact_flags(others_by_key, strangers, names)
        band_others = {i for key, ids in others_by_key.items() if key.kind == "text_band" for i in ids}
        flags += self._text_flags(record, band_others & strangers, names)
        if flags:
            log.info("linkage applicant=%s links=%s", record.applicant_id, ",".join(f.code for f in flags))
        return sorted(flags, key=lambda f: -f.score)

    def _exact_flags(self, others_by_key: dict[LinkKey, set[str]], strangers: set[str], names) -> list[Flag]:
        flags = []
        for key, others in others_by_key.items():
            if key.kind == "text_band":
                continue
            linked = sorted(others & strangers)
            if linked:
                score = self.config.weights[key.kind].score(_identities(linked, names))
                what = f"{LABELS[key.kind]} {key.display}"
                flags.append(self._flag(f"shared_{key.kind}", score, f"shares {what}", linked, names,
                                        kind=key.kind, shared=key.display))  # fmt: skip
        return flags

    def _text_flags(self, record: LinkRecord, candidates: set[str], names) -> list[Flag]:
        if not candidates or not record.documents:
            return []
        matches: dict[str, dict[str, float]] = defaultdict(dict)  # our text kind -> other id -> similarity
        for other_id, documents in self.store.documents(candidates).items():
            for ours in record.documents:
                best = max((_similarity(ours, theirs) for theirs in documents), default=0.0)
                if best >= self.config.text_similarity:
                    matches[ours.kind][other_id] = max(best, matches[ours.kind].get(other_id, 0.0))
        flags = []
        for kind, similar in matches.items():
            linked = sorted(similar)
            score = self.config.weights["text"].score(_identities(linked, names))
            lowest = round(min(similar.values()))
            message = f"{TEXT_LABELS.get(kind, kind)} is {lowest}%+ identical to that"
            rounded = {i: round(s, 1) for i, s in similar.items()}
            flags.append(
                self._flag(f"similar_{kind}", score, message, linked, names, kind=kind, similarity=rounded)
            )
        return flags

    def _flag(self, code: str, score: float, what: str, linked: list[str], names, **evidence) -> Flag:
        shown = ", ".join(linked[: self.config.max_ids_shown])
        if len(linked) > self.config.max_ids_shown:
            shown += f" and {len(linked) - self.config.max_ids_shown} more"
        count = (
            f"{len(linked)} applicants under other names"
            if len(linked) > 1
            else "1 applicant under another name"
        )
        joiner = " of " if code.startswith("similar_") else " with "
        return Flag(
            code=code,
            severity=severity_for(score),
            message=f"{what}{joiner}{count}: {shown}",
            evidence={**evidence, "applicants": linked, "group_size": len(linked) + 1,
                      "identities": _identities(linked, names) + 1},
            score=score,
        )  # fmt: skip


def _similarity(a: Document, b: Document) -> float:
    return fuzz.ratio(a.text, b.text)


def _identities(applicant_ids: list[str], names: dict[str, str]) -> int:
    """How many distinct people these applicants are (one person may have applied twice)."""
    representatives: list[str] = []
    for applicant_id in applicant_ids:
        name = names.get(applicant_id, "")
        if not any(same_identity(name, rep) for rep in representatives):
            representatives.append(name)
    return len(representatives)
