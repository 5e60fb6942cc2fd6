"""UN Security Council Consolidated List XML and the env var overriding its URL."""

from __future__ import annotations

from screening.lists.sources import Source

SOURCES = [
    Source(
        "un/consolidated.xml",
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "HIREWATCH_UN_XML_URL",
    ),
]
