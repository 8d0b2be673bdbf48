"""Import an agency's own office directory from CSV — all rows or none.

    python -m knowledge.import_offices FILE.csv [--database-url URL] [--append] [--dry-run]

Columns (header row required, UTF-8 with or without BOM; see docs/knowledge.md):
office_type,name,city,district,address,phone,hours,services,source,verified_on

Every row is validated first; any bad row → a per-line report on stderr, exit code 1,
and the database is not touched. Otherwise, in ONE transaction, the offices previously
imported for the cities present in the file are replaced by the file's rows (so
re-importing a corrected file is idempotent and one city's import never removes
another city's). --append keeps the earlier imports. Seed offices are never touched.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge import db, places
from knowledge.models import Office, ServiceItem, metadata
from knowledge.text import clean

COLUMNS = ["office_type", "name", "city", "district", "address", "phone", "hours", "services", "source", "verified_on"]
REQUIRED = ["office_type", "name", "city", "source", "verified_on"]
OFFICE_TYPES = {
    "public_legal_service_center", "legal_aid", "notary", "mediation", "judicial_appraisal",
    "labor_arbitration", "justice_bureau", "law_firm", "hotline", "other",
}
MAX_LENGTH = {"name": 120, "address": 300, "phone": 80, "hours": 200, "source": 500, "district": 40, "city": 40}
MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
PHONE = re.compile(r"^[0-9+\-() ,;/、转]{3,80}$")
# Characters no directory field may hold: C0/C1 controls (tab and newline included), and
# the bidirectional / invisible marks that make a value display differently from what is
# stored ("Trojan source"). A spreadsheet runs a field starting with one of FORMULA_PREFIXES
# as a formula when the table is exported and opened again (CSV injection).
FORBIDDEN_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
FORMULA_PREFIXES = ("=", "+", "-", "@")
INTERNATIONAL_PHONE = re.compile(r"^\+\d")  # +86 20 ...: a phone, not a formula
SHOWN_CHARS = 40
SERVICE_SPLIT = re.compile(r"[;|、,，；\s]+")


@dataclass
class ImportReport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{path}: file is larger than {MAX_BYTES // 1_000_000} MB")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(f"line {line}: not UTF-8 text (save the file as CSV UTF-8)") from None


def validate(text: str, session: Session, today: dt.date | None = None) -> ImportReport:
    """Check every row; collect normalised rows and per-line errors (nothing is written)."""
    today = today or dt.date.today()
    report = ImportReport()
    if "\x00" in text:
        report.errors.append("the file contains NUL bytes: it is not a CSV text file")
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
    header = [clean(h).lower() for h in (reader.fieldnames or [])]
    if not header:
        report.errors.append("line 1: the file is empty (expected a header row)")
        return report
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        if missing:
            report.errors.append(f"line 1: missing column(s): {', '.join(missing)}")
        if unknown:
            report.errors.append(f"line 1: unknown column(s): {', '.join(unknown)} (expected {','.join(COLUMNS)})")
        return report
    known_services = set(session.execute(select(ServiceItem.code).where(ServiceItem.kind == "service")).scalars())
    try:
        for count, raw in enumerate(reader, start=1):
            line = reader.line_num  # the row's (last) physical line; blank lines are counted
            if count > MAX_ROWS:
                report.errors.append(f"line {line}: more than {MAX_ROWS} rows; split the file")
                break
            if raw.get("__extra__"):
                report.errors.append(f"line {line}: {len(header) + len(raw['__extra__'])} fields, expected {len(header)}"
                                     " (a comma inside a field needs quotes)")
                continue
            if all(not (v or "").strip() for k, v in raw.items() if k != "__extra__"):
                continue  # blank line
            row, problems = _check_row(raw, session, known_services, today)
            report.errors.extend(f"line {line}: {p}" for p in problems)
            if not problems:
                report.rows.append(row)
    except csv.Error as exc:
        report.errors.append(f"line {reader.line_num}: malformed CSV ({exc})")
    if not report.rows and not report.errors:
        report.errors.append("the file has a header but no office rows")
    return report


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value safe to print on a terminal: quoted, control and invisible characters
    written as escapes, at most `limit` characters."""
    text = str(value)
    cut = text[:limit]
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in cut)
    return f"'{escaped}{'…' if len(text) > limit else ''}'"


def unsafe_field_problems(raw: dict) -> list[str]:
    """Control/bidi characters and formula prefixes, per field (the value is not echoed)."""
    problems = []
    for column in COLUMNS:
        text = raw.get(column) or ""
        bad = FORBIDDEN_CHARS.search(text)
        if bad:
            problems.append(f"{column} contains a control or invisible character (U+{ord(bad.group()):04X} at "
                            f"position {bad.start() + 1}); retype the field")
            continue
        start = text.lstrip(" \t\u3000")
        if start.startswith(FORMULA_PREFIXES) and not (column == "phone" and INTERNATIONAL_PHONE.match(start)):
            problems.append(f"{column} starts with '{start[0]}', which a spreadsheet runs as a formula; "
                            "remove it (or write the text without it)")
    return problems


def _check_row(raw: dict, session: Session, known_services: set[str], today: dt.date) -> tuple[dict, list[str]]:
    unsafe = unsafe_field_problems(raw)
    if unsafe:  # the other checks would quote the value
        return {}, unsafe
    value = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    problems = [f"{c} is empty" for c in REQUIRED if not value[c]]
    for column, limit in MAX_LENGTH.items():
        if len(value[column]) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    if value["office_type"] and value["office_type"] not in OFFICE_TYPES:
        problems.append(f"office_type {shown(value['office_type'])} is not one of {', '.join(sorted(OFFICE_TYPES))}")
    city = district = None
    if value["city"]:
        place = places.resolve(session, value["city"])
        if place is None or place.district:
            problems.append(f"city {shown(value['city'])} is not one of Guangdong's 21 cities")
        else:
            city = place.city
    if value["district"] and city:
        place = places.resolve(session, value["district"])
        if place is None or not place.district:
            problems.append(f"district {shown(value['district'])} is not a county-level division of Guangdong")
        elif place.city != city:
            problems.append(f"district '{place.district}' belongs to {place.city}, not {city}")
        else:
            district = place.district
    if value["phone"] and not PHONE.match(value["phone"]):
        problems.append(f"phone {shown(value['phone'])} is not a phone number (digits, spaces, + - ( ) 转)")
    services = [s for s in SERVICE_SPLIT.split(value["services"]) if s]
    bad = [s for s in services if s not in known_services]
    if bad:
        problems.append(f"unknown service code(s) {', '.join(shown(b, 30) for b in bad)} (known: {', '.join(sorted(known_services))})")
    verified_on = None
    if value["verified_on"]:
        try:
            verified_on = dt.date.fromisoformat(value["verified_on"])
        except ValueError:
            problems.append(f"verified_on {shown(value['verified_on'], 20)} is not a date like 2024-05-31")
        else:
            if verified_on > today:
                problems.append(f"verified_on {verified_on} is in the future")
    row = {
        "office_type": value["office_type"], "name": value["name"], "city": city, "district": district,
        "address": value["address"], "phone": value["phone"], "hours": value["hours"], "services": services,
        "source": value["source"], "verified_on": verified_on, "origin": "import",
    }
    return row, problems


def import_offices(path: str | Path, url: str | None = None, append: bool = False,
                   dry_run: bool = False) -> ImportReport:
    """Validate `path`, then (unless errors or dry_run) replace/append in one transaction."""
    path = Path(path)
    engine = db.get_engine(url)
    metadata.create_all(engine)
    report = ImportReport()
    try:
        text = _read_text(path)
    except (OSError, ValueError) as exc:
        report.errors.append(str(exc))
        return report
    with db.session_scope(url) as session:
        # SQLite: take the write lock up front (validation reads, then we write).
        session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
        if session.get(ServiceItem, "legal_aid") is None:
            report.errors.append("the knowledge database is not built yet: run `python -m knowledge.loader` first")
            return report
        report = validate(text, session)
        if not report.ok or dry_run:
            session.rollback()
            return report
        batch = f"{dt.datetime.utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        if not append:
            cities = sorted({r["city"] for r in report.rows})
            session.execute(delete(Office).where(Office.origin == "import", Office.city.in_(cities)))
        session.add_all(Office(**row, import_batch=batch) for row in report.rows)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.import_offices",
                                     description="Import an agency's office directory from CSV (all or nothing).")
    parser.add_argument("file", help="CSV file, UTF-8, header: " + ",".join(COLUMNS))
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or sqlite:///var/yuefa.db")
    parser.add_argument("--append", action="store_true", help="keep offices imported earlier for the same cities")
    parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    args = parser.parse_args(argv)
    try:
        report = import_offices(args.file, args.database_url, append=args.append, dry_run=args.dry_run)
    except Exception as exc:  # database unreachable etc.: a message, not a traceback
        print(f"error: import failed, nothing was imported: {exc.__class__.__name__}: {shown(exc, 300)}", file=sys.stderr)
        return 2
    if not report.ok:
        print(f"{shown(args.file, 200)}: {len(report.errors)} problem(s); nothing was imported:", file=sys.stderr)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    verb = "would import" if args.dry_run else "imported"
    cities = sorted({r["city"] for r in report.rows})
    print(f"{verb} {len(report.rows)} office(s) for {', '.join(cities)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
