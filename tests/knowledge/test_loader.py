"""build_database: idempotent, complete, never destroys imported offices, invents nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from knowledge import db
from knowledge.loader import build_database
from knowledge.models import (
    CaseRoute, Division, DivisionAlias, EligibilityRule, LegalSource, Office, ServiceItem,
)

TABLES = [Division, DivisionAlias, LegalSource, ServiceItem, EligibilityRule, CaseRoute, Office]


def counts(url):
    with db.session_scope(url) as s:
        return {t.__tablename__: s.execute(select(func.count()).select_from(t)).scalar() for t in TABLES}


def test_build_is_idempotent(empty_url):
    build_database(empty_url)
    first = counts(empty_url)
    build_database(empty_url)
    build_database(empty_url)
    assert counts(empty_url) == first
    assert first["kb_divisions"] == 21 + 122


def test_divisions_match_the_reference(kb_url):
    with db.session_scope(kb_url) as s:
        cities = s.execute(select(Division).where(Division.level == "city")).scalars().all()
        counties = s.execute(select(Division).where(Division.level == "county")).scalars().all()
        assert len(cities) == 21 and len(counties) == 122
        shunde = s.get(Division, "440606")
        assert (shunde.name, shunde.city_name, shunde.city_code) == ("顺德区", "佛山市", "440600")
        assert all(c.code.startswith(c.city_code[:4]) for c in counties)


def test_rebuild_keeps_agency_imported_offices(kb_url):
    with db.session_scope(kb_url) as s:
        s.add(Office(office_type="notary", name="佛山测试公证处", city="佛山市", source="测试",
                     verified_on=dt.date(2024, 1, 1), origin="import"))
    build_database(kb_url)
    with db.session_scope(kb_url) as s:
        names = s.execute(select(Office.name).where(Office.origin == "import")).scalars().all()
    assert names == ["佛山测试公证处"]


def test_rebuild_restores_tampered_seed_rows(kb_url):
    with db.session_scope(kb_url) as s:
        s.get(ServiceItem, "mediation").fee_rule = "收费999元"
    build_database(kb_url)
    with db.session_scope(kb_url) as s:
        assert "不收取任何费用" in s.get(ServiceItem, "mediation").fee_rule


def test_every_city_has_entry_points_and_nothing_is_invented(kb_url):
    with db.session_scope(kb_url) as s:
        offices = s.execute(select(Office).where(Office.origin == "seed")).scalars().all()
        cities = s.execute(select(Division.name).where(Division.level == "city")).scalars().all()
    for city in cities:
        types = {o.office_type for o in offices if o.city == city}
        assert {"public_legal_service_center", "legal_aid"} <= types, city
    hotline = [o for o in offices if o.office_type == "hotline"]
    assert len(hotline) == 1 and hotline[0].phone == "12348" and hotline[0].city is None
    for office in offices:
        assert office.source and office.verified_on
        if office.office_type != "hotline":  # no sourced address/phone/hours exist for these
            assert (office.address, office.phone, office.hours) == ("", "", ""), office.name


def test_every_rule_and_guide_cites_an_existing_source(kb_url):
    with db.session_scope(kb_url) as s:
        keys = set(s.execute(select(LegalSource.key)).scalars())
        for rule in s.execute(select(EligibilityRule)).scalars():
            assert rule.source in keys
        for item in s.execute(select(ServiceItem)).scalars():
            assert item.basis and set(item.basis) <= keys, item.code


def test_default_url_is_the_var_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{db.DEFAULT_DB_PATH}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/x")
    assert db.database_url() == "postgresql://u@h/x"


def test_concurrent_builds_do_not_conflict(empty_url):
    """Replicas starting together each call build_database on the same database."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: build_database(empty_url), range(3)))
    assert len(results) == 3
    assert counts(empty_url)["kb_divisions"] == 143


def test_old_seed_table_shape_is_recreated_and_imports_survive(kb_url):
    from sqlalchemy import text

    with db.session_scope(kb_url) as s:
        s.add(Office(office_type="notary", name="保留的公证处", city="广州市", source="测试",
                     verified_on=dt.date(2024, 1, 1), origin="import"))
        s.execute(text("ALTER TABLE kb_eligibility_rules DROP COLUMN materials"))
    build_database(kb_url)
    with db.session_scope(kb_url) as s:
        assert s.get(EligibilityRule, "art41_declaration").materials
        assert s.execute(select(Office.name).where(Office.origin == "import")).scalars().all() == ["保留的公证处"]


def test_outdated_office_table_is_reported_not_dropped(kb_url):
    import pytest
    from sqlalchemy import text

    from knowledge.loader import SchemaError

    with db.session_scope(kb_url) as s:
        s.execute(text("ALTER TABLE kb_offices DROP COLUMN import_batch"))
    with pytest.raises(SchemaError, match="import_batch"):
        build_database(kb_url)
    with db.session_scope(kb_url) as s:
        assert s.execute(select(func.count()).select_from(Office.__table__)).scalar() == 43
