"""Employers against the real lists: real employers must stay clear, listed organisations be found.

    .venv/bin/python bench/employers.py [--variants 4] [--seed 3]

1. Real employers (bench/data/employers.txt: big tech, consultancies, banks, universities,
   Korean/Chinese/Indian IT firms, freelance marketplaces, as applicants write them): each is
   screened as an applicant's only employer; none may reach medium.
2. Listed organisations as an applicant would write them: every front company (advisories
   entities, and list entities whose remarks call them a front) and every one-word organisation
   name (after company forms) on OFAC SDN / UN / advisories, varied by our own generator (case,
   company form changed or left out, punctuation). Found = the entity is hit and the verdict is
   medium or above. Split by listed entity (CRC-32 of its id) into tuning and validation halves.
   One-token names of at most three characters ("STC", "KB") are acronyms the matcher matches
   only with the same kind of company form ("STC Ltd", screening/matching/organisations.py):
   counted apart.

Needs ../shared/data (the real OFAC and UN lists).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.lists import load_directory  # noqa: E402
from screening.matching import SanctionsIndex  # noqa: E402
from screening.matching.companies import company_name  # noqa: E402
from screening.matching.index import NOT_ORGANISATIONS  # noqa: E402
from screening.matching.organisations import MAX_ACRONYM  # noqa: E402
from screening.models import Applicant, Entity, NameKind, Risk  # noqa: E402
from screening.verdict import decide  # noqa: E402

EMPLOYERS = ROOT / "bench" / "data" / "employers.txt"
SHARED = ROOT.parent / "shared" / "data"
FORMS = ["LLC", "Ltd", "Ltd.", "Limited", "Co., Ltd.", "Inc.", "Corp.", "GmbH", "JSC", "Company", "Co."]
_FRONT = re.compile(r"\bfront\b", re.IGNORECASE)


def real_employers() -> list[str]:
    lines = EMPLOYERS.read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def verdict_for(index: SanctionsIndex, employer: str):
    hits = index.match(Applicant(id="bench", name="", employers=[employer]))
    return hits, decide(hits, [])


def screen_real_employers(index: SanctionsIndex) -> None:
    employers = real_employers()
    risks: Counter = Counter()
    alerts = []
    for employer in employers:
        _, verdict = verdict_for(index, employer)
        risks[verdict.risk] += 1
        if verdict.risk.rank >= Risk.MEDIUM.rank:
            alerts.append(f"  {employer}: {verdict.reasons[0]}")
    shown = ", ".join(f"{risk}: {risks[risk]}" for risk in Risk if risks[risk])
    print(f"real employers: {len(employers)}; at medium or above: {len(alerts)} ({shown})")
    print("\n".join(alerts))


def targets(entities: list[Entity]) -> list[tuple[Entity, str, str]]:
    """(entity, listed name, why it must be found) for front companies and one-word names."""
    out = []
    for entity in entities:
        if entity.type in NOT_ORGANISATIONS:
            continue
        front = entity.list == "advisories" or bool(_FRONT.search(entity.remarks or ""))
        for name in entity.names:
            tokens = company_name(name.value).tokens
            if not tokens or name.kind == NameKind.WEAK:
                continue
            if len(tokens) == 1:
                out.append((entity, name.value, "one-word" if len(tokens[0]) > MAX_ACRONYM else "acronym"))
            elif front:
                out.append((entity, name.value, "front company"))
    return out


def variants(name: str, count: int, rng: random.Random) -> list[str]:
    """How an applicant writes a company: case, company form changed or left out, punctuation."""
    form = company_name(name)
    core = _core_text(name, form.forms)
    made = {name}
    while len(made) < count + 1:
        text = rng.choice([core, name, f"{core} {rng.choice(FORMS)}", f"{core}, {rng.choice(FORMS)}"])
        if rng.random() < 0.5:
            text = text.replace(".", "").replace(",", "")
        if rng.random() < 0.3:
            text = text.replace("-", " ")
        text = rng.choice([text.upper(), text.lower(), text.title(), text])
        made.add(text)
        if len(made) > 1 and rng.random() < 0.05:
            break
    return sorted(made)


def _core_text(name: str, forms: tuple[str, ...]) -> str:
    """The name with its company forms cut off as typed (best effort: by words from either end)."""
    words = name.replace(",", " ").split()
    folded = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in words]
    form_words = set(forms)
    while len(words) > 1 and folded[-1] in form_words:
        words, folded = words[:-1], folded[:-1]
    while len(words) > 1 and folded[0] in form_words:
        words, folded = words[1:], folded[1:]
    return " ".join(words)


def find_listed(index: SanctionsIndex, entities: list[Entity], per_name: int, seed: int) -> None:
    rng = random.Random(seed)
    found: Counter = Counter()
    total: Counter = Counter()
    misses: dict[tuple[str, str], list[str]] = {}
    for entity, name, why in targets(entities):
        split = (
            "tuning" if zlib.crc32(f"{entity.list}:{entity.native_id}".encode()) % 2 == 0 else "validation"
        )
        for text in variants(name, per_name, rng):
            hits, verdict = verdict_for(index, text)
            hit = any(h.list == entity.list and h.entity_id == entity.native_id for h in hits)
            ok = hit and verdict.risk.rank >= Risk.MEDIUM.rank
            total[(split, why)] += 1
            found[(split, why)] += ok
            if not ok and why != "acronym":
                misses.setdefault((split, why), []).append(f"{text!r} (listed: {name})")
    print(f"\n{'listed organisations as applicants write them':<46} {'tuning':>16} {'validation':>16}")
    for why in ("front company", "one-word", "acronym"):
        cells = []
        for split in ("tuning", "validation"):
            n, k = total[(split, why)], found[(split, why)]
            cells.append(f"{k}/{n} {k / max(n, 1):.1%}")
        label = why if why != "acronym" else f"acronym (<= {MAX_ACRONYM} chars; found only with a form)"
        print(f"  {label:<44} {cells[0]:>16} {cells[1]:>16}")
    for (split, why), lines in sorted(misses.items()):
        print(f"  missed ({split}, {why}): {len(lines)}; e.g. " + "; ".join(lines[:4]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", type=int, default=4, help="variants per listed name")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if not (SHARED / "ofac" / "sdn.csv").exists():
        sys.exit(f"needs the real lists at {SHARED}")
    started = time.perf_counter()
    snapshots = load_directory(SHARED)  # the advisories watchlist comes with them
    index = SanctionsIndex(snapshots)
    print(f"index over {', '.join(s.name for s in snapshots)} built in {time.perf_counter() - started:.1f} s")
    screen_real_employers(index)
    entities = [e for s in snapshots for e in s.entities]
    find_listed(index, entities, args.variants, args.seed)


if __name__ == "__main__":
    main()
