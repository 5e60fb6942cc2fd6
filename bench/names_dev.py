"""Name matching on ../shared/bench/names-dev.jsonl: data nobody on the project wrote.

17,328 labelled queries built from the real OFAC SDN (see that file's README). Each row is split
by its listed entity (a hash of its `source` name, order and case folded), so a listed person is
on one side only: `train` is what the scorer is fitted on (bench/fit_matcher.py), `validation`
chooses the threshold and gives the honest figures. Applicant names (no source) split by a hash
of the name.

    .venv/bin/python bench/names_dev.py [--split validation|train|all] [--baseline-sample 1500]
                                        [--show-misses 5] [--limit N]

Prints, for HireWatch and for a Jaro-Winkler >= 0.85 scan over whole names on the same rows:
found % (overall, per class, Korean romanisation), false alerts on ordinary applicant names
(overall and per locale group) and on near-misses, names/s in this process, and the blocking
index's candidate recall (is the expected entry among the names it lets through to scoring).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import process, utils
from rapidfuzz.distance import JaroWinkler

from screening.lists import load_directory
from screening.matching import SanctionsIndex
from screening.matching.text import person_name
from screening.memory import gc_frozen
from screening.models import Applicant, EntityType, MatchedOn

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NAMES_DEV = SHARED / "bench" / "names-dev.jsonl"
SHARED_DATA = SHARED / "data"
TRAIN_SHARE = 7  # of 10 hash buckets
POSITIVE_FAMILIES = ("exact", "benign", "adversarial", "degraded")
JW_CUTOFF = 0.85

Hit = tuple[str, str]  # (list, entity id)


@dataclass(frozen=True, slots=True)
class Row:
    query: str
    expect: str | None
    cls: str
    family: str
    source: str | None

    @property
    def positive(self) -> bool:
        return self.expect is not None


def name_key(value: str) -> str:
    """A listed name with order, case and punctuation folded: "KIM, Yong Chol" = "Yong Chol KIM"."""
    return " ".join(sorted(re.findall(r"\w+", anyascii(value).lower())))


def split_of(row: Row) -> str:
    key = name_key(row.source) if row.source else row.query
    return "train" if zlib.crc32(key.encode()) % 10 < TRAIN_SHARE else "validation"


def load_rows(path: Path = NAMES_DEV, split: str = "all") -> list[Row]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                sys.exit(f"{path}:{number}: not JSON ({error})")
            rows.append(Row(data["query"], data["expect"], data["class"], data["family"], data["source"]))
    return [r for r in rows if split == "all" or split_of(r) == split]


def load_index(threshold: float | None = None) -> SanctionsIndex:
    """The real OFAC SDN (the set's source) and UN lists, as `hirewatch screen` would load them."""
    if not (SHARED_DATA / "ofac" / "sdn.csv").exists():
        sys.exit(f"needs the real lists at {SHARED_DATA}")
    snapshots = [s for s in load_directory(SHARED_DATA) if s.name in ("ofac_sdn", "un")]
    return SanctionsIndex(snapshots) if threshold is None else SanctionsIndex(snapshots, threshold)


class Truth:
    """Which hits count as finding a row: its ent_num, or any entry carrying the same listed name."""

    def __init__(self, index: SanctionsIndex) -> None:
        self.names_of: dict[Hit, set[str]] = defaultdict(set)
        for entity in index.entities:
            if entity.type == EntityType.INDIVIDUAL:
                self.names_of[(entity.list, entity.native_id)] = {name_key(n.value) for n in entity.names}

    def found(self, row: Row, hits: Iterable[Hit]) -> bool:
        source = name_key(row.source or "")
        return any(
            (lst == "ofac_sdn" and eid == row.expect) or source in self.names_of.get((lst, eid), ())
            for lst, eid in hits
        )


def hirewatch_matcher(index: SanctionsIndex) -> Callable[[str], list[Hit]]:
    def match(query: str) -> list[Hit]:
        hits = index.match(Applicant(id="q", name=query))
        return [(h.list, h.entity_id) for h in hits if h.matched_on in (MatchedOn.NAME, MatchedOn.ALIAS)]

    return match


def candidates(index: SanctionsIndex, query: str) -> list[Hit]:
    """The listed people the blocking index puts forward for scoring."""
    form = person_name(query)
    owners = {index.people.names[i].owner for i in index.people.candidate_ids(form)}
    return [(index.entities[o].list, index.entities[o].native_id) for o in owners]


def jaro_winkler_matcher(index: SanctionsIndex) -> Callable[[str], list[Hit]]:
    """Jaro-Winkler >= 0.85 over whole names, both orders of "LAST, First", best over every name."""
    keys: list[Hit] = []
    choices: list[str] = []
    for entity in index.entities:
        if entity.type != EntityType.INDIVIDUAL:
            continue
        for name in entity.names:
            family, comma, given = name.value.partition(",")
            for form in {name.value, f"{given} {family}" if comma else name.value}:
                keys.append((entity.list, entity.native_id))
                choices.append(utils.default_process(anyascii(form)))

    def match(query: str) -> list[Hit]:
        found = process.extract(
            utils.default_process(anyascii(query)),
            choices,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=JW_CUTOFF,
            limit=None,
        )
        return list({keys[i] for _, _, i in found})

    return match


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.found += ok
        self.total += 1

    def pct(self) -> str:
        return f"{100 * self.found / self.total:6.2f}% (n={self.total})" if self.total else "     - "


def evaluate(label: str, matcher: Callable[[str], list[Hit]], rows: list[Row], truth: Truth,
             show_misses: int = 0, recall_of: Callable[[str], list[Hit]] | None = None) -> dict:  # fmt: skip
    """Print and return the figures of one matcher on these rows."""
    by_class: dict[str, Tally] = defaultdict(Tally)
    groups: dict[str, Tally] = defaultdict(Tally)
    misses: dict[str, list[str]] = defaultdict(list)
    recall = Tally()
    started = time.perf_counter()
    with gc_frozen():  # as `hirewatch screen` screens a batch: the collector off the lists and index
        for row in rows:
            hits = matcher(row.query)
            ok = truth.found(row, hits) if row.positive else not hits
            by_class[row.cls].add(ok)
            groups["positives" if row.positive else row.family].add(ok)
            if not ok and len(misses[row.cls]) < show_misses:
                misses[row.cls].append(f"{row.query!r} ({row.source})" if row.positive else repr(row.query))
    elapsed = time.perf_counter() - started
    if recall_of is not None:
        for row in rows:
            if row.positive:
                recall.add(truth.found(row, recall_of(row.query)))
    print(f"\n== {label}: {len(rows)} queries, {len(rows) / elapsed:,.0f} names/s")
    print(f"  found, all positives            {groups['positives'].pct()}")
    if recall.total:
        print(f"  candidate recall (blocking)     {recall.pct()}")
    for family in ("negative_applicant", "negative_nearmiss"):
        alerts = groups[family]
        rate = 100 * (alerts.total - alerts.found) / max(1, alerts.total)
        print(f"  false alerts, {family:<18} {rate:6.2f}% (n={alerts.total})")
    worst_locale = 0.0
    for cls in sorted(by_class):
        tally = by_class[cls]
        if cls.startswith("applicant_"):
            rate = 100 * (tally.total - tally.found) / max(1, tally.total)
            worst_locale = max(worst_locale, rate)
            print(f"    false alerts {cls:<26} {rate:6.2f}% (n={tally.total})")
        else:
            kind = "found" if cls not in ("cross_pair", "token_swap", "edit_beyond") else "clear"
            print(f"    {kind} {cls:<32} {tally.pct()}")
        for miss in misses[cls]:
            print(f"        missed {miss}")
    print(f"  worst locale group false alerts {worst_locale:6.2f}%")
    return {
        "found": groups["positives"],
        "by_class": by_class,
        "recall": recall,
        "names_per_s": len(rows) / elapsed,
    }


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--split", choices=("validation", "train", "all"), default="validation")
    parser.add_argument("--baseline-sample", type=int, default=1500, help="rows for Jaro-Winkler (0: none)")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many misses per class")
    parser.add_argument("--limit", type=int, default=0, help="only every k-th row, for a quick look")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    rows = load_rows(split=args.split)
    if args.limit:
        rows = rows[:: max(1, len(rows) // args.limit)]
    index = load_index(args.threshold)
    truth = Truth(index)
    print(f"names-dev split={args.split}: {len(rows)} rows; threshold {index.threshold}")
    evaluate("HireWatch", hirewatch_matcher(index), rows, truth, args.show_misses,
             recall_of=lambda q: candidates(index, q))  # fmt: skip
    if args.baseline_sample > 0:
        sample = rows[:: max(1, len(rows) // args.baseline_sample)]
        evaluate(f"Jaro-Winkler >= {JW_CUTOFF}, whole names (every k-th row)",
                 jaro_winkler_matcher(index), sample, truth)  # fmt: skip


if __name__ == "__main__":
    main()
