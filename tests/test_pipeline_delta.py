"""Delta re-screen on real list changes (ofac/history: 2024-04-23 -> 04-26 -> the current sdn.csv): it touches
far fewer applicants than a full re-screen and ends in exactly the same results (risk, hits and
scores) as a full re-screen of everyone.
"""

from __future__ import annotations

import random

import pytest

from integration.sandbox.seed import synthetic_candidates
from screening.engine import Screener
from screening.lists.diff import diff_snapshot_sets
from screening.lists.store import ListStore
from screening.matching.delta import DeltaQuery
from screening.models import Applicant, EntityType, ScreeningResult
from store.applicants import Screened, record_screenings, upsert_applicant
from store.db import engine_for
from store.tables import installations
from tasks.lists import delta_targets

pytestmark = pytest.mark.shared_data


def outcome(result: ScreeningResult) -> tuple:
    return str(result.risk), sorted(
        (h.list, h.entity_id, str(h.matched_on), h.score) for h in result.sanctions_hits
    )


def population(old, new) -> list[Applicant]:
    """Ordinary applicants plus people named like added, removed and unchanged entries."""
    rng = random.Random(5)
    diff = diff_snapshot_sets(old, new)["ofac_sdn"]
    old_ids = {e.native_id for e in old[0].entities}
    unchanged = [e for e in new[0].entities if e.native_id in old_ids]
    added = [e for e in diff.added if e.type == EntityType.INDIVIDUAL]
    listed = rng.sample(added, min(40, len(added))) + diff.removed + rng.sample(unchanged, 40)
    people = [Applicant(id=f"listed-{e.native_id}", name=e.primary_name) for e in listed]
    ordinary = [
        Applicant(id=f"c{n}", first_name=c["first_name"], last_name=c["last_name"], employers=[c["company"]])
        for n, c in enumerate(synthetic_candidates(800, seed=11))
    ]
    return people + ordinary


@pytest.mark.parametrize(
    ("old_file", "new_file"),
    [("history/sdn-2024-04-23.csv", "history/sdn-2024-04-26.csv"), ("history/sdn-2024-04-26.csv", "sdn.csv")],
)
def test_delta_rescreen_touches_few_applicants_and_matches_a_full_rescreen(
    shared_data, tmp_path, old_file: str, new_file: str
) -> None:
    store = ListStore(tmp_path / "lists")
    old = store.resolve(str(shared_data / "ofac" / old_file))
    new = store.resolve(str(shared_data / "ofac" / new_file))
    old_screener, new_screener = Screener(old), Screener(new)
    applicants = population(old, new)
    engine = engine_for(f"sqlite:///{tmp_path / 'hw.db'}")
    rows, before = {}, {}
    with engine.begin() as conn:
        conn.execute(installations.insert().values(id="i1", platform="greenhouse", name="Acme", settings={}))
        for applicant in applicants:
            row_id = upsert_applicant(conn, "i1", applicant).row_id
            before[row_id] = old_screener.screen(applicant)
            record_screenings(conn, "i1", [Screened(row_id, applicant.id, before[row_id])], "webhook")
            rows[row_id] = applicant
    diffs = diff_snapshot_sets(old, new)
    with engine.connect() as conn:
        targets = set(delta_targets(conn, DeltaQuery(new_screener.index, diffs), diffs).get("i1", []))

    full = {row_id: new_screener.screen(applicant) for row_id, applicant in rows.items()}
    changed = {row_id for row_id in rows if outcome(full[row_id]) != outcome(before[row_id])}
    print(
        f"\ndelta re-screen: {len(targets)} of {len(rows)} applicants re-screened "
        f"({len(targets) / len(rows):.1%}); results the new list changed: {len(changed)}, "
        f"all of them re-screened: {changed <= targets}"
    )
    assert len(changed) >= 5, "the population must contain applicants the list change affects"
    assert changed <= targets, [
        (rows[r].full_name, outcome(before[r]), outcome(full[r])) for r in changed - targets
    ]
    assert len(targets) < len(rows) / 10
