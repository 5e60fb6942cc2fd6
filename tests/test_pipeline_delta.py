"""Delta re-screen on a real list change (OFAC SDN 2024-04-26 -> the current sdn.csv): it touches
far fewer applicants than a full re-screen and ends in the same verdicts."""

from __future__ import annotations

import random

import pytest

from integration.sandbox.seed import synthetic_candidates
from screening.engine import Screener
from screening.lists.diff import diff_snapshot_sets
from screening.lists.store import ListStore
from screening.models import Applicant, ScreeningResult
from store.applicants import record_screening, upsert_applicant
from store.db import engine_for
from store.tables import installations
from tasks.lists import delta_targets

pytestmark = pytest.mark.shared_data


def verdict(result: ScreeningResult) -> tuple:
    return str(result.risk), sorted((h.list, h.entity_id) for h in result.sanctions_hits)


def population(old, new) -> list[Applicant]:
    """Ordinary applicants plus people named like added, removed and unchanged entries."""
    rng = random.Random(5)
    diff = diff_snapshot_sets(old, new)["ofac_sdn"]
    old_ids = {e.native_id for e in old[0].entities}
    unchanged = [e for e in new[0].entities if e.native_id in old_ids]
    listed = rng.sample(diff.added, 40) + diff.removed + rng.sample(unchanged, 40)
    people = [Applicant(id=f"listed-{e.native_id}", name=e.primary_name) for e in listed]
    ordinary = [
        Applicant(id=f"c{n}", first_name=c["first_name"], last_name=c["last_name"], employers=[c["company"]])
        for n, c in enumerate(synthetic_candidates(1500, seed=11))
    ]
    return people + ordinary


def test_delta_rescreen_touches_few_applicants_and_matches_a_full_rescreen(shared_data, tmp_path) -> None:
    store = ListStore(tmp_path / "lists")
    old = store.resolve(str(shared_data / "ofac" / "history" / "sdn-2024-04-26.csv"))
    new = store.resolve(str(shared_data / "ofac" / "sdn.csv"))
    old_screener, new_screener = Screener(old), Screener(new)
    applicants = population(old, new)
    engine = engine_for(f"sqlite:///{tmp_path / 'hw.db'}")
    row_ids, before = {}, {}
    with engine.begin() as conn:
        conn.execute(installations.insert().values(id="i1", platform="greenhouse", name="Acme", settings={}))
        for applicant in applicants:
            row_id = upsert_applicant(conn, "i1", applicant).row_id
            result = old_screener.screen(applicant)
            record_screening(conn, row_id, "i1", result, "webhook")
            row_ids[row_id], before[row_id] = applicant, verdict(result)
    with engine.connect() as conn:
        targets = set(delta_targets(conn, diff_snapshot_sets(old, new)).get("i1", []))

    full = {row_id: verdict(new_screener.screen(applicant)) for row_id, applicant in row_ids.items()}
    after_delta = {row_id: full[row_id] if row_id in targets else before[row_id] for row_id in row_ids}
    changed = {row_id for row_id in row_ids if full[row_id] != before[row_id]}
    print(
        f"\ndelta re-screen: {len(targets)} of {len(row_ids)} applicants re-screened "
        f"({len(targets) / len(row_ids):.1%}); verdicts changed by the new list: {len(changed)}"
    )
    assert changed, "the population must contain applicants the list change affects"
    assert changed <= targets  # every affected applicant is re-screened
    assert after_delta == full  # so the delta ends where a full re-screen ends
    assert len(targets) < len(row_ids) / 10
