"""Engine creation and schema set-up, shared by the web app, the workers and the CLI."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.schema import CreateColumn

metadata = MetaData()


def _load_table_modules() -> None:
    """Import every module of `store` so that all tables are registered on `metadata`."""
    import store

    for module in pkgutil.iter_modules(store.__path__):
        importlib.import_module(f"store.{module.name}")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web app write the inbox while a worker reads; busy_timeout waits for locks
    # instead of failing at once when both write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_db(engine: Engine) -> None:
    """Create any missing tables, and any missing nullable columns of existing ones (idempotent)."""
    _load_table_modules()
    metadata.create_all(engine)
    _add_missing_columns(engine)


def _add_missing_columns(engine: Engine) -> None:
    """A database made by an older version gets the nullable columns added since (ALTER TABLE ...
    ADD COLUMN works on SQLite and PostgreSQL alike); a new NOT NULL column needs a real migration."""
    existing_tables = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in existing_tables.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    ddl = CreateColumn(column).compile(dialect=engine.dialect)
                    conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")


@cache
def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process, schema ensured."""
    engine = make_engine(url)
    init_db(engine)
    return engine
