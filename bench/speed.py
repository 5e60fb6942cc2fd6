"""Screening speed with OFAC SDN + aliases + UN loaded: index build, applicants/s, peak RSS.

    .venv/bin/python bench/speed.py [--applicants 3000]

One process, one core. Applicants are Faker names from many locales, each with one or two
employers (name + employer screening, as the target in issue 2 states). Also times the delta
re-screen's query (screening.matching.delta) for a real list change.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from faker import Faker

from screening.lists import load_directory
from screening.lists.diff import diff_snapshots
from screening.lists.store import ListStore
from screening.matching import SanctionsIndex
from screening.matching.delta import DeltaQuery
from screening.models import Applicant

SEED = 7
OLD_SDN = "sdn-2024-04-26.csv"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LOCALES = [
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "es_MX",
    "pt_BR",
    "it_IT",
    "ru_RU",
    "pl_PL",
    "ko_KR",
    "zh_CN",
    "ja_JP",
    "ar_SA",
    "tr_TR",
    "vi_VN",
    "hi_IN",
    "nl_NL",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicants", type=int, default=3000)
    args = parser.parse_args()
    if not (SHARED_DATA / "ofac" / "sdn.csv").exists():
        sys.exit(f"needs the real lists at {SHARED_DATA}")

    started = time.perf_counter()
    snapshots = load_directory(SHARED_DATA)
    loaded = time.perf_counter()
    index = SanctionsIndex(snapshots)
    built = time.perf_counter()
    entities = sum(len(s.entities) for s in snapshots)
    print(
        f"lists: {', '.join(f'{s.name} ({len(s.entities)})' for s in snapshots)}; {entities} entities, "
        f"{len(index.people.names)} person names, {len(index.organisations.names)} organisation names"
    )
    print(f"load lists: {loaded - started:.2f} s; build index: {built - loaded:.2f} s")

    applicants = make_applicants(args.applicants)
    timings = []
    hits = 0
    run_started = time.perf_counter()
    for applicant in applicants:
        t0 = time.perf_counter()
        hits += bool(index.match(applicant))
        timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - run_started
    timings.sort()
    employers = sum(len(a.employers) for a in applicants)
    p50, p99 = 1000 * statistics.median(timings), 1000 * timings[int(0.99 * len(timings))]
    print(
        f"screened {len(applicants)} applicants (name + {employers} employers) in {elapsed:.2f} s: "
        f"{len(applicants) / elapsed:,.0f} applicants/s; p50 {p50:.2f} ms, p99 {p99:.2f} ms; {hits} hit"
    )

    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    del index
    time_delta_query(applicants)


def time_delta_query(applicants: list[Applicant]) -> None:
    """The delta re-screen's query for a real list change: sdn.csv of 2024-04-26 -> the current one
    (main files alone, as ofac/history keeps them; after the RSS figure, as it builds a second index)."""
    with tempfile.TemporaryDirectory() as scratch:
        store = ListStore(Path(scratch))
        (old,) = store.resolve(str(SHARED_DATA / "ofac" / "history" / OLD_SDN))
        (current,) = store.resolve(str(SHARED_DATA / "ofac" / "sdn.csv"))
    index = SanctionsIndex([current])
    diff = diff_snapshots(old, current)
    t0 = time.perf_counter()
    query = DeltaQuery(index, {"ofac_sdn": diff})
    built = time.perf_counter()
    affected = sum(query.affects(a) for a in applicants)
    asked = time.perf_counter()
    print(
        f"delta query for SDN {OLD_SDN} -> current ({diff.counts()}): built in {built - t0:.2f} s; "
        f"{affected} of {len(applicants)} applicants to re-screen ({affected / len(applicants):.1%}), "
        f"{len(applicants) / (asked - built):,.0f} applicants/s asked"
    )


def make_applicants(count: int) -> list[Applicant]:
    rng = random.Random(SEED)
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for position, fake in enumerate(fakers.values()):
        fake.seed_instance(SEED + position)
    english = Faker("en_US")
    english.seed_instance(SEED)
    applicants = []
    for number in range(count):
        fake = fakers[rng.choice(LOCALES)]
        employers = [english.company() for _ in range(rng.randint(1, 2))]
        applicants.append(Applicant(id=str(number), name=fake.name(), employers=employers))
    return applicants


if __name__ == "__main__":
    main()
