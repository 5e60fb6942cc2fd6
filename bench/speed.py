"""Screening speed with OFAC SDN + aliases + UN loaded: start, index, applicants/s, peak RSS.

    .venv/bin/python bench/speed.py [--applicants 3000] [--names 4000]

First, as a user meets it (fresh processes, lists imported into a temporary store): `hirewatch
--help`; `hirewatch lists update --from` building and storing the index; a fresh process loading
the lists and the stored index; `hirewatch screen` on one name from a cold process (wall, CPU and
peak RSS); `hirewatch screen` on --names names of ../shared/bench/names-dev.jsonl, the whole run,
against a naive Jaro-Winkler scan of the same names (lists loaded from the same store, every
listed person's name in both orders, rapidfuzz `process.extract` >= 0.85, one process) in the same
run: in one process (`--jobs 1`) and with one process per CPU (the default; CPU time then adds the
worker processes' up).
Then in process, one core: Faker names from many locales, each with one or two employers
(name + employer screening, as the target in issue 2 states), and the delta re-screen's query
(screening.matching.delta) for a real list change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anyascii import anyascii
from faker import Faker
from rapidfuzz import process, utils
from rapidfuzz.distance import JaroWinkler

from integration.cli.screen import usable_cpus
from screening.lists import load_directory
from screening.lists.diff import diff_snapshots
from screening.lists.store import ListStore
from screening.matching import SanctionsIndex
from screening.matching.delta import DeltaQuery
from screening.models import Applicant

SEED = 7
OLD_SDN = "sdn-2024-04-26.csv"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NAMES_DEV = SHARED_DATA.parent / "bench" / "names-dev.jsonl"
HIREWATCH = Path(sys.executable).parent / "hirewatch"
JARO_WINKLER_CUTOFF = 0.85
SIMILARITY = JaroWinkler.normalized_similarity
# A fresh process: the lists, then their stored index, timed apart.
LOAD_SCRIPT = """
import sys, time
from pathlib import Path
clocks = [(time.perf_counter(), time.process_time())]
from screening.lists.store import ListStore
from screening.matching.stored import load_or_build
clocks.append((time.perf_counter(), time.process_time()))
store = ListStore(Path(sys.argv[1]))
snapshots = store.current_snapshots()
clocks.append((time.perf_counter(), time.process_time()))
index = load_or_build(snapshots, store.derived_dir(store.current_version()))
clocks.append((time.perf_counter(), time.process_time()))
for (wall0, cpu0), (wall1, cpu1) in zip(clocks, clocks[1:]):
    print(f"{wall1 - wall0:.2f} s wall, {cpu1 - cpu0:.2f} s CPU")
print(type(index.people.names).__name__)
"""
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
    parser.add_argument("--names", type=int, default=4000, help="names-dev queries for the whole-run figure")
    args = parser.parse_args()
    if not (SHARED_DATA / "ofac" / "sdn.csv").exists():
        sys.exit(f"needs the real lists at {SHARED_DATA}")
    with tempfile.TemporaryDirectory() as scratch:
        time_start_up(Path(scratch), args.names)

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

    print(
        f"peak RSS of this bench process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    del index
    time_delta_query(applicants)


def time_start_up(scratch: Path, names: int) -> None:
    """What a user waits for, each in a fresh process against a store in `scratch`."""
    env = {**os.environ, "HIREWATCH_LISTS_DIR": str(scratch / "lists")}
    helps = sorted(run([str(HIREWATCH), "--help"], env)[:2] for _ in range(3))
    (low, _), (wall, cpu), (high, _) = helps
    print(
        f"`hirewatch --help`: {wall:.2f} s wall, {cpu:.2f} s CPU (median of 3 by wall; {low:.2f}-{high:.2f})"
    )
    wall, cpu, rss, out = run([str(HIREWATCH), "lists", "update", "--from", str(SHARED_DATA)], env)
    last_line = out.strip().splitlines()[-1]
    print(
        f"`hirewatch lists update --from` (import, index built, stored): {wall:.1f} s wall, {cpu:.1f} s CPU"
    )
    print(f"  {last_line}")
    wall, _, rss, out = run([sys.executable, "-c", LOAD_SCRIPT, env["HIREWATCH_LISTS_DIR"]], env)
    imports, lists, index, kind = out.strip().splitlines()
    print(f"fresh process: imports {imports}; lists (unpickle) {lists}; **stored index {index}** ({kind}); "
          f"peak RSS {rss:.0f} MB")  # fmt: skip
    one = scratch / "one.jsonl"
    one.write_text(json.dumps({"name": "Kim Jong Un", "employers": ["Korea Sobaeksu Trading"]}) + "\n")
    wall, cpu, rss, _ = run([str(HIREWATCH), "screen", str(one), "--output", os.devnull], env)
    print(f"`hirewatch screen` one name, cold process: {wall:.2f} s wall, {cpu:.2f} s CPU; RSS {rss:.0f} MB")
    if not NAMES_DEV.exists():
        print(f"names-dev not found at {NAMES_DEV}: whole-run figure skipped")
        return
    queries = names_dev_queries(names)
    batch = scratch / "names.jsonl"
    batch.write_text("".join(json.dumps({"id": str(i), "name": q}) + "\n" for i, q in enumerate(queries)))
    baseline_wall, baseline_cpu = jaro_winkler_scan(scratch / "lists", queries)
    print(f"Jaro-Winkler >= {JARO_WINKLER_CUTOFF} scan (one process), same names, lists from the store: "
          f"{baseline_wall:.2f} s wall, {baseline_cpu:.2f} s CPU")  # fmt: skip
    for jobs in (1, usable_cpus()) if usable_cpus() > 1 else (1,):
        argv = [str(HIREWATCH), "screen", str(batch), "--jobs", str(jobs), "--output", os.devnull]
        wall, cpu, rss, _ = run(argv, env)  # CPU and RSS include the worker processes'
        print(f"`hirewatch screen --jobs {jobs}` on {len(queries)} names-dev names, whole run: "
              f"{wall:.2f} s wall, {cpu:.2f} s CPU ({len(queries) / wall:,.0f} names/s)")  # fmt: skip
        print(f"  peak RSS of one process {rss:.0f} MB")
        print(f"  **{baseline_wall / wall:.1f}x the scan's speed** ({baseline_cpu / cpu:.1f}x by CPU)")


def run(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MB) and stdout of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{' '.join(argv)} failed ({child.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def names_dev_queries(count: int) -> list[str]:
    """Every fourth query of names-dev (positives of every class, ordinary names, near-misses)."""
    with NAMES_DEV.open(encoding="utf-8") as lines:
        return [json.loads(line)["query"] for number, line in enumerate(lines) if number % 4 == 0][:count]


def jaro_winkler_scan(store_dir: Path, queries: list[str]) -> tuple[float, float]:
    """Seconds (wall, CPU) to load the stored lists and scan every query against every listed
    person's name."""
    started, cpu = time.perf_counter(), time.process_time()
    snapshots = ListStore(store_dir).current_snapshots()
    names = [n.value for s in snapshots for e in s.entities if e.type == "individual" for n in e.names]
    names += [f"{given} {family}" for family, given in (n.split(",", 1) for n in names if "," in n)]
    choices = [utils.default_process(anyascii(n)) for n in names]
    for query in queries:
        typed = utils.default_process(anyascii(query))
        process.extract(typed, choices, scorer=SIMILARITY, score_cutoff=JARO_WINKLER_CUTOFF, limit=None)
    return time.perf_counter() - started, time.process_time() - cpu


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
