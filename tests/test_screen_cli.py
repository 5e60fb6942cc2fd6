"""`hirewatch screen`: input formats, per-line errors, output schema (against the DEMO list)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from integration.cli import main
from integration.cli import screen as screen_command

APPLICANTS = [
    {"id": "a1", "name": "Ryang Sun-ok", "emails": ["someone@example.org"], "country": "KP"},
    {"id": "a2", "first_name": "Jane", "last_name": "Doe", "employers": ["Silverline Demo Tech"]},
    {"id": "a3", "name": "Joe Bloggs", "resume_text": "wallet 0xde00000000000000000000000000000000000001"},
    {"id": "a4", "name": "Maria Lopez", "unknown_field": {"ignored": True}},
]
HIT_KEYS = {
    "list",
    "entity_id",
    "entity_name",
    "matched_name",
    "matched_on",
    "score",
    "programs",
    "explanation",
}


def _run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(main, ["screen", *args], input=stdin)


def _jsonl(rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_jsonl_results_have_the_documented_schema(tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(APPLICANTS))
    result = _run([str(path), "--lists", "demo"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a1", "a2", "a3", "a4"]
    for record in records:
        assert {"id", "risk", "sanctions_hits", "flags", "lists"} <= set(record)
        assert record["lists"] == {"demo": record["lists"]["demo"]}
        for hit in record["sanctions_hits"]:
            assert set(hit) >= HIT_KEYS
    by_id = {r["id"]: r for r in records}
    assert by_id["a1"]["sanctions_hits"][0]["entity_id"] == "DEMO-1"
    assert by_id["a2"]["sanctions_hits"][0]["matched_on"] == "employer"
    assert by_id["a3"]["sanctions_hits"][0]["matched_on"] == "crypto_address"
    assert by_id["a3"]["risk"] == "high"  # DEMO is a watchlist, not a legal sanctions list: never critical
    assert by_id["a4"]["risk"] == "clear" and by_id["a4"]["sanctions_hits"] == []


def test_a_malformed_line_is_named_and_the_rest_are_screened(tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(APPLICANTS[:1]) + '{"id": "broken", "name": \n' + '["not", "an object"]\n'
                    + '{"id": "x", "emails": 5}\n' + _jsonl(APPLICANTS[3:]))  # fmt: skip
    result = _run([str(path), "--lists", "demo"])
    assert result.exit_code == 1
    assert "line 2: not valid JSON" in result.stderr
    assert "line 3: expected a JSON object" in result.stderr
    assert "line 4: field 'emails' must be a list" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a1", "a4"]


def test_csv_input_with_semicolon_lists_and_csv_output(tmp_path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,name,emails,employers,phones\n"
        "c1,Ivan Demidov,ivan@example.org;other@example.org,Acme;Northstar Demo Trading Corp,\n"
        "c2,Anna Smith,,,+1 202 555 0147\n"
        'c3,"Too, many",a,b,c,d,e\n'
    )
    result = _run([str(path), "--lists", "demo", "--format", "csv"])
    assert result.exit_code == 1 and "line 4: more values than the 5 columns" in result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].startswith("id,name,risk,score")
    assert rows[1].startswith("c1,Ivan Demidov,") and "DEMO-4" in rows[1] and "DEMO-3" in rows[1]
    assert rows[2].startswith("c2,Anna Smith,high")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('a1,"Ann Lee,ann@example.org\n', "line 2: unreadable CSV"),  # the quote never closes
        # It closes at the end of a later row: strict parsing accepts that, the swallowed rows do not.
        (
            'a1,"Ann Lee,ann@example.org\na2,Bob Stone,bob@example.org"\n',
            "line 2: a quoted field runs on to line 3",
        ),
    ],
)
def test_an_unbalanced_quote_is_named_and_loses_no_row(tmp_path, broken: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,name,emails\n"
        + broken
        + "a3,Ryang Sun-ok,someone@example.org\na4,Maria Lopez,maria@example.org\n"
    )
    result = _run([str(path), "--lists", "demo"])
    assert result.exit_code == 1
    assert message in result.stderr and "an unbalanced quote?" in result.stderr
    screened = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert {"a3", "a4"} <= set(screened) and "a1" not in screened  # the listed person is not lost
    assert "line(s) could not be screened" in result.stderr


def test_a_resume_may_run_over_lines_in_a_quoted_field(tmp_path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('id,name,resume_text\nr1,Ann Lee,"Skills:\nPython, Go, Rust\nTen years"\nr2,Bo Chen,\n')
    result = _run([str(path), "--lists", "demo"])
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["r1", "r2"]


def test_stdin_and_table_output() -> None:
    result = _run(["-", "--lists", "demo", "--format", "table"], stdin=_jsonl(APPLICANTS))
    assert result.exit_code == 0, result.output
    assert "Ryang Sun-ok" in result.stdout and "DEMO-1" in result.stdout
    assert "4 screened:" in result.stdout


def test_output_file_and_threshold(tmp_path) -> None:
    out = tmp_path / "out.jsonl"
    result = _run(["-", "--lists", "demo", "--output", str(out), "--threshold", "100"],
                  stdin=_jsonl([{"id": "t", "name": "Ryang Sun-ok Kim"}]))  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(out.read_text())["sanctions_hits"] == []


def test_missing_lists_directory_is_a_clear_error(tmp_path) -> None:
    result = _run(["-", "--lists", str(tmp_path)], stdin=_jsonl(APPLICANTS[:1]))
    assert result.exit_code != 0
    assert "no list files" in result.output


def test_without_lists_it_refuses_to_screen_against_nothing(tmp_path, monkeypatch) -> None:
    pytest.importorskip("screening.lists.store")
    monkeypatch.setenv("HIREWATCH_LISTS_DIR", str(tmp_path / "empty"))
    result = _run(["-"], stdin=_jsonl(APPLICANTS[:1]))
    assert result.exit_code != 0
    assert "hirewatch lists update" in result.output


def test_a_result_as_a_dict_is_what_asdict_makes_and_shares_no_container() -> None:
    from dataclasses import asdict

    from screening.models import Flag, Risk, SanctionsHit, ScreeningResult, Severity

    hit = SanctionsHit("ofac_sdn", "1", "KIM, Jong", "KIM, Jong", "name", 91.0, ["DPRK3"], "KIM = KIM",
                       details={"parts": [{"listed": "KIM", "score": 1.0}]})  # fmt: skip
    evidence = {"with": ["a2", "a3"], "digits": "1555"}
    flag = Flag("shared_phone", Severity.HIGH, "Phone shared", evidence=evidence)
    result = ScreeningResult("a1", Risk.HIGH, 70.0, [hit], [flag], {"ofac_sdn": "v1"}, ["because"], True)
    plain = result.to_dict()
    assert plain == asdict(result)
    plain["sanctions_hits"][0]["programs"].append("x")
    plain["flags"][0]["evidence"]["with"].append("a4")
    assert hit.programs == ["DPRK3"] and flag.evidence["with"] == ["a2", "a3"]


def test_a_large_batch_split_over_processes_gives_the_one_process_results(tmp_path) -> None:
    """Two forked processes screen a batch as one does, in input order, links across the halves kept."""
    shared_phone = "+1 202 555 0143"
    names = ["Ryang Sun-ok", "Jane Doe", "Pak Il Ho", "Maria Lopez"]
    rows = [
        {"id": f"p{i}", "name": f"{names[i % 4]} {i}", "phones": [shared_phone] if i in (3, 250) else [],
         "employers": ["Silverline Demo Tech"] if i % 7 == 0 else []}
        for i in range(260)
    ]  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(rows))
    one = _run([str(path), "--lists", "demo", "--jobs", "1"])
    two = _run([str(path), "--lists", "demo", "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert two.stdout == one.stdout
    records = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["id"] for r in records] == [f"p{i}" for i in range(260)]
    assert any(r["sanctions_hits"] for r in records[200:])  # the second process's share was screened
    linked = [r["id"] for r in records if any(f["code"].startswith("shared") for f in r["flags"])]
    assert linked == ["p3", "p250"]


def _die(chunk) -> list:
    os._exit(3)  # a worker process killed mid-batch (the OOM killer, say)


def test_a_worker_process_that_dies_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl({"id": f"p{i}", "name": f"Jane Doe {i}"} for i in range(220)))
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(screen_command, "_screen_chunk", _die)  # the forked workers inherit it
    result = _run([str(path), "--lists", "demo", "--jobs", "2", "--output", str(out)])
    assert result.exit_code == 1
    assert "ended abruptly" in result.output and "--jobs 1" in result.output
    assert not out.exists()
