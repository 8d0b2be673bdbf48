"""Legal-aid eligibility engine: pure Python, rules as data (kb_eligibility_rules).

evaluate(case, rules) applies the Legal Aid Law as encoded in
knowledge/seed/eligibility_rules.yml (see the header there for the matching semantics).
It knows nothing about databases; knowledge.api loads the rules and adds offices,
materials and alternatives.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CASE_TYPES = frozenset(
    "labor_pay labor_contract work_injury social_insurance marriage domestic_violence support "
    "inheritance traffic_accident medical debt contract housing land neighbor consumer "
    "state_compensation criminal environment".split()
)
PERSON_GROUPS = frozenset(
    "migrant_worker elderly minor disabled low_income military hero_martyr_family violence_victim".split()
)
CASE_CATEGORIES = frozenset({"criminal", "civil", "administrative"})
ECONOMIC_STATUSES = frozenset({"hardship", "not_hardship"})
ROLES = frozenset({"accused", "victim"})
FLAGS = frozenset({
    "vision_hearing_speech_disability",  # Art. 25(2)
    "cannot_fully_control_conduct",      # Art. 25(3)
    "possible_life_or_death_sentence",   # Art. 25(4)
    "death_penalty_review",              # Art. 25(5)
    "trial_in_absentia",                 # Art. 25(6)
    "compulsory_medical",                # Art. 28
    "hero_martyr_rights",                # Art. 32(1)
    "good_samaritan",                    # Art. 32(2)
    "retrial_acquittal",                 # Art. 32(3)
    "no_fixed_income",                   # Art. 42(1)
    "deadline_within_7_days",            # Art. 44(1)
    "urgent_preservation",               # Art. 44(2)
})
# Case types that are disputes between private parties: people's mediation fits them.
CIVIL_CASE_TYPES = frozenset(
    "labor_pay labor_contract work_injury marriage domestic_violence support inheritance "
    "traffic_accident medical debt contract housing neighbor consumer environment".split()
)
CASE_TYPE_CATEGORY = {"criminal": "criminal", "state_compensation": "administrative", "land": "administrative"}


@dataclass
class LegalAidCase:
    """What the citizen told us. Unknown or misspelt codes are dropped, never guessed."""

    case_type: str | None = None
    case_category: str | None = None
    city: str | None = None
    person_groups: list[str] = field(default_factory=list)
    economic_status: str | None = None
    flags: set[str] = field(default_factory=set)
    role: str | None = None  # accused | victim (criminal matters)

    def __post_init__(self) -> None:
        self.case_type = self.case_type if self.case_type in CASE_TYPES else None
        self.case_category = self.case_category if self.case_category in CASE_CATEGORIES else None
        if self.case_category is None and self.case_type in CASE_TYPE_CATEGORY:
            self.case_category = CASE_TYPE_CATEGORY[self.case_type]
        groups = self.person_groups
        if isinstance(groups, str):
            groups = [groups]
        self.person_groups = [g for g in dict.fromkeys(groups or []) if g in PERSON_GROUPS]
        self.economic_status = self.economic_status if self.economic_status in ECONOMIC_STATUSES else None
        self.flags = {f for f in (self.flags or ()) if f in FLAGS}
        self.role = self.role if self.role in ROLES else None
        self.city = self.city if isinstance(self.city, str) and self.city.strip() else None


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    source: str
    reason: str
    clause: int | None = None
    case_types: tuple[str, ...] = ()
    case_categories: tuple[str, ...] = ()
    person_groups: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    conditional: bool = False
    condition: str = ""
    materials: tuple[str, ...] = ()
    position: int = 0


@dataclass(frozen=True)
class Match:
    rule: Rule
    conditions: tuple[str, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)


@dataclass
class Assessment:
    """The engine's answer; knowledge.api turns it into a Verdict."""

    outcome: str
    reasons: list[str]
    conditions: list[str]
    source_keys: list[str]
    rule_codes: list[str]
    hardship_check_needed: bool
    materials: list[str] = field(default_factory=list)
    where_to_apply: str = ""
    authorities_assign: bool = False  # Art. 25/28: the authorities notify; no application needed


def match(rule: Rule, case: LegalAidCase) -> Match | None:
    conditions: list[str] = []
    if rule.case_types or rule.case_categories:
        if case.case_type not in rule.case_types and case.case_category not in rule.case_categories:
            return None
    if rule.person_groups and not set(rule.person_groups) & set(case.person_groups):
        return None
    if rule.roles:
        if case.role is None:
            conditions.append(rule.condition)
        elif case.role not in rule.roles:
            return None
    if rule.flags and not set(rule.flags) & case.flags:
        if not rule.conditional:
            return None
        conditions.append(rule.condition)
    return Match(rule, tuple(dict.fromkeys(c for c in conditions if c)))


def _full(matches: list[Match]) -> list[Match]:
    return [m for m in matches if not m.conditional]


def evaluate(case: LegalAidCase, rules: list[Rule]) -> Assessment:
    rules = sorted(rules, key=lambda r: r.position)
    by_kind: dict[str, list[Match]] = {}
    for rule in rules:
        if rule.kind in ("procedure", "hardship_standard"):
            continue
        found = match(rule, case)
        if found:
            by_kind.setdefault(rule.kind, []).append(found)
    mandatory = by_kind.get("mandatory_defence", [])
    no_hardship = by_kind.get("no_hardship_matter", [])
    hardship = by_kind.get("hardship_matter", [])
    exemptions = by_kind.get("exemption", []) if hardship else []

    used: list[Match] = []
    conditions: list[str] = []
    hardship_check_needed = False

    def use(ms: list[Match]) -> None:
        for m in ms:
            used.append(m)
            conditions.extend(c for c in m.conditions if c not in conditions)

    if _full(mandatory) or _full(no_hardship):
        outcome = "eligible"
        use(_full(mandatory) + _full(no_hardship))
    elif hardship:
        exempt_full = _full(exemptions)
        if exempt_full:
            use(hardship + exempt_full)
            outcome = "eligible" if _full(hardship) else "likely_eligible"
        elif case.economic_status == "hardship":
            use(hardship)
            outcome = "eligible" if _full(hardship) else "likely_eligible"
            hardship_check_needed = True
        elif case.economic_status == "not_hardship":
            rescue = exemptions + mandatory + no_hardship  # all conditional here
            if rescue:
                use(hardship + rescue)
                outcome = "likely_eligible"
            else:
                used.extend(hardship)
                outcome = "not_covered"
            hardship_check_needed = True
        else:
            use(hardship + exemptions + mandatory + no_hardship)
            outcome = "likely_eligible"
            hardship_check_needed = True
    elif mandatory or no_hardship:
        use(mandatory + no_hardship)
        outcome = "likely_eligible"
    elif case.case_type is None and case.case_category is None:
        outcome = "need_more_info"
    else:
        outcome = "not_covered"

    reasons = [m.rule.reason for m in used]
    if outcome == "not_covered":
        if hardship:
            reasons.append("这类事项需要符合经济困难条件，您说收入情况还可以，所以一般不能获得法律援助。"
                           "如果家庭情况有变化（如突发事件、重大疾病），可以再向法律援助机构咨询。")
        else:
            reasons.append("您的事项不在《法律援助法》第三十一条、第三十二条列明的范围内；地方法规可能另有规定，"
                           "可以拨打12348确认。")
    extra = [r for r in rules if r.kind in ("procedure", "hardship_standard")]
    if hardship_check_needed:
        for r in extra:
            if r.kind == "hardship_standard":
                used.append(Match(r))
                reasons.append(r.reason)
    where = ""
    only_mandatory = outcome == "eligible" and bool(_full(mandatory)) and not _full(no_hardship)
    if outcome in ("eligible", "likely_eligible"):
        for r in extra:
            if r.kind != "procedure":
                continue
            found = match(r, case)
            if not found or found.conditional:
                continue
            if r.code.startswith("art38"):
                if only_mandatory:
                    continue  # the court/procuratorate/police notify the legal aid office themselves
                where = r.reason
                used.append(found)
            else:
                used.append(found)
                reasons.append(r.reason)
        if only_mandatory:
            where = "办案机关（公安机关、检察院、法院）应当通知法律援助机构指派律师，您不需要另外申请；家属也可以主动联系当地法律援助机构了解情况。"

    source_keys: list[str] = []
    for m in used:
        if m.rule.source not in source_keys:
            source_keys.append(m.rule.source)
    if outcome == "not_covered" and not hardship:
        source_keys = source_keys or ["LAL-31", "LAL-32"]
    materials: list[str] = []
    if outcome in ("eligible", "likely_eligible") and not only_mandatory:
        materials = list(dict.fromkeys(item for m in used for item in m.rule.materials))
    return Assessment(
        outcome=outcome,
        materials=materials,
        reasons=list(dict.fromkeys(reasons)),
        conditions=conditions,
        source_keys=source_keys,
        rule_codes=[m.rule.code for m in used],
        hardship_check_needed=hardship_check_needed,
        where_to_apply=where,
        authorities_assign=only_mandatory,
    )


def missing_information(case: LegalAidCase, rules: list[Rule]) -> list[str]:
    """Slot names still worth asking, in asking order (case_type, person_group, economic_status, city).

    economic_status is only asked when the outcome depends on the hardship check; person_group
    only when a group could exempt the citizen from that check.
    """
    missing: list[str] = []
    if case.case_type is None and case.case_category is None:
        missing.append("case_type")
        if not case.person_groups:
            missing.append("person_group")
    else:
        result = evaluate(case, rules)
        if result.hardship_check_needed:
            if not case.person_groups:
                missing.append("person_group")
            if case.economic_status is None:
                missing.append("economic_status")
    if case.city is None:
        missing.append("city")
    return missing
