"""Cells a spreadsheet will not run: CSV we write is opened in Excel, LibreOffice and Sheets.

A cell that starts with = + - @ is read as a formula (`=HYPERLINK(...)` phones home, `@SUM`
runs), and so is one that starts with a tab or carriage return, which some importers drop
before looking. OWASP's advice: prefix such a cell with a single quote, which makes it text.
"""

from __future__ import annotations

from datetime import date, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as a CSV cell: text that could start a formula gets a leading `'`; numbers,
    booleans and None are left as they are (no spreadsheet runs them)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
