"""Public API of the knowledge base (see docs/contract.md, "Knowledge API").

Every function takes plain values, reads the database at DATABASE_URL (or the
`session` passed in) and returns plain dataclasses with `.to_text()` for the citizen.
Garbage input (None, numbers, huge strings) yields an empty/"not found" answer, never
an exception; database errors do propagate (the caller decides how to apologise).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import db, places
from knowledge.eligibility import (
    CASE_TYPES, CIVIL_CASE_TYPES, LegalAidCase, Rule, evaluate, missing_information,
)
from knowledge.models import CaseRoute, EligibilityRule, Facet, LegalSource, Office as OfficeRow, ServiceItem, Term
from knowledge.places import Place
from knowledge.results import (
    HOTLINE_HINT, Consultation, FacetAnswer, Office, OfficeList, ServiceGuide, ServiceRoute, SourceRef, TermAnswer, Verdict,
    citation_line,
)
from knowledge.text import clean, to_simplified

__all__ = [
    "get_session", "session_scope", "resolve_place", "suggest_places", "major_cities",
    "LegalAidCase", "assess_legal_aid", "facet_answer", "term_for", "TermAnswer", "facets_of", "FacetAnswer", "legal_aid_questions", "Verdict", "consult", "Consultation",
    "family_violence_safety", "is_family_violence_case",
    "notary_guide", "notary_items", "notary_item_code", "common_notary_items", "mediation_guide", "cross_province_guide", "service_guide",
    "SERVICE_CODES", "find_offices", "office_list", "routes_for_case_type", "legal_source",
    "Place", "Office", "OfficeList", "ServiceGuide", "ServiceRoute", "SourceRef", "citation_line", "HOTLINE_HINT",
]

get_session = db.get_session
session_scope = db.session_scope

# Intent names and everyday words that mean a service code.
SERVICE_CODES = {
    "legal_aid": "legal_aid", "legal_aid_apply": "legal_aid", "legal_aid_eligibility": "legal_aid",
    "notarization": "notarization", "mediation": "mediation", "cross_province": "cross_province",
    "lawyer_service": "lawyer_service", "lawyer": "lawyer_service",
    "judicial_appraisal": "judicial_appraisal", "arbitration": "arbitration",
    "administrative_reconsideration": "administrative_reconsideration",
    "legal_qualification": "legal_qualification", "protection_order": "protection_order",
}
# The items shown as buttons when the citizen has not said which notarization.
COMMON_NOTARY_ITEMS = ["学历公证", "无犯罪记录公证", "亲属关系公证", "委托公证", "继承公证", "遗嘱公证"]
MAJOR_CITIES = ["广州市", "深圳市", "佛山市", "东莞市", "珠海市", "中山市", "惠州市", "汕头市"]
NOTARY_WORDS = {  # everyday words for the contract's notary_item codes
    "毕业证": "学历公证", "学历": "学历公证", "学位": "学位公证", "驾照": "驾驶证公证", "驾驶证": "驾驶证公证",
    "出生": "出生公证", "亲属": "亲属关系公证", "无犯罪": "无犯罪记录公证", "无犯罪记录": "无犯罪记录公证",
    "未婚": "婚姻状况公证", "婚姻": "婚姻状况公证", "单身": "婚姻状况公证", "委托": "委托公证",
    "声明": "声明公证", "继承": "继承公证", "遗产": "继承公证", "遗嘱": "遗嘱公证",
    "强制执行": "强制执行公证", "赋予强制执行效力": "强制执行公证", "债权文书": "强制执行公证",
    "赠与": "赠与公证", "赠予": "赠与公证", "收养": "收养公证", "领养": "收养公证", "生存": "生存公证",
    "证据保全": "保全证据公证", "保全证据": "保全证据公证",
}


@contextlib.contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with db.session_scope() as own:
            yield own


def _sources(session: Session, keys: list[str]) -> list[SourceRef]:
    if not keys:
        return []
    rows = {s.key: s for s in session.execute(select(LegalSource).where(LegalSource.key.in_(keys))).scalars()}
    return [SourceRef(k, rows[k].law, rows[k].article, rows[k].verified) for k in keys if k in rows]


def legal_source(key: str, session: Session | None = None) -> dict | None:
    """One legal source as a dict (law, article, summary, excerpt, verified, note)."""
    with _session(session) as s:
        row = s.get(LegalSource, clean(key))
        if row is None:
            return None
        return {"key": row.key, "law": row.law, "article": row.article, "summary": row.summary,
                "excerpt": row.excerpt, "verified": row.verified, "note": row.note,
                "citation": SourceRef(row.key, row.law, row.article).short}


# ---------------------------------------------------------------- places

def resolve_place(text, session: Session | None = None) -> Place | None:
    """City, county-level unit or alias (穗, 鹏城, 顺德, 廣州) → Place(city, district, code)."""
    with _session(session) as s:
        return places.resolve(s, text)


def suggest_places(text, limit: int = 5, session: Session | None = None) -> list[str]:
    """Standard names similar to `text`, best first ([] when nothing is close)."""
    with _session(session) as s:
        return places.suggest(s, text, limit)


def major_cities() -> list[str]:
    return list(MAJOR_CITIES)


# ---------------------------------------------------------------- offices

def _office(row: OfficeRow) -> Office:
    return Office(row.office_type, row.name, row.city, row.district, row.address or "", row.phone or "",
                  row.hours or "", list(row.services or []), row.source, row.verified_on.isoformat(), row.origin)


def _office_rank(row: OfficeRow, place: Place | None) -> int | None:
    """0 = the district's own office ... 3 = province-wide; None = not for this place."""
    if row.city is None:
        return 3
    if place is None or row.city != place.city:
        return None
    if place.district and row.district == place.district:
        return 0
    if row.district:
        return None  # another district of the same city
    return 1 if row.origin == "import" else 2


def find_offices(city=None, district=None, office_type=None, session: Session | None = None) -> list[Office]:
    """Offices for a place, most specific first: the district's own, the city's, then 12348.

    city/district may be any alias. An unknown place gives [] (check resolve_place first).
    """
    with _session(session) as s:
        place = None
        if district:
            place = places.resolve(s, district)
            if place and city:
                city_place = places.resolve(s, city)
                if city_place and city_place.city != place.city:
                    place = city_place  # the district does not belong to that city: trust the city
        if place is None and city:
            place = places.resolve(s, city)
        if (city or district) and place is None:
            return []
        query = select(OfficeRow)
        if office_type:
            query = query.where(OfficeRow.office_type.in_([clean(office_type), "hotline"]))
        rows = list(s.execute(query).scalars())
        ranked = []
        for row in rows:
            rank = _office_rank(row, place)
            if rank is not None:
                ranked.append((rank, row.id, row))
        return [_office(row) for _, _, row in sorted(ranked, key=lambda t: (t[0], t[1]))]


def office_list(city=None, district=None, office_type=None, session: Session | None = None) -> OfficeList:
    """find_offices wrapped with the place name, for `.to_text()`."""
    with _session(session) as s:
        place = places.resolve(s, district or city) if (district or city) else None
        offices = find_offices(city, district, office_type, session=s)
        return OfficeList(offices, place.name if place else None)


# ---------------------------------------------------------------- guides

def _guide(row: ServiceItem, sources: list[SourceRef]) -> ServiceGuide:
    return ServiceGuide(
        code=row.code, name=row.name, summary=row.summary, materials=list(row.materials or []),
        in_person=row.in_person, time_limit=row.time_limit or "", fee_rule=row.fee_rule or "",
        where_to_apply=row.where_to_apply or "", online=row.online or "", cross_province=row.cross_province,
        notes=list(row.notes or []), sources=sources, office_type=row.office_type,
    )


def _not_found(name: str) -> ServiceGuide:
    return ServiceGuide(code="", name=name or "该事项", summary="", materials=[], in_person=None, time_limit="",
                        fee_rule="", where_to_apply="", online="", cross_province=None, notes=[], sources=[],
                        found=False)


def _service(session: Session, code: str) -> ServiceGuide | None:
    row = session.get(ServiceItem, code)
    return _guide(row, _sources(session, list(row.basis or []))) if row else None


def notary_item_code(item) -> str | None:
    """学历 / 毕业证公证 / 學歷公證 → 学历公证 (a contract notary_item), else None."""
    text = clean(item).replace(" ", "")
    if not text:
        return None
    base = text.removesuffix("公证书").removesuffix("公证")
    for candidate in (text, base + "公证"):
        if candidate in NOTARY_WORDS.values():
            return candidate
    for word in sorted(NOTARY_WORDS, key=len, reverse=True):
        if word in base:
            return NOTARY_WORDS[word]
    return None


def notary_items(session: Session | None = None) -> list[str]:
    with _session(session) as s:
        return list(s.execute(select(ServiceItem.code).where(ServiceItem.kind == "notary")
                              .order_by(ServiceItem.code)).scalars())


def common_notary_items() -> list[str]:
    return list(COMMON_NOTARY_ITEMS)


def notary_guide(item, session: Session | None = None) -> ServiceGuide:
    """Guide for one notarization item; `.found` is False for an unknown item."""
    code = notary_item_code(item)
    with _session(session) as s:
        guide = _service(s, code) if code else None
        return guide or _not_found(clean(item))


def mediation_guide(session: Session | None = None) -> ServiceGuide:
    with _session(session) as s:
        return _service(s, "mediation")


def cross_province_guide(item=None, session: Session | None = None) -> ServiceGuide:
    """跨省通办: the verified items, or whether one item is verified as cross-province."""
    with _session(session) as s:
        guide = _service(s, "cross_province")
        verified = list(s.execute(select(ServiceItem.code).where(ServiceItem.cross_province.is_(True))
                                  .order_by(ServiceItem.code)).scalars())
        code = notary_item_code(item) if item else None
        if item and code:
            item_guide = _service(s, code)
            if item_guide.cross_province:
                guide.summary = f"{code}可以跨省通办，不用回户籍地，可以向经常居住地等有管辖的公证处申请。"
                guide.materials = item_guide.materials
                guide.time_limit = item_guide.time_limit
                guide.fee_rule = item_guide.fee_rule
                guide.cross_province = True
            else:
                guide.summary = (f"{code}是否可以跨省通办，本库还没有核实的来源，请先向公证处或12348确认。"
                                 f"目前核实可以跨省通办的公证事项是：{'、'.join(verified)}。")
                guide.cross_province = None
            guide.where_to_apply = item_guide.where_to_apply
            for src in item_guide.sources:
                if src not in guide.sources:
                    guide.sources.append(src)
        elif item:
            guide.summary += f"（没有找到“{clean(item)}”这个事项。）"
        return guide


def service_guide(service_code, session: Session | None = None) -> ServiceGuide:
    """Guide for a service; accepts the service codes and the matching intent names."""
    code = SERVICE_CODES.get(clean(service_code))
    with _session(session) as s:
        guide = _service(s, code) if code else None
        return guide or _not_found(clean(service_code))


# ---------------------------------------------------------------- legal aid

def _rules(session: Session) -> list[Rule]:
    rows = session.execute(select(EligibilityRule).order_by(EligibilityRule.position)).scalars()
    return [
        Rule(code=r.code, kind=r.kind, source=r.source, reason=r.reason, clause=r.clause,
             case_types=tuple(r.case_types), case_categories=tuple(r.case_categories),
             person_groups=tuple(r.person_groups), flags=tuple(r.flags), roles=tuple(r.roles),
             conditional=r.conditional, condition=r.condition or "", materials=tuple(r.materials or ()),
             position=r.position)
        for r in rows
    ]


def _as_case(case) -> LegalAidCase:
    if isinstance(case, LegalAidCase):
        return case
    if isinstance(case, dict):
        allowed = {"case_type", "case_category", "city", "person_groups", "economic_status", "flags", "role"}
        return LegalAidCase(**{k: v for k, v in case.items() if k in allowed})
    return LegalAidCase()


def assess_legal_aid(case, session: Session | None = None) -> Verdict:
    """Legal-aid verdict for a LegalAidCase (or a dict with its fields)."""
    case = _as_case(case)
    with _session(session) as s:
        if case.city:
            place = places.resolve(s, case.city)
            case = dataclasses.replace(case, city=place.city if place else None)
        result = evaluate(case, _rules(s))
        verdict = Verdict(
            outcome=result.outcome, reasons=result.reasons, sources=_sources(s, result.source_keys),
            conditions=result.conditions, where_to_apply=result.where_to_apply,
            hardship_check_needed=result.hardship_check_needed, rule_codes=result.rule_codes,
            conclusion=result.conclusion, brief_reasons=result.brief_reasons,
            brief_conditions=result.brief_conditions,
        )
        if result.outcome in ("eligible", "likely_eligible"):
            legal_aid = s.get(ServiceItem, "legal_aid")
            if legal_aid is not None and not result.authorities_assign:
                verdict.materials = list(dict.fromkeys(list(legal_aid.materials or []) + result.materials))
            verdict.offices = find_offices(case.city, office_type="legal_aid", session=s) if case.city else []
        if is_family_violence_case(case):
            verdict.safety, safety_sources = _family_violence_safety(s, case)
            verdict.sources += [src for src in safety_sources if src not in verdict.sources]
        if result.outcome in ("likely_eligible", "not_covered"):
            verdict.alternatives = [r for r in _routes(s, case.case_type, with_legal_aid=False)]
            if not verdict.alternatives and case.case_type in CIVIL_CASE_TYPES:
                mediation = s.get(ServiceItem, "mediation")
                verdict.alternatives = [ServiceRoute("mediation", mediation.name, "民间纠纷可以申请人民调解，免费。")]
        return verdict


def legal_aid_questions(case, session: Session | None = None) -> list[str]:
    """Slots still worth asking for a legal-aid screening, in order; a subset of
    [case_type, person_group, economic_status, city]. economic_status is omitted when
    the hardship check does not matter (Art. 25/28/32 matters, Art. 42 exemptions)."""
    case = _as_case(case)
    with _session(session) as s:
        return missing_information(case, _rules(s))


# A cheated citizen's first step is the police report, before any legal-aid or court question.
# Practical advice, not a legal claim: it carries no citation.
FRAUD_REPORT_FIRST = ("被骗了请尽快拨打110或到当地派出所报案，并保存好转账记录、聊天记录、对方账号等证据；"
                      "已经转账的，报案时说明转账的时间、金额和收款账户。")

# ---------------------------------------------------------------- family violence

FAMILY_VIOLENCE_SAFETY = (
    "如果您或家人正面临危险，请立即拨打110报警。\n"
    "人身安全保护令：因遭受家庭暴力或者面临家庭暴力的现实危险，可以向人民法院申请人身安全保护令；"
    "本人因受到强制、威吓等原因无法申请的（或是无民事行为能力、限制民事行为能力人），近亲属、公安机关、"
    "妇女联合会、居民委员会、村民委员会、救助管理机构可以代为申请。需要有明确的被申请人、具体的请求，"
    "以及遭受家庭暴力或者面临家庭暴力现实危险的情形。法院受理后72小时内作出保护令或者驳回申请，"
    "情况紧急的24小时内作出。保护令可以禁止对方实施家庭暴力，禁止骚扰、跟踪、接触您和相关近亲属，责令对方迁出您的住所等。"
)
FAMILY_VIOLENCE_SOURCES = ["ADVL-23", "ADVL-27", "ADVL-28", "ADVL-29"]
COHABITANT_VIOLENCE = "没有结婚的同居伴侣等家庭成员以外共同生活的人之间的暴力，参照反家庭暴力法执行，同样可以报警、申请人身安全保护令。"


def _family_violence_safety(session: Session, case) -> tuple[str, list[SourceRef]]:
    """The safety text and its sources; an unmarried couple living together is told Art. 37 applies."""
    keys = list(FAMILY_VIOLENCE_SOURCES)
    text = FAMILY_VIOLENCE_SAFETY
    if "cohabiting_partner" in case.flags:
        text += "\n" + COHABITANT_VIOLENCE
        keys.append("ADVL-37")
    return text, _sources(session, keys)


def family_violence_safety(session: Session | None = None) -> ServiceGuide:
    """110 first, then the personal safety protection order (反家庭暴力法 Art. 23, 27, 28):
    said with every family-violence answer, not only in the danger handoff."""
    with _session(session) as s:
        return ServiceGuide(code="protection_order", name="人身安全保护令", summary=FAMILY_VIOLENCE_SAFETY,
                            materials=[], in_person=None, time_limit="", fee_rule="", where_to_apply="",
                            online="", cross_province=None, notes=[], sources=_sources(s, FAMILY_VIOLENCE_SOURCES))


def is_family_violence_case(case) -> bool:
    case = _as_case(case)
    return (case.case_type == "domestic_violence" or "abuse_victim" in case.flags
            or "violence_victim" in case.person_groups)


# ---------------------------------------------------------------- routing

def _routes(session: Session, case_type: str | None, with_legal_aid: bool = True) -> list[ServiceRoute]:
    if case_type not in CASE_TYPES:
        return []
    routes: list[ServiceRoute] = []
    if with_legal_aid:
        result = evaluate(LegalAidCase(case_type=case_type), _rules(session))
        if result.outcome in ("eligible", "likely_eligible"):
            reason = result.reasons[0]
            if result.outcome == "likely_eligible" and result.hardship_check_needed:
                reason += "可以先做个法律援助初筛。"
            sources = _sources(session, result.source_keys[:1])
            routes.append(ServiceRoute("legal_aid", "法律援助", reason, [s.short for s in sources], sources))
    names = dict(session.execute(select(ServiceItem.code, ServiceItem.name)).all())
    rows = session.execute(select(CaseRoute).where(CaseRoute.case_type == case_type)
                           .order_by(CaseRoute.position)).scalars()
    for row in rows:
        sources = _sources(session, list(row.basis or []))
        routes.append(ServiceRoute(row.service_code, names.get(row.service_code, row.service_code), row.reason,
                                   [s.short for s in sources], sources))
    return routes


def routes_for_case_type(case_type, session: Session | None = None) -> list[ServiceRoute]:
    """Services that fit a problem, best first, each with its reason (legal aid first when it applies)."""
    with _session(session) as s:
        return _routes(s, clean(case_type) or None)


def consult(case, problem: str = "", session: Session | None = None) -> Consultation:
    """A described problem answered in one message: the legal-aid conclusion for everything
    the citizen said (None when not even the kind of matter is known), then the other routes
    for the case type (a criminal matter without a type uses the criminal routes)."""
    case = _as_case(case)
    with _session(session) as s:
        verdict = assess_legal_aid(case, session=s)
        if verdict.outcome == "need_more_info":
            verdict = None
        routes = _routes(s, case.route_type, with_legal_aid=False)
        consultation = Consultation(problem=problem, verdict=verdict, routes=routes)
        if case.route_type == "fraud_victim":
            consultation.safety = FRAUD_REPORT_FIRST  # the police first: evidence and the money trail
        if is_family_violence_case(case):
            # Said once, first; the protection-order route would only repeat it.
            consultation.safety, consultation.safety_sources = _family_violence_safety(s, case)
            consultation.routes = [r for r in routes if r.service_code != "protection_order"]
            if verdict is not None:
                verdict.safety = ""
        return consultation


# ---------------------------------------------------------------- facets

TOPIC_NAMES = {"legal_aid": "法律援助", "notarization": "公证", "mediation": "人民调解",
               "judicial_confirmation": "调解协议司法确认", "cross_province": "跨省通办", "arbitration": "劳动人事争议仲裁",
               "lawyer_service": "律师服务", "judicial_appraisal": "司法鉴定",
               "administrative_reconsideration": "行政复议", "protection_order": "人身安全保护令",
               "legal_qualification": "法律职业资格考试"}


def facet_answer(topic, facet, item=None, case_type=None, session: Session | None = None) -> FacetAnswer:
    """The short answer to one facet of a service; a notary item's own text wins over the
    kind of problem's (facets.yml `cases`), which wins over the topic's. found=False (and no
    text) when the seed has no sourced answer for it."""
    topic, facet = clean(topic), clean(facet)
    item = notary_item_code(item) if item else None
    name = TOPIC_NAMES.get(topic, topic or "")
    with _session(session) as s:
        rows = s.execute(select(Facet).where(Facet.topic == topic, Facet.facet == facet)).scalars().all()
        by_item = {r.item: r for r in rows}
        row = by_item.get(item) or by_item.get(f"case:{clean(case_type)}") or by_item.get("")
        if row is None:
            return FacetAnswer(topic or "", name, facet or "", "", [], found=False)
        shown = row.item if row.item and not row.item.startswith("case:") else row.topic_name
        return FacetAnswer(row.topic, shown, row.facet, row.text, _sources(s, list(row.basis or [])))


def facets_of(topic, session: Session | None = None) -> list[str]:
    """The facet codes a topic has answers for, in knowledge.seed.FACETS order."""
    from knowledge.seed import FACETS
    with _session(session) as s:
        have = set(s.execute(select(Facet.facet).where(Facet.topic == clean(topic))).scalars())
    return [f for f in FACETS if f in have]


# ---------------------------------------------------------------- terms

@functools.lru_cache(maxsize=512)
def _term_pattern(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def term_for(text, session: Session | None = None, *, context: str = "") -> TermAnswer | None:
    """The legal term `text` names ("告诫书係咩嚟" → 告诫书), its longest match winning; None when
    it names none. Read on Simplified text (Cantonese characters kept). `context` (what was said
    before) may satisfy a pattern's context guard ("要唔要做尸检" after a story about a hospital),
    but the term itself must be named in `text`."""
    plain = to_simplified(text) if isinstance(text, str) else ""
    if not plain.strip():
        return None
    before = (to_simplified(context).replace("\n", " ") + " ") if isinstance(context, str) and context else ""
    plain = before + plain.replace("\n", " ")
    with _session(session) as s:
        best, best_len = None, 0
        for row in s.execute(select(Term).order_by(Term.position)).scalars():
            for pattern in row.patterns or []:
                m = next((m for m in _term_pattern(pattern).finditer(plain) if m.end() > len(before)), None)
                if m and len(m.group()) > best_len:
                    best, best_len = row, len(m.group())
        if best is None:
            return None
        return TermAnswer(best.code, best.name, best.topic, best.text, _sources(s, list(best.basis or [])))
