"""Read and check the seed files in knowledge/seed/ (no database access here)."""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SEED_DIR = Path(__file__).resolve().parent / "seed"

RULE_KINDS = {
    "hardship_matter", "no_hardship_matter", "mandatory_defence",
    "exemption", "procedure", "hardship_standard", "mandatory_on_application", "defence_application",
    "not_listed_note", "mandatory_procedure", "duty_lawyer",
}


class SeedError(ValueError):
    """The seed files contradict themselves (a bug in the data, caught before any write)."""


@dataclass
class SeedData:
    cities: list[dict] = field(default_factory=list)
    counties: list[dict] = field(default_factory=list)
    aliases: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    routes: list[dict] = field(default_factory=list)
    facets: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    offices: list[dict] = field(default_factory=list)


def _yaml(name: str, seed_dir: Path):
    with open(seed_dir / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _code6(code: str) -> str:
    return code.ljust(6, "0")


def short_name(name: str) -> str | None:
    """广州市 → 广州, 顺德区 → 顺德; None when too short to be safe (城区 → 城)."""
    for suffix in ("壮族瑶族自治县", "瑶族自治县", "自治县", "市", "区", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def load_divisions(seed_dir: Path) -> tuple[list[dict], list[dict]]:
    with open(seed_dir / "cities.csv", encoding="utf-8") as handle:
        cities = [
            {"code": _code6(r["code"]), "name": r["name"], "level": "city", "city_code": None, "city_name": r["name"]}
            for r in csv.DictReader(handle)
        ]
    by_prefix = {c["code"][:4]: c for c in cities}
    counties = []
    with open(seed_dir / "areas.csv", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            city = by_prefix.get(r["city_code"])
            if city is None:
                raise SeedError(f"areas.csv: {r['name']} has unknown city code {r['city_code']}")
            if r["name"] == city["name"]:
                continue  # 东莞市/中山市: no county level, the row repeats the city
            counties.append({"code": r["code"], "name": r["name"], "level": "county",
                             "city_code": city["code"], "city_name": city["name"]})
    return cities, counties


def build_aliases(cities: list[dict], counties: list[dict], alias_doc: dict) -> list[dict]:
    """Generated short forms plus the nicknames of aliases.yml; ambiguous short forms dropped."""
    names = {d["name"] for d in cities + counties}
    short: dict[str, list[str]] = {}
    for division in cities + counties:
        alias = short_name(division["name"])
        if alias and alias not in names:
            short.setdefault(alias, []).append(division["code"])
    aliases = [
        {"alias": alias, "code": codes[0], "kind": "short", "exact_only": False}
        for alias, codes in short.items() if len(codes) == 1
    ]
    city_codes = {c["name"]: c["code"] for c in cities}
    county_codes = {(c["city_name"], c["name"]): c["code"] for c in counties}
    for city, nicknames in (alias_doc.get("cities") or {}).items():
        if city not in city_codes:
            raise SeedError(f"aliases.yml: unknown city {city}")
        for nick in nicknames or []:
            aliases.append({"alias": nick, "code": city_codes[city], "kind": "nickname",
                            "exact_only": len(nick) == 1})
    for key, nicknames in (alias_doc.get("districts") or {}).items():
        city, _, county = key.partition("/")
        if (city, county) not in county_codes:
            raise SeedError(f"aliases.yml: unknown district {key}")
        for nick in nicknames or []:
            aliases.append({"alias": nick, "code": county_codes[(city, county)], "kind": "nickname",
                            "exact_only": len(nick) == 1})
    unique = {(a["alias"], a["code"]): a for a in aliases}
    return list(unique.values())


FACETS = ("what", "who", "proxy", "materials", "time_limit", "fee", "where", "refusal", "remedy", "effect", "after")


def load_facets(doc: dict, check_basis) -> list[dict]:
    """facets.yml → rows; every text must name its basis (an unsourced facet is left out of the file)."""
    rows = []
    for topic, body in (doc.get("topics") or {}).items():
        name = body.get("name") or topic
        scopes = [("", name, body.get("facets") or {})] + [(item, name, f) for item, f in (body.get("items") or {}).items()]
        # cases: a kind of problem's own answer (a medical dispute's mediation needs both sides)
        for case_type, block in (body.get("cases") or {}).items():
            scopes.append((f"case:{case_type}", block.get("name") or name,
                           {k: v for k, v in block.items() if k != "name"}))
        for item, scope_name, facets in scopes:
            for facet, entry in (facets or {}).items():
                where = f"facets.yml {topic}/{item or '-'}/{facet}"
                if facet not in FACETS:
                    raise SeedError(f"{where}: unknown facet")
                basis = check_basis(where, entry.get("basis"))
                if not basis:
                    raise SeedError(f"{where}: no basis")
                rows.append({"topic": topic, "item": item, "facet": facet, "topic_name": scope_name,
                             "text": entry["text"].strip(), "basis": basis})
    return rows


TERM_TOPICS = ("legal_aid", "notarization", "mediation", "judicial_confirmation", "cross_province", "arbitration",
               "lawyer_service", "judicial_appraisal", "administrative_reconsideration", "protection_order")


def load_terms(doc: dict, check_basis) -> list[dict]:
    """terms.yml → rows; every term is sourced, its patterns compile, its topic is a service."""
    rows, codes = [], set()
    for position, term in enumerate(doc.get("terms") or []):
        where = f"terms.yml {term.get('code')}"
        if not term.get("code") or term["code"] in codes:
            raise SeedError(f"{where}: missing or duplicate code")
        codes.add(term["code"])
        if term.get("topic") not in (None, *TERM_TOPICS):
            raise SeedError(f"{where}: unknown topic {term.get('topic')}")
        patterns = list(term.get("patterns") or [])
        if not patterns:
            raise SeedError(f"{where}: no patterns")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SeedError(f"{where}: bad pattern {pattern!r} ({exc})") from exc
        basis = check_basis(where, term.get("basis"))
        if not basis:
            raise SeedError(f"{where}: no basis")
        rows.append({"code": term["code"], "name": term["name"], "topic": term.get("topic"), "patterns": patterns,
                     "text": term["text"].strip(), "basis": basis, "position": position})
    return rows


def load_seed(seed_dir: Path = SEED_DIR) -> SeedData:
    data = SeedData()
    data.cities, data.counties = load_divisions(seed_dir)
    data.aliases = build_aliases(data.cities, data.counties, _yaml("aliases.yml", seed_dir))

    data.sources = _yaml("legal_sources.yml", seed_dir)
    source_keys = {s["key"] for s in data.sources}
    if len(source_keys) != len(data.sources):
        raise SeedError("legal_sources.yml: duplicate key")

    def check_basis(where: str, keys) -> list[str]:
        unknown = [k for k in keys or [] if k not in source_keys]
        if unknown:
            raise SeedError(f"{where}: unknown legal source(s) {unknown}")
        return list(keys or [])

    doc = _yaml("services.yml", seed_dir)
    defaults = doc.get("notary_common") or {}
    for item in doc["services"]:
        data.services.append({**item, "basis": check_basis(f"service {item['code']}", item.get("basis"))})
    for item in doc["notary"]:
        merged = {**defaults, **item, "kind": "notary"}
        merged["basis"] = check_basis(f"notary {item['code']}", item.get("basis"))
        data.services.append(merged)
    service_codes = {s["code"] for s in data.services}

    for position, rule in enumerate(_yaml("eligibility_rules.yml", seed_dir)):
        if rule["kind"] not in RULE_KINDS:
            raise SeedError(f"rule {rule['code']}: unknown kind {rule['kind']}")
        check_basis(f"rule {rule['code']}", [rule["source"]])
        data.rules.append({**rule, "position": position})

    for case_type, routes in _yaml("case_routes.yml", seed_dir).items():
        for position, (service, reason, basis) in enumerate(routes):
            if service not in service_codes:
                raise SeedError(f"case_routes.yml {case_type}: unknown service {service}")
            data.routes.append({"case_type": case_type, "service_code": service, "reason": reason,
                                "basis": check_basis(f"route {case_type}", basis), "position": position})

    data.facets = load_facets(_yaml("facets.yml", seed_dir), check_basis)
    data.terms = load_terms(_yaml("terms.yml", seed_dir), check_basis)

    city_names = {c["name"] for c in data.cities}
    for office in _yaml("offices.yml", seed_dir)["offices"]:
        if office.get("city") is not None and office["city"] not in city_names:
            raise SeedError(f"offices.yml: unknown city {office['city']}")
        verified_on = office["verified_on"]
        if isinstance(verified_on, str):
            verified_on = dt.date.fromisoformat(verified_on)
        data.offices.append({**office, "verified_on": verified_on, "origin": "seed"})
    return data
