"""Knowledge-base fixtures: the same tests run on SQLite and on real PostgreSQL."""
from __future__ import annotations

import os
import uuid

import pytest

from knowledge import db
from knowledge.eligibility import Rule
from knowledge.loader import build_database
from knowledge.models import metadata
from knowledge.seed import load_seed

PG_ADMIN_URL = os.environ.get("YUEFA_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_database():
    """A throw-away PostgreSQL database for this session (fails if PostgreSQL is down)."""
    import psycopg2

    name = f"yuefa_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        yield url
    finally:
        db.dispose_engine(url)
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    """A database URL with no knowledge tables yet, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kb.db'}"
        yield url
        db.dispose_engine(url)
    else:
        url = request.getfixturevalue("pg_database")
        metadata.drop_all(db.get_engine(url))
        yield url


@pytest.fixture
def kb_url(empty_url):
    """A freshly built knowledge database on each backend."""
    build_database(empty_url)
    return empty_url


@pytest.fixture
def kb(kb_url, monkeypatch):
    """knowledge.api bound (through DATABASE_URL) to a freshly built database."""
    from knowledge import api

    monkeypatch.setenv("DATABASE_URL", kb_url)
    return api


@pytest.fixture(scope="session")
def seed_rules() -> list[Rule]:
    """The seed's rules as engine Rules (no database)."""
    fields = Rule.__dataclass_fields__
    rules = []
    for row in load_seed().rules:
        values = {k: v for k, v in row.items() if k in fields}
        for key in ("case_types", "case_categories", "person_groups", "flags", "roles"):
            values[key] = tuple(values.get(key) or ())
        rules.append(Rule(**values))
    return rules
