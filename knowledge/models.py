"""Tables of the knowledge base. All names start with kb_ so they never collide with
other modules sharing the same database (e.g. the operators' missed-question inbox).

List-valued columns (materials, case types ...) are stored as JSON text: the same
schema then works unchanged on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

metadata = MetaData()
Base = declarative_base(metadata=metadata)


class JSONList(TypeDecorator):
    """A list of strings (or small dicts) stored as JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(list(value or []), ensure_ascii=False)

    def process_result_value(self, value, dialect):
        return json.loads(value) if value else []


class Division(Base):
    """A prefecture-level city (level='city') or county-level unit (level='county')."""

    __tablename__ = "kb_divisions"
    code = Column(String(12), primary_key=True)  # 6-digit statistical division code
    name = Column(String(40), nullable=False, index=True)
    level = Column(String(10), nullable=False)
    city_code = Column(String(12), ForeignKey("kb_divisions.code"), nullable=True)
    city_name = Column(String(40), nullable=False)


class DivisionAlias(Base):
    """Another name for a division: short form (广州, 顺德) or nickname (穗, 鹏城)."""

    __tablename__ = "kb_division_aliases"
    id = Column(Integer, primary_key=True, autoincrement=True)
    alias = Column(String(40), nullable=False, index=True)
    code = Column(String(12), ForeignKey("kb_divisions.code", ondelete="CASCADE"), nullable=False)
    kind = Column(String(10), nullable=False)  # short | nickname
    exact_only = Column(Boolean, nullable=False, default=False)  # one-character nicknames


class LegalSource(Base):
    __tablename__ = "kb_legal_sources"
    key = Column(String(40), primary_key=True)
    law = Column(String(120), nullable=False)
    article = Column(Integer, nullable=True)
    summary = Column(Text, nullable=False)
    excerpt = Column(Text, nullable=False, default="")
    verified = Column(Boolean, nullable=False, default=True)
    note = Column(Text, nullable=False, default="")


class ServiceItem(Base):
    """A public legal service or one notarization item, with its guide."""

    __tablename__ = "kb_service_items"
    code = Column(String(60), primary_key=True)
    kind = Column(String(20), nullable=False)  # service | notary
    name = Column(String(60), nullable=False)
    summary = Column(Text, nullable=False)
    materials = Column(JSONList, nullable=False, default=list)
    in_person = Column(String(20), nullable=True)  # required | check | None
    time_limit = Column(Text, nullable=False, default="")
    fee_rule = Column(Text, nullable=False, default="")
    where_to_apply = Column(Text, nullable=False, default="")
    online = Column(Text, nullable=False, default="")
    cross_province = Column(Boolean, nullable=True)  # None = not verified
    notes = Column(JSONList, nullable=False, default=list)
    basis = Column(JSONList, nullable=False, default=list)  # kb_legal_sources keys
    office_type = Column(String(40), nullable=True)  # where to look it up in kb_offices


class EligibilityRule(Base):
    """One legal-aid rule (see knowledge/seed/eligibility_rules.yml for the semantics)."""

    __tablename__ = "kb_eligibility_rules"
    code = Column(String(60), primary_key=True)
    kind = Column(String(30), nullable=False)
    source = Column(String(40), ForeignKey("kb_legal_sources.key"), nullable=False)
    clause = Column(Integer, nullable=True)
    case_types = Column(JSONList, nullable=False, default=list)
    case_categories = Column(JSONList, nullable=False, default=list)
    person_groups = Column(JSONList, nullable=False, default=list)
    flags = Column(JSONList, nullable=False, default=list)
    roles = Column(JSONList, nullable=False, default=list)
    conditional = Column(Boolean, nullable=False, default=False)
    condition = Column(Text, nullable=False, default="")
    reason = Column(Text, nullable=False)
    materials = Column(JSONList, nullable=False, default=list)  # extra materials when the rule applies
    position = Column(Integer, nullable=False, default=0)


class CaseRoute(Base):
    """A service that fits a kind of problem, with the reason shown to the citizen."""

    __tablename__ = "kb_case_routes"
    id = Column(Integer, primary_key=True, autoincrement=True)
    case_type = Column(String(40), nullable=False, index=True)
    service_code = Column(String(60), nullable=False)
    reason = Column(Text, nullable=False)
    basis = Column(JSONList, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)


class Facet(Base):
    """One short answer about a service: what it is, who may apply, may someone else go, materials,
    time limit, fee, where, refusal, remedy, effect, what happens after (knowledge/seed/facets.yml).
    item = "" for the service as a whole; a notary item's facet overrides the topic's."""

    __tablename__ = "kb_facets"
    id = Column(Integer, primary_key=True, autoincrement=True)
    topic = Column(String(60), nullable=False, index=True)
    item = Column(String(60), nullable=False, default="")
    facet = Column(String(20), nullable=False)
    topic_name = Column(String(60), nullable=False)
    text = Column(Text, nullable=False)
    basis = Column(JSONList, nullable=False, default=list)


class Term(Base):
    """A legal term citizens ask about by name ("告诫书係咩嚟", "冇签合同系咪有双倍人工"): a short
    sourced explanation (knowledge/seed/terms.yml). patterns are regular expressions on Simplified text."""

    __tablename__ = "kb_terms"
    code = Column(String(60), primary_key=True)
    name = Column(String(60), nullable=False)
    topic = Column(String(60), nullable=True)  # the service it belongs to (its buttons), or none
    patterns = Column(JSONList, nullable=False, default=list)
    text = Column(Text, nullable=False)
    basis = Column(JSONList, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)


class Office(Base):
    """An office or entry point. origin='seed' rows are rebuilt from knowledge/seed/offices.yml;
    origin='import' rows come from an agency's CSV and survive every rebuild."""

    __tablename__ = "kb_offices"
    id = Column(Integer, primary_key=True, autoincrement=True)
    office_type = Column(String(40), nullable=False, index=True)
    name = Column(String(120), nullable=False)
    city = Column(String(40), nullable=True, index=True)  # None = province-wide (12348)
    district = Column(String(40), nullable=True, index=True)
    address = Column(String(300), nullable=False, default="")
    phone = Column(String(80), nullable=False, default="")
    hours = Column(String(200), nullable=False, default="")
    services = Column(JSONList, nullable=False, default=list)
    source = Column(Text, nullable=False)
    verified_on = Column(Date, nullable=False)
    origin = Column(String(10), nullable=False, default="seed", index=True)
    import_batch = Column(String(40), nullable=True)


class Meta(Base):
    __tablename__ = "kb_meta"
    key = Column(String(40), primary_key=True)
    value = Column(Text, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)


SEED_TABLES = [DivisionAlias, Division, LegalSource, ServiceItem, EligibilityRule, CaseRoute, Facet, Term]
