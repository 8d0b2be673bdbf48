"""Place resolution: city, county-level unit, short form or nickname → standard names."""
from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Division, DivisionAlias, Meta
from knowledge.text import clean

PROVINCE_PREFIXES = ("广东省", "广东", "粤")
TRAILING = "市区县镇街的这边那边附近一带里!！?？。，,. "
NOT_SEARCHABLE = {"城区"}  # 汕尾's 城区 is also an everyday word; matched only when written alone


@dataclass(frozen=True)
class Place:
    city: str
    district: str | None
    code: str

    @property
    def name(self) -> str:
        return f"{self.city}{self.district}" if self.district else self.city

    def to_text(self) -> str:
        return self.name


@dataclass(frozen=True)
class Div:
    """A detached copy of a kb_divisions row (the index outlives sessions)."""

    code: str
    name: str
    level: str
    city_name: str


@dataclass
class PlaceIndex:
    divisions: dict[str, Div]               # code → division
    exact: dict[str, list[str]]              # any name/alias → codes
    searchable: list[tuple[str, str]]        # (name or alias ≥ 2 chars, code), longest first
    city_names: list[str]


_cache: dict[tuple[str, str], PlaceIndex] = {}
_lock = threading.Lock()


def _load(session: Session) -> PlaceIndex:
    divisions = {d.code: Div(d.code, d.name, d.level, d.city_name)
                 for d in session.execute(select(Division)).scalars()}
    exact: dict[str, list[str]] = {}
    searchable: list[tuple[str, str]] = []
    for d in divisions.values():
        exact.setdefault(d.name, []).append(d.code)
        if d.name not in NOT_SEARCHABLE:
            searchable.append((d.name, d.code))
    for a in session.execute(select(DivisionAlias)).scalars():
        exact.setdefault(a.alias, []).append(a.code)
        if not a.exact_only and len(a.alias) >= 2:
            searchable.append((a.alias, a.code))
    searchable.sort(key=lambda pair: -len(pair[0]))
    cities = [d.name for d in sorted(divisions.values(), key=lambda d: d.code) if d.level == "city"]
    return PlaceIndex(divisions, exact, searchable, cities)


def index(session: Session) -> PlaceIndex:
    """The index for this database, reloaded whenever the seed was rebuilt."""
    url = str(session.get_bind().url)
    stamp = session.execute(select(Meta.value).where(Meta.key == "seed_fingerprint")).scalar() or ""
    with _lock:
        cached = _cache.get((url, stamp))
    if cached is None:
        cached = _load(session)
        with _lock:
            _cache[(url, stamp)] = cached
    return cached


def _place(idx: PlaceIndex, code: str) -> Place:
    d = idx.divisions[code]
    if d.level == "city":
        return Place(city=d.name, district=None, code=d.code)
    return Place(city=d.city_name, district=d.name, code=d.code)


def _strip(text: str) -> str:
    for prefix in PROVINCE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    return text


def resolve(session: Session, text) -> Place | None:
    """The place a citizen means, or None (unknown, ambiguous or outside Guangdong)."""
    raw = _strip(clean(text))
    if not raw:
        return None
    idx = index(session)
    for candidate in (raw, raw.rstrip(TRAILING) or raw):
        codes = idx.exact.get(candidate)
        if codes and len(set(codes)) == 1:
            return _place(idx, codes[0])
    found: list[Place] = []
    rest = raw
    for name, code in idx.searchable:  # longest names first, so 顺德区 wins over 顺德
        if name in rest:
            found.append(_place(idx, code))
            rest = rest.replace(name, "|")
    if not found:
        return None
    districts = [p for p in found if p.district]
    cities = {p.city for p in found if not p.district}
    if districts:
        consistent = [p for p in districts if not cities or p.city in cities]
        if consistent:
            return consistent[0]
    if len(cities) == 1:
        return Place(city=cities.pop(), district=None, code=next(p.code for p in found if not p.district))
    return None  # several different places: let the citizen choose


def suggest(session: Session, text, limit: int = 5) -> list[str]:
    """Standard names that look like `text` (typos, partial names), best first."""
    limit = max(1, min(int(limit or 5), 20))
    query = _strip(clean(text))
    idx = index(session)
    resolved = resolve(session, query) if query else None
    query = query.rstrip(TRAILING) or query
    if resolved:
        return [resolved.district or resolved.city]
    if not query:
        return []
    scored: dict[str, float] = {}
    for name, code in idx.searchable + [(k, v[0]) for k, v in idx.exact.items() if len(set(v)) == 1]:
        division = idx.divisions[code]
        ratio = difflib.SequenceMatcher(None, query, name).ratio()
        shared = len(set(query) & set(name)) / max(len(set(name)), 1)
        score = max(ratio, 0.9 * shared)
        if score >= 0.5:
            scored[division.name] = max(scored.get(division.name, 0), score)
    ranked = sorted(scored, key=lambda n: (-scored[n], n not in idx.city_names, n))
    return ranked[:limit]
