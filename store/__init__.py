"""Persistence: SQLAlchemy Core tables on SQLite (embedded default) or PostgreSQL (production).

Each area keeps its tables and queries in its own module here (`store/<area>.py`), all on the
one `metadata` of `store.db`; `init_db` imports every module so `create_all` sees every table.
"""
