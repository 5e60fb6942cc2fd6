from sqlalchemy import select

from store import audit
from store.db import make_engine
from store.tables import audit_log, installations


def test_schema_and_audit_on_both_databases(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(installations.insert().values(id="i1", platform="greenhouse", name="Acme", settings={}))
        audit.record(conn, action="screening", actor="worker", installation_id="i1", subject="c42")
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.action, audit_log.c.subject)).all()
    assert rows == [("screening", "c42")]
