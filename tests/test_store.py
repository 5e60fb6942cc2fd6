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


def test_sqlite_database_is_private_to_its_owner(tmp_path) -> None:
    """The file holds applicants' personal data: 0600, in a directory others cannot list."""
    import os
    import stat

    from store.db import init_db

    previous = os.umask(0o022)  # the usual umask, under which a plain create gives 0644 / 0755
    try:
        path = tmp_path / "data" / "hirewatch.db"
        engine = make_engine(f"sqlite:///{path}")
        init_db(engine)
        with engine.begin() as conn:  # a write: SQLite now has its -wal file too
            conn.execute(installations.insert().values(id="i1", platform="lever", name="A", settings={}))
        for created in (path, path.with_name("hirewatch.db-wal")):
            assert stat.S_IMODE(created.stat().st_mode) == 0o600, created
        assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
        engine.dispose()

        older = tmp_path / "older.db"  # made world-readable by an earlier version
        older.touch(mode=0o644)
        make_engine(f"sqlite:///{older}")
        assert stat.S_IMODE(older.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
