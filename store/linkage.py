"""The linkage store on SQL (SQLite or PostgreSQL): one tenant's keyed hashes and stripped texts.

Implements `screening.linkage.LinkageStore`, so a webhook screening sees every earlier applicant
of the tenant. Keys are HMAC digests (the raw phone, e-mail or address is never stored); the
texts kept are résumé/answer texts with names and contact details already stripped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator

from sqlalchemy import JSON, Column, Engine, Index, String, Table, Text, delete, func, insert, select

from screening.linkage import Linker, tenant_secret
from screening.linkage.keys import Document, LinkRecord
from store.db import metadata

linkage_applicants = Table(
    "linkage_applicants",
    metadata,
    Column("tenant", String(64), primary_key=True),  # installation id, or a CLI batch name
    Column("applicant_id", String(200), primary_key=True),
    Column("name", Text, nullable=False, default=""),  # to tell one person applying twice from a ring
    Column("documents", JSON, nullable=False, default=list),  # [[kind, stripped text], ...]
)

linkage_keys = Table(
    "linkage_keys",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("digest", String(64), primary_key=True),  # HMAC-SHA256 hex under the tenant secret
    Column("applicant_id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),
    Index("ix_linkage_keys_applicant", "tenant", "applicant_id"),
)

CHUNK = 500  # bound IN (...) lists: SQLite allows 32766 parameters, keep queries small anyway


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class SqlLinkageStore:
    def __init__(self, engine: Engine, tenant: str) -> None:
        self.engine = engine
        self.tenant = tenant

    def put(self, record: LinkRecord) -> None:
        self.put_many([record])

    def put_many(self, records: Iterable[LinkRecord]) -> None:
        records = list({r.applicant_id: r for r in records}.values())
        with self.engine.begin() as conn:
            records = self._changed(conn, records)
            for ids in _chunks([r.applicant_id for r in records]):
                self._delete_ids(conn, ids)
            if not records:
                return
            conn.execute(
                insert(linkage_applicants),
                [
                    {"tenant": self.tenant, "applicant_id": r.applicant_id, "name": r.name,
                     "documents": [[d.kind, d.text] for d in r.documents]}
                    for r in records
                ],
            )  # fmt: skip
            key_rows = [
                {"tenant": self.tenant, "digest": k.digest, "applicant_id": r.applicant_id, "kind": k.kind}
                for r in records
                for k in r.keys
            ]
            if key_rows:
                conn.execute(insert(linkage_keys), key_rows)

    def _changed(self, conn, records: list[LinkRecord]) -> list[LinkRecord]:
        """The records that differ from what is stored: a re-screen of unchanged applicants
        (the common case) then rewrites nothing."""
        stored_keys: dict[str, set[tuple[str, str]]] = defaultdict(set)
        stored_rows: dict[str, tuple[str, list]] = {}
        for ids in _chunks([r.applicant_id for r in records]):
            keys = select(linkage_keys.c.applicant_id, linkage_keys.c.digest, linkage_keys.c.kind).where(
                linkage_keys.c.tenant == self.tenant, linkage_keys.c.applicant_id.in_(ids)
            )
            for applicant_id, digest, kind in conn.execute(keys):
                stored_keys[applicant_id].add((digest, kind))
            rows = select(linkage_applicants).where(
                linkage_applicants.c.tenant == self.tenant, linkage_applicants.c.applicant_id.in_(ids)
            )
            stored_rows.update({row.applicant_id: (row.name, row.documents) for row in conn.execute(rows)})
        return [
            r
            for r in records
            if stored_rows.get(r.applicant_id) != (r.name, [[d.kind, d.text] for d in r.documents])
            or stored_keys[r.applicant_id] != {(k.digest, k.kind) for k in r.keys}
        ]

    def delete(self, applicant_id: str) -> None:
        with self.engine.begin() as conn:
            self._delete_ids(conn, [applicant_id])

    def _delete_ids(self, conn, ids: list[str]) -> None:
        for table in (linkage_keys, linkage_applicants):
            conn.execute(delete(table).where(table.c.tenant == self.tenant, table.c.applicant_id.in_(ids)))

    def holders(self, digests: Collection[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        with self.engine.connect() as conn:
            for chunk in _chunks(set(digests)):
                query = select(linkage_keys.c.digest, linkage_keys.c.applicant_id).where(
                    linkage_keys.c.tenant == self.tenant, linkage_keys.c.digest.in_(chunk)
                )
                for digest, applicant_id in conn.execute(query):
                    found[digest].add(applicant_id)
        return dict(found)

    def names(self, applicant_ids: Collection[str]) -> dict[str, str]:
        return {row.applicant_id: row.name for row in self._rows(applicant_ids)}

    def documents(self, applicant_ids: Collection[str]) -> dict[str, list[Document]]:
        return {
            row.applicant_id: [Document(kind, text) for kind, text in row.documents]
            for row in self._rows(applicant_ids)
        }

    def _rows(self, applicant_ids: Collection[str]) -> list:
        rows = []
        with self.engine.connect() as conn:
            for chunk in _chunks(set(applicant_ids)):
                query = select(linkage_applicants).where(
                    linkage_applicants.c.tenant == self.tenant, linkage_applicants.c.applicant_id.in_(chunk)
                )
                rows.extend(conn.execute(query))
        return rows

    def __len__(self) -> int:
        query = (
            select(func.count())
            .select_from(linkage_applicants)
            .where(linkage_applicants.c.tenant == self.tenant)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def linker_for(engine: Engine, tenant: str, master_key: bytes) -> Linker:
    """The Linker of one tenant (an installation id) on this database: pass it to the Screener,
    and call `forget(applicant_id)` when the ATS deletes or anonymises a candidate."""
    return Linker(SqlLinkageStore(engine, tenant), tenant_secret(master_key, tenant))
