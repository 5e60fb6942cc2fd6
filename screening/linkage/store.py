"""Where one tenant's linkage keys live: the protocol, and an in-memory implementation.

`store/linkage.py` implements the same protocol on SQL so a webhook screening sees every earlier
applicant of the tenant. One store instance holds one tenant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Protocol

from screening.linkage.keys import Document, LinkRecord


class LinkageStore(Protocol):
    def put(self, record: LinkRecord) -> None:
        """Add an applicant, replacing every key and text it had before."""

    def put_many(self, records: Iterable[LinkRecord]) -> None: ...

    def delete(self, applicant_id: str) -> None:
        """Forget an applicant and all its keys (deleted or anonymised in the ATS)."""

    def holders(self, digests: Collection[str]) -> dict[str, set[str]]:
        """digest -> ids of the applicants holding it (only digests someone holds)."""

    def names(self, applicant_ids: Collection[str]) -> dict[str, str]: ...

    def documents(self, applicant_ids: Collection[str]) -> dict[str, list[Document]]: ...

    def __len__(self) -> int: ...


class MemoryLinkageStore:
    def __init__(self) -> None:
        self._holders: dict[str, set[str]] = defaultdict(set)
        self._records: dict[str, LinkRecord] = {}

    def put(self, record: LinkRecord) -> None:
        self.delete(record.applicant_id)
        self._records[record.applicant_id] = record
        for key in record.keys:
            self._holders[key.digest].add(record.applicant_id)

    def put_many(self, records: Iterable[LinkRecord]) -> None:
        for record in records:
            self.put(record)

    def delete(self, applicant_id: str) -> None:
        old = self._records.pop(applicant_id, None)
        for key in old.keys if old else ():
            holders = self._holders.get(key.digest)
            if holders is not None:
                holders.discard(applicant_id)
                if not holders:
                    del self._holders[key.digest]

    def holders(self, digests: Collection[str]) -> dict[str, set[str]]:
        return {d: set(self._holders[d]) for d in digests if d in self._holders}

    def names(self, applicant_ids: Collection[str]) -> dict[str, str]:
        return {i: self._records[i].name for i in applicant_ids if i in self._records}

    def documents(self, applicant_ids: Collection[str]) -> dict[str, list[Document]]:
        return {i: self._records[i].documents for i in applicant_ids if i in self._records}

    def __len__(self) -> int:
        return len(self._records)
