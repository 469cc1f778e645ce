"""Connecting to the store: SQLite in WAL mode by default, any SQLAlchemy URL via ``CPAS_DB_URL``.

Writes are short transactions run through :func:`run_write`, which retries when another process
holds the lock (SQLite) or a concurrent insert or serialization conflict wins (PostgreSQL), so that
many Voila kernels writing at once never lose a write.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from cpas_kit.core.errors import StoreError
from cpas_kit.core.paths import MIGRATIONS_DIR

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
MAX_ATTEMPTS = 8
_WRITE = "cpas_write"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and IMMEDIATE write transactions."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"'{url}' is not a database URL; use e.g. sqlite:///path/to/cpas.sqlite or "
            "postgresql+psycopg://user:password@host/dbname"
        ) from None
    if parsed.drivername == "postgresql":  # pick the driver we ship
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=2, max_overflow=2)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite's own handling is off)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the write lock at BEGIN, so two writers never deadlock upgrading read locks.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a concurrent writer inserted the same key first: re-read and try again
    if isinstance(exc, OperationalError):
        msg = str(exc.orig).lower()
        return "locked" in msg or "busy" in msg or "deadlock" in msg or "could not serialize" in msg
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


def run_write(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """Run ``fn(conn)`` in one write transaction, retrying on lock and concurrency conflicts."""
    attempt = 0
    while True:
        attempt += 1
        try:
            with engine.connect().execution_options(**{_WRITE: True}) as conn:
                with conn.begin():
                    return fn(conn)
        except (OperationalError, IntegrityError, DBAPIError) as exc:
            if attempt >= MAX_ATTEMPTS or not _retryable(exc):
                raise
            time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read-only connection inside one transaction (a consistent snapshot)."""
    with engine.connect() as conn:
        with conn.begin():
            yield conn


# -- migrations ---------------------------------------------------------------------------------
# Alembic is imported only here, when a store is opened with upgrade=True or upgraded: a workshop
# participant's kernel opens the store with upgrade=False and never loads it (~11 MB less per kernel).

def _alembic_config(conn: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of cpas_kit knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the store is at (None for an empty store)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to ``revision``; safe when several processes start at once."""
    if revision == "head" and current_revision(engine) == head_revision():
        return

    from alembic import command
    from alembic.runtime.migration import MigrationContext

    def _do(conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        if revision == "head" and MigrationContext.configure(conn).get_current_revision() == head_revision():
            return  # another process upgraded while we waited for the lock
        command.upgrade(_alembic_config(conn), revision)

    try:
        run_write(engine, _do)
    except OperationalError as exc:
        raise StoreError(f"the store at {engine.url!r} could not be opened or upgraded: {exc.orig}") from None
