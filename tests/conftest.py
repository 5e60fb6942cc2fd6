"""Fixtures shared by the whole suite: the real list data, and real databases."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
import uuid
from functools import cache
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

# The suite tests the defaults: a developer's own settings (HIREWATCH_LISTS_DIR pointing at a real
# list store, another person scorer...) would change what the code under test reads. Only the
# suite's own HIREWATCH_TEST_* settings pass. Before any of our modules is imported: some read
# their settings at import.
for _name in [n for n in os.environ if n.startswith("HIREWATCH_") and not n.startswith("HIREWATCH_TEST_")]:
    del os.environ[_name]

from store.db import init_db, make_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get(
    "HIREWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _missing(reason: str):
    """Skip on a developer machine; in CI a missing prerequisite is a failure, not a skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: the real OFAC and UN files (never copied into the repo)."""
    if not (SHARED_DATA / "ofac" / "sdn.csv").exists():
        _missing(f"real list data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A throwaway PostgreSQL database for this test session (dropped at the end)."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hirewatch_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        admin.dispose()
        _missing(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty, initialised database: SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hirewatch.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    init_db(engine)
    from store.db import metadata

    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'hirewatch.db'}"
    init_db(make_engine(url))
    return url


@cache
def _private_redis_port() -> int:
    """Start one real redis-server for this test process on a free loopback port.

    Tests that start Celery workers or inspect queues use it, so a test run elsewhere on the
    machine (another checkout, a developer's run during CI) can neither consume nor clear them.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        return 6379  # no binary: the machine's own Redis, databases as the tests name them
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    atexit.register(server.terminate)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return port
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def private_redis_url(db: int = 0) -> str:
    """A database of this test process's own real Redis."""
    return f"redis://127.0.0.1:{_private_redis_port()}/{db}"
