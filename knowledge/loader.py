"""Build the knowledge database from knowledge/seed/ — idempotent, safe on every start.

Every call, in one transaction: create missing tables, replace the seed tables
(divisions, aliases, legal sources, services, rules, routes) and the seed offices
(origin='seed') with the seed files' content. Offices imported by an agency
(origin='import') are never touched. On PostgreSQL a transaction-level advisory lock
serialises replicas that start together; SQLite serialises writers by itself.

CLI: python -m knowledge.loader [--database-url URL]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import sys

from sqlalchemy import delete, inspect, text
from sqlalchemy.engine import Connection

from knowledge import db
from knowledge.models import (
    SEED_TABLES, CaseRoute, Division, DivisionAlias, EligibilityRule, Facet, LegalSource, Meta, Office, ServiceItem, Term,
    metadata,
)
from knowledge.seed import SEED_DIR, load_seed

log = logging.getLogger(__name__)

BUILD_STATEMENT_TIMEOUT_MS = "300000"
ADVISORY_LOCK_KEY = 0x79756566  # "yuef"

SERVICE_FIELDS = ("code", "kind", "name", "summary", "materials", "in_person", "time_limit", "fee_rule",
                  "where_to_apply", "online", "cross_province", "notes", "basis", "office_type")
RULE_FIELDS = ("code", "kind", "source", "clause", "case_types", "case_categories", "person_groups",
               "flags", "roles", "conditional", "condition", "reason", "materials", "position")
OFFICE_FIELDS = ("office_type", "name", "city", "district", "address", "phone", "hours", "services",
                 "source", "verified_on", "origin")


def seed_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(SEED_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _pick(row: dict, fields: tuple[str, ...], defaults: dict | None = None) -> dict:
    defaults = defaults or {}
    return {f: row.get(f, defaults.get(f)) for f in fields}


def _rows(data) -> dict:
    service_defaults = {"materials": [], "notes": [], "basis": [], "time_limit": "", "fee_rule": "",
                        "where_to_apply": "", "online": "", "in_person": None, "cross_province": None,
                        "office_type": None}
    rule_defaults = {"clause": None, "case_types": [], "case_categories": [], "person_groups": [],
                     "flags": [], "roles": [], "conditional": False, "condition": "", "materials": []}
    office_defaults = {"district": None, "address": "", "phone": "", "hours": "", "services": []}
    return {
        "divisions": data.cities + data.counties,
        "aliases": data.aliases,
        "sources": [
            {"key": s["key"], "law": s["law"], "article": s.get("article"), "summary": s["summary"],
             "excerpt": s.get("excerpt") or "", "verified": bool(s.get("verified", True)), "note": s.get("note") or ""}
            for s in data.sources
        ],
        "services": [_pick(s, SERVICE_FIELDS, service_defaults) for s in data.services],
        "rules": [_pick(r, RULE_FIELDS, rule_defaults) for r in data.rules],
        "routes": data.routes,
        "facets": data.facets,
        "terms": data.terms,
        "offices": [_pick(o, OFFICE_FIELDS, office_defaults) for o in data.offices],
    }


def _write(conn: Connection, rows: dict, fingerprint: str) -> None:
    for table in (DivisionAlias, EligibilityRule, CaseRoute, Facet, Term, ServiceItem, LegalSource):
        conn.execute(delete(table))
    conn.execute(delete(Division).where(Division.level == "county"))
    conn.execute(delete(Division))
    conn.execute(delete(Office).where(Office.origin == "seed"))
    # Cities before counties (self-reference), sources before rules (foreign key).
    conn.execute(Division.__table__.insert(), [d for d in rows["divisions"] if d["level"] == "city"])
    conn.execute(Division.__table__.insert(), [d for d in rows["divisions"] if d["level"] == "county"])
    conn.execute(DivisionAlias.__table__.insert(), rows["aliases"])
    conn.execute(LegalSource.__table__.insert(), rows["sources"])
    conn.execute(ServiceItem.__table__.insert(), rows["services"])
    conn.execute(EligibilityRule.__table__.insert(), rows["rules"])
    conn.execute(CaseRoute.__table__.insert(), rows["routes"])
    if rows["facets"]:
        conn.execute(Facet.__table__.insert(), rows["facets"])
    if rows["terms"]:
        conn.execute(Term.__table__.insert(), rows["terms"])
    conn.execute(Office.__table__.insert(), rows["offices"])
    conn.execute(delete(Meta).where(Meta.key == "seed_fingerprint"))
    conn.execute(Meta.__table__.insert(), [{"key": "seed_fingerprint", "value": fingerprint,
                                            "updated_at": dt.datetime.utcnow()}])


class SchemaError(RuntimeError):
    """kb_offices (agency data, never dropped) no longer matches the code."""


def _migrate(conn: Connection) -> None:
    """Seed tables hold nothing but seed data: when their columns changed, drop and recreate them.
    kb_offices holds imported data: it is never dropped; a mismatch is reported instead."""
    inspector = inspect(conn)
    existing = set(inspector.get_table_names())

    def columns_differ(table) -> bool:
        if table.name not in existing:
            return False
        return {c["name"] for c in inspector.get_columns(table.name)} != {c.name for c in table.columns}

    seed_tables = [t.__table__ for t in SEED_TABLES]
    if any(columns_differ(t) for t in seed_tables):
        log.info("knowledge seed tables changed shape: recreating them")
        metadata.drop_all(conn, tables=seed_tables)
    office = Office.__table__
    if office.name in existing:
        missing = {c.name for c in office.columns} - {c["name"] for c in inspector.get_columns(office.name)}
        if missing:
            raise SchemaError(f"{office.name} lacks column(s) {sorted(missing)}; add them (ALTER TABLE) "
                              "or export the imported offices, drop the table and re-import")
    metadata.create_all(conn)


def build_database(url: str | None = None) -> str:
    """Create/refresh the knowledge tables at `url` (default: $DATABASE_URL or var/yuefa.db).

    Returns the URL used, with any password masked.
    """
    data = load_seed()  # raises SeedError before anything is written
    rows = _rows(data)
    fingerprint = seed_fingerprint()
    engine = db.get_engine(url)
    with engine.connect() as conn, conn.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin():
        if engine.dialect.name == "postgresql":
            # A build (or waiting for another replica's build) may outlast the per-statement
            # limit meant for citizens' turns (knowledge.db): lift it for this transaction only.
            conn.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": BUILD_STATEMENT_TIMEOUT_MS})
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        _migrate(conn)
        _write(conn, rows, fingerprint)
    log.info("knowledge database built: %d divisions, %d rules, %d seed offices",
             len(rows["divisions"]), len(rows["rules"]), len(rows["offices"]))
    return engine.url.render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.loader", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or sqlite:///var/yuefa.db")
    args = parser.parse_args(argv)
    print(f"knowledge database ready: {build_database(args.database_url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
