"""Shared fixtures: store URLs for SQLite (always) and PostgreSQL (when CPAS_TEST_PG_URL names a server).

``pg_url`` gives every test a fresh, empty PostgreSQL database and drops it afterwards. Without
``CPAS_TEST_PG_URL`` (or when the server cannot be reached) the PostgreSQL variants are skipped with
the reason shown in the ``-ra`` summary; with ``CPAS_REQUIRE_PG`` set (as in CI) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from functools import lru_cache
from pathlib import Path

import pytest

PG_ENV = "CPAS_TEST_PG_URL"
REQUIRE_ENV = "CPAS_REQUIRE_PG"
_PG_HELP = (
    f"PostgreSQL not available: set {PG_ENV} to a server URL a superuser can log in with, e.g. "
    "postgresql+psycopg://cpas:cpas@127.0.0.1:5432/postgres"
)


def _pg_base_url():
    """The server URL from the environment (with the psycopg driver), or None."""
    from sqlalchemy.engine import make_url

    raw = os.environ.get(PG_ENV, "").strip()
    if not raw:
        return None
    url = make_url(raw)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


@lru_cache(maxsize=1)
def _pg_unavailable_reason() -> str | None:
    """Why PostgreSQL cannot be used (None when it can); probed once per test session."""
    from sqlalchemy import create_engine, text

    url = _pg_base_url()
    if url is None:
        return f"{_PG_HELP} ({PG_ENV} is not set)"
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with the reason"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{_PG_HELP} (cannot connect to {url.render_as_string(hide_password=True)}: {first_line})"
    return None


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite store file in the test's own temporary folder."""
    return f"sqlite:///{tmp_path}/cpas.sqlite"


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for this test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    reason = _pg_unavailable_reason()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV):  # CI: a missing server is a failure, not a quiet skip
            pytest.fail(f"{REQUIRE_ENV} is set but {reason}")
        pytest.skip(reason)
    base = _pg_base_url()
    name = f"cpas_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = :name AND pid <> pg_backend_pid()"),
                    {"name": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        finally:
            admin.dispose()


def pytest_generate_tests(metafunc):
    """Tests that use ``store_url`` (or ``store``) run on every backend their module allows.

    A module sets ``STORE_BACKENDS = ("sqlite",)`` to stay on SQLite; the default is both backends.
    """
    if "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", getattr(metafunc.module, "STORE_BACKENDS", ("sqlite", "postgresql")))


@pytest.fixture
def store_url(request, store_backend) -> str:
    """Run a test on both backends: the SQLite URL, then the PostgreSQL one (skipped when unavailable)."""
    return request.getfixturevalue("sqlite_url" if store_backend == "sqlite" else "pg_url")


@pytest.fixture
def store(request, store_backend):
    """The one ``store`` fixture: an open :class:`Store`, closed after the test.

    What it holds is the module's ``STORE_CONTENT``:

    - ``"empty"`` (the default): a new, empty store on every backend;
    - ``"framework"``: the demo mission's framework saved effective from 2021/22-Q1, by ``pytest``;
    - ``"demo"``: a private copy of the demo store (framework, synthetic data, tracker) — SQLite only.
    """
    from cpas_kit.demo import demo_framework
    from cpas_kit.store import Store

    content = getattr(request.module, "STORE_CONTENT", "empty")
    if content == "demo":
        if store_backend != "sqlite":
            pytest.fail('STORE_CONTENT = "demo" is a SQLite copy: set STORE_BACKENDS = ("sqlite",)')
        url = request.getfixturevalue("demo_sqlite_url")
    else:
        url = request.getfixturevalue("store_url")
    s = Store(url)
    if content == "framework":
        s.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    elif content not in ("empty", "demo"):
        pytest.fail(f"unknown STORE_CONTENT {content!r}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory) -> Path:
    """A SQLite store with the demo mission loaded, built once per test session (copy it, never write to it)."""
    from cpas_kit.demo import load_demo
    from cpas_kit.store import Store

    path = tmp_path_factory.mktemp("demo-store") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    load_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_sqlite_url(demo_store_file, tmp_path) -> str:
    """A private copy of the demo store for one test."""
    from tests.voila_support import copy_store

    return copy_store(demo_store_file, tmp_path / "demo.sqlite")


def _needs_postgres(item: pytest.Item) -> bool:
    """A test that uses the ``pg_url`` fixture, or a variant parametrized on the ``postgresql`` backend."""
    if "pg_url" in getattr(item, "fixturenames", ()):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(v == "postgresql" for v in params.values() if isinstance(v, str))


def pytest_collection_modifyitems(config, items):
    """Every PostgreSQL variant carries the ``postgres`` marker, so ``-m "not postgres"`` leaves them all out."""
    for item in items:
        if _needs_postgres(item) and item.get_closest_marker("postgres") is None:
            item.add_marker(pytest.mark.postgres)
