"""The verdicts ordinary applicants get: common names with random dates of birth, real lists.

    .venv/bin/python bench/verdicts.py [--sample 3000] [--faker 2000] [--seed 11]

Three populations, each with a random full date of birth (1960-2004), screened against the real
OFAC SDN + UN lists and the advisories watchlist (names only: no red flags):
1. ordinary applicant names from ../shared/bench/names-dev.jsonl (family `negative_applicant`,
   24 locales; data we did not write), a random sample;
2. common full names drawn by Faker (first name + last name) in locales whose names the lists
   share most (Arabic, Persian, Urdu/Indian, Russian, Chinese, Korean, Spanish, Turkish);
3. the issue's examples ("Mohammed Ali", "Muhammad Khan", "Ahmed Mohamed"), each with 200 dates.
Prints how many end clear / low / medium / high / critical. Nothing is asserted: an ordinary
applicant should be at most medium (a potential match for review), never high or critical.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faker import Faker  # noqa: E402

from screening.lists import load_directory  # noqa: E402
from screening.matching import SanctionsIndex  # noqa: E402
from screening.models import Applicant, Risk  # noqa: E402
from screening.verdict import decide  # noqa: E402

SHARED = ROOT.parent / "shared"
FAKER_LOCALES = ["ar_AA", "fa_IR", "en_IN", "hi_IN", "ru_RU", "zh_CN", "ko_KR", "es_MX", "tr_TR", "en_PK"]
ISSUE_EXAMPLES = ["Mohammed Ali", "Muhammad Khan", "Ahmed Mohamed"]


def random_dob(rng: random.Random) -> str:
    start = datetime.date(1960, 1, 1)
    return (start + datetime.timedelta(days=rng.randrange(45 * 365))).isoformat()


def dev_negatives(sample: int, rng: random.Random) -> list[str]:
    rows = [json.loads(line) for line in (SHARED / "bench" / "names-dev.jsonl").open(encoding="utf-8")]
    names = [r["query"] for r in rows if r.get("family") == "negative_applicant"]
    return rng.sample(names, min(sample, len(names)))


def faker_names(count: int, seed: int) -> list[str]:
    fakers = []
    for locale in FAKER_LOCALES:
        try:
            faker = Faker(locale)
        except AttributeError:  # a locale this Faker version lacks
            continue
        faker.seed_instance(seed)
        fakers.append(faker)
    return [f"{f.first_name()} {f.last_name()}" for i in range(count) for f in [fakers[i % len(fakers)]]]


def distribution(index: SanctionsIndex, names: list[str], rng: random.Random) -> tuple[Counter, list[str]]:
    risks: Counter = Counter()
    worst: list[str] = []
    for name in names:
        applicant = Applicant(id="bench", name=name, date_of_birth=random_dob(rng))
        verdict = decide(index.match(applicant), [])
        risks[verdict.risk] += 1
        if verdict.risk.rank >= Risk.HIGH.rank and len(worst) < 5:
            worst.append(f"    {name} ({applicant.date_of_birth}): {verdict.risk}: {verdict.reasons[0]}")
    return risks, worst


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=3000, help="names-dev ordinary applicants")
    parser.add_argument("--faker", type=int, default=2000, help="Faker common names")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    snapshots = load_directory(SHARED / "data")  # the advisories watchlist comes with them
    index = SanctionsIndex(snapshots)
    populations = {
        "names-dev ordinary applicants": dev_negatives(args.sample, rng),
        "Faker common names": faker_names(args.faker, args.seed),
        "the issue's examples x 200": [name for name in ISSUE_EXAMPLES for _ in range(200)],
    }
    print(f"{'population':<32} {'n':>6} " + " ".join(f"{r:>9}" for r in Risk) + "  s")
    for label, names in populations.items():
        started = time.perf_counter()
        risks, worst = distribution(index, names, rng)
        cells = " ".join(f"{risks[r] / len(names):>9.2%}" for r in Risk)
        print(f"{label:<32} {len(names):>6} {cells}  {time.perf_counter() - started:.0f}")
        print("\n".join(worst))


if __name__ == "__main__":
    main()
