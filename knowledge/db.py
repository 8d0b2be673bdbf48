"""Engine and sessions. The URL comes from DATABASE_URL (default: SQLite file in var/).

On PostgreSQL every connection has a connect timeout and a statement timeout, so a
database that hangs costs a citizen a few seconds and an apology (12348), not a turn
that never ends and a worker held forever:

    YUEFA_DB_CONNECT_TIMEOUT     seconds to open a connection (default 5)
    YUEFA_DB_STATEMENT_TIMEOUT   milliseconds one statement may run (default 5000; 0 = none,
                                 e.g. for a long one-off `python -m knowledge.loader`)
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = ROOT / "var" / "yuefa.db"

CONNECT_TIMEOUT_ENV = "YUEFA_DB_CONNECT_TIMEOUT"
STATEMENT_TIMEOUT_ENV = "YUEFA_DB_STATEMENT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT_S = 5
DEFAULT_STATEMENT_TIMEOUT_MS = 5000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url(url: str | None = None) -> str:
    """The explicit URL, else $DATABASE_URL, else the SQLite file in var/ (created if missing)."""
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    if url.startswith("postgres://"):  # Heroku-style scheme that SQLAlchemy 1.4 rejects
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not pysqlite, issue BEGIN, so DDL is transactional too (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # Writers that first read (build_database: create_all, then delete/insert) ask for
    # "BEGIN IMMEDIATE" so two of them queue on the lock instead of deadlocking.
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw[:20]!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def postgres_connect_args(url: str) -> dict:
    """psycopg2 arguments that bound connecting and every statement (see module docstring).
    Options already in the URL (?options=-c%20search_path%3D...) are kept."""
    connect_timeout = _env_int(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S)
    statement_timeout = _env_int(STATEMENT_TIMEOUT_ENV, DEFAULT_STATEMENT_TIMEOUT_MS)
    options = str(make_url(url).query.get("options") or "")
    args: dict = {"options": f"{options} -c statement_timeout={statement_timeout}".strip()}
    if connect_timeout:
        args["connect_timeout"] = connect_timeout
    return args


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the action server calls this on every turn)."""
    url = database_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            # hide_parameters: SQL errors in logs never echo what a citizen typed.
            kwargs: dict = {"future": True, "pool_pre_ping": True, "hide_parameters": True}
            if url.startswith("sqlite"):
                # Several processes (action server, CLI, tests) may share the file.
                kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            elif url.startswith("postgresql"):
                kwargs["connect_args"] = postgres_connect_args(url)
                kwargs["pool_timeout"] = 10  # all pooled connections busy: give up, don't queue forever
            engine = create_engine(url, **kwargs)
            if url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)
            _engines[url] = engine
        return engine


def get_session(url: str | None = None) -> Session:
    """A new 2.0-style session; the caller closes it (prefer session_scope)."""
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = get_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engine(url: str | None = None) -> None:
    """Close pooled connections (tests drop their throw-away databases afterwards)."""
    url = database_url(url)
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()
