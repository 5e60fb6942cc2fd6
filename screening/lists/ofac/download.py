"""OFAC Sanctions List Service exports (legacy CSV family) and the env vars overriding each URL.

The SLS answers with a 302 to a short-lived S3 URL and, behind an AWS WAF since 2026-07-30,
wants a browser-like User-Agent (see screening/lists/download.py).
"""

from __future__ import annotations

from screening.lists.sources import Source

SLS_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

SOURCES = [
    Source("ofac/sdn.csv", f"{SLS_EXPORTS}/SDN.CSV", "HIREWATCH_OFAC_SDN_URL"),
    Source("ofac/alt.csv", f"{SLS_EXPORTS}/ALT.CSV", "HIREWATCH_OFAC_ALT_URL"),
    Source("ofac/add.csv", f"{SLS_EXPORTS}/ADD.CSV", "HIREWATCH_OFAC_ADD_URL"),
    Source("ofac/sdn_comments.csv", f"{SLS_EXPORTS}/SDN_COMMENTS.CSV", "HIREWATCH_OFAC_SDN_COMMENTS_URL"),
    Source("ofac/cons_prim.csv", f"{SLS_EXPORTS}/CONS_PRIM.CSV", "HIREWATCH_OFAC_CONS_PRIM_URL"),
    Source("ofac/cons_alt.csv", f"{SLS_EXPORTS}/CONS_ALT.CSV", "HIREWATCH_OFAC_CONS_ALT_URL"),
    Source("ofac/cons_add.csv", f"{SLS_EXPORTS}/CONS_ADD.CSV", "HIREWATCH_OFAC_CONS_ADD_URL"),
    Source("ofac/cons_comments.csv", f"{SLS_EXPORTS}/CONS_COMMENTS.CSV", "HIREWATCH_OFAC_CONS_COMMENTS_URL"),
]
