"""Sanctions matching: names (any script, any romanisation), employers and exact identifiers.

`SanctionsIndex(snapshots).match(applicant)` is the entry point; see index.py.
"""

from screening.matching.index import DEFAULT_THRESHOLD, SanctionsIndex

__all__ = ["DEFAULT_THRESHOLD", "SanctionsIndex"]
