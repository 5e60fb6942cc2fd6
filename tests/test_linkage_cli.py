"""`hirewatch screen` links the applicants of a batch, and with --db across runs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from integration.cli import main


def _write(path, applicants: list[dict]) -> str:
    path.write_text("".join(json.dumps(a) + "\n" for a in applicants), encoding="utf-8")
    return str(path)


def _screen(*args: str) -> dict[str, dict]:
    result = CliRunner().invoke(main, ["screen", *args, "--lists", "demo", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return {r["id"]: r for r in map(json.loads, lines)}


def test_batch_is_indexed_first_so_the_first_applicant_sees_later_ones(tmp_path):
    batch = _write(tmp_path / "batch.jsonl", [
        {"id": "a1", "name": "Kevin Li", "phones": ["+1 917 555 0101"]},
        {"id": "a2", "name": "Jason Wu", "phones": ["(917) 555-0101"], "location": "New York, NY"},
        {"id": "a3", "name": "Kevin Li", "phones": ["+19175550101"]},  # the same person again
    ])  # fmt: skip
    results = _screen(batch)
    assert results["a1"]["reasons"] == ["shares phone +1 917… with 1 applicant under another name: a2"]
    assert (results["a1"]["risk"], results["a2"]["risk"]) == ("medium", "medium")
    assert results["a2"]["reasons"] == ["shares phone +1 917… with 2 applicants under other names: a1, a3"]


def test_db_keeps_the_index_between_runs_per_tenant(tmp_path):
    url = f"sqlite:///{tmp_path / 'linkage.db'}"
    first = _write(
        tmp_path / "first.jsonl", [{"id": "a1", "name": "Kevin Li", "phones": ["+1 917 555 0101"]}]
    )
    second = _write(
        tmp_path / "second.jsonl", [{"id": "b7", "name": "Jason Wu", "phones": ["+1 917 555 0101"]}]
    )
    assert _screen(first, "--db", url)["a1"]["risk"] == "clear"
    assert _screen(second, "--db", url)["b7"]["reasons"] == [
        "shares phone +1 917… with 1 applicant under another name: a1"
    ]
    assert _screen(second, "--db", url, "--tenant", "other")["b7"]["risk"] == "clear"


def test_example_file_has_a_flagged_ring():
    results = _screen(str(Path(__file__).resolve().parent.parent / "examples" / "applicants.jsonl"))
    ring = [r for r in results.values() if any(f["code"] == "shared_phone" for f in r["flags"])]
    assert len(ring) >= 3 and all(r["risk"] in ("medium", "high") for r in ring)
