"""Screening speed with OFAC SDN + aliases + UN loaded: index build, applicants/s, peak RSS.

    .venv/bin/python bench/speed.py [--applicants 3000]

One process, one core. Applicants are Faker names from many locales, each with one or two
employers (name + employer screening, as the target in issue 2 states). Also times building
a delta index over 20 changed entries (what a list refresh re-screens with).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from faker import Faker

from screening.lists import load_directory
from screening.matching import SanctionsIndex
from screening.models import Applicant

SEED = 7
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

    changed = next(s for s in snapshots if s.name == "ofac_sdn")
    delta = type(changed)(changed.name, changed.version, changed.entities[:20])
    t0 = time.perf_counter()
    SanctionsIndex([delta], frequencies=index.frequencies)
    print(f"delta index over 20 changed entries: {1000 * (time.perf_counter() - t0):.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


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
