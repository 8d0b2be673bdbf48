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
    "state_compensation criminal environment personal_injury tort intellectual_property company "
    "construction administrative foreign_related maritime guarantee fraud_victim other_legal".split()
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
    "social_relief_claim",               # Art. 31(2): claiming social relief (低保 …)
    "pension_claim",                     # Art. 31(3): claiming a 抚恤金
    "capacity_declaration",              # Art. 31(6): declaring a person without (full) civil capacity
    "labour_relation",                   # Art. 31(5): confirming a labour relationship
    "unpaid_wages",                      # Art. 31(5): claiming unpaid pay, said in any turn
    "food_drug_safety",                  # Art. 31(7): food or drug safety accident
    "hero_martyr_rights",                # Art. 32(1)
    "good_samaritan",                    # Art. 32(2)
    "retrial_acquittal",                 # Art. 32(3)
    "abuse_victim",                      # Art. 32(4): victim of abuse, abandonment or family violence
    "no_fixed_income",                   # Art. 42(1)
    "deadline_within_7_days",            # Art. 44(1)
    "urgent_preservation",               # Art. 44(2)
    "in_custody",                        # detained (the duty lawyer, Art. 30/37/39)
    "criminal_claimant",                 # Art. 29: private prosecutor (自诉) or incidental civil plaintiff
    "cohabiting_partner",                # 反家庭暴力法 Art. 37: violence between unmarried people living together
})
# Flags that name the matter by themselves: no need to ask what the problem is.
MATTER_FLAGS = frozenset({"compulsory_medical", "labour_relation", "unpaid_wages", "social_relief_claim", "pension_claim", "capacity_declaration", "food_drug_safety", "hero_martyr_rights",
                          "good_samaritan", "retrial_acquittal", "abuse_victim", "criminal_claimant"})
# The legal basis of a verdict, for the headline (what kind of "yes" or "no" it is).
CONCLUSIONS = ("mandatory_defence", "apply_then_assigned", "no_means_test", "means_check_exempt",
               "means_tested", "not_listed")
# Case types that are disputes between private parties: people's mediation fits them.
CIVIL_CASE_TYPES = frozenset(
    "labor_pay labor_contract work_injury marriage domestic_violence support inheritance "
    "traffic_accident medical debt contract housing neighbor consumer environment personal_injury tort "
    "construction guarantee".split()
)
CASE_TYPE_CATEGORY = {"criminal": "criminal", "state_compensation": "administrative", "land": "administrative",
                      "administrative": "administrative", "fraud_victim": "criminal"}
# Harm that Art. 31 does not list as a civil matter: when its doer is prosecuted, the victim's
# legal-aid matter is the criminal case (Art. 29).
CHARGEABLE_HARM_TYPES = frozenset({"personal_injury", "tort"})
# A legal question no code fits: no legal-aid verdict can be given for it (lawyer / 12348).
UNTYPED_CASE = "other_legal"


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
    # The one who harmed the victim is detained or prosecuted: the harm is being tried as a crime.
    offender_charged: bool = False

    @property
    def route_type(self) -> str | None:
        """The kind of problem routes are chosen by: the case type, else "criminal" for a
        criminal matter whose type is not known."""
        return self.case_type or ("criminal" if self.case_category == "criminal" else None)

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
        # A civil matter asked about (a traffic-accident claim) stays civil even when the story has a
        # criminal side (the hit-and-run driver was arrested): its own items apply, not Art. 29/32(4)'s
        # criminal-victim rules. Family violence keeps its criminal side (the abuse may be the crime).
        # A private prosecution or an incidental civil claim is criminal whatever the quarrel behind it
        # (a neighbour's defamation prosecuted by the citizen): Art. 29.
        if "criminal_claimant" in self.flags and self.role != "accused":
            self.role, self.case_category = "victim", "criminal"
            if self.case_type in CIVIL_CASE_TYPES and self.case_type != "domestic_violence":
                self.case_type = None
        # An assault or other harm that is no Art. 31 matter itself, whose doer is prosecuted, is the
        # victim's criminal case (Art. 29: an agent for the victim, the civil claim joined to the trial).
        charged_crime = self.offender_charged and self.case_type in CHARGEABLE_HARM_TYPES
        if (self.case_type in CIVIL_CASE_TYPES and self.case_type != "domestic_violence" and not charged_crime
                and self.case_category == "criminal" and self.role == "victim"):
            self.case_category = "civil"
        # A cheated citizen is the victim of the crime (Art. 29), not the defence side.
        if self.case_type == "fraud_victim" and self.role is None:
            self.role = "victim"
        # A state-compensation claim is made by a former suspect: it is not a defence any more.
        if self.case_type == "state_compensation" and self.role == "accused":
            self.role, self.case_category = None, CASE_TYPE_CATEGORY["state_compensation"]
        # An abuse victim who has not named another matter is asking about the abuse itself.
        if (self.case_type is None and self.case_category is None and self.role != "accused"
                and ("abuse_victim" in self.flags or "violence_victim" in self.person_groups)):
            self.case_type = "domestic_violence"


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
    conclusion: str | None = None  # one of CONCLUSIONS (None: need more information)
    # The reasons a first answer needs: what decides, Art. 36's notice, the duty lawyer —
    # without the hardship standard and the application procedure (asked when needed).
    brief_reasons: list[str] = field(default_factory=list)
    brief_conditions: list[str] = field(default_factory=list)


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


# Rule kinds that decide the verdict, and the kinds of extra facts added to one.
DECIDING_KINDS = ("mandatory_defence", "mandatory_on_application", "no_hardship_matter", "defence_application",
                  "hardship_matter", "exemption", "not_listed_note")
NOTE_KINDS = ("procedure", "hardship_standard", "mandatory_procedure", "duty_lawyer")
NOT_COVERED_HARDSHIP = ("这类事项需要符合经济困难条件，您说收入情况还可以，所以一般不能获得法律援助。"
                        "如果家庭情况有变化（如突发事件、重大疾病），可以再向法律援助机构咨询。")
NOT_LISTED = ("您的事项不在《法律援助法》第三十一条、第三十二条列明的范围内；第三十一条第九项规定法律、法规、规章"
              "还可以规定其他情形，地方规定是否覆盖，可以拨打12348确认。")
WHERE_AUTHORITIES = ("办案机关（公安机关、检察院、法院；强制医疗案件是法院）应当通知法律援助机构指派律师，您不需要另外申请；"
                     "家属也可以主动联系当地法律援助机构了解情况。")
WHERE_DEATH_REVIEW = ("由被告人（或其近亲属）提出法律援助申请；申请后，人民法院应当通知法律援助机构指派律师担任辩护人。")


def evaluate(case: LegalAidCase, rules: list[Rule]) -> Assessment:
    rules = sorted(rules, key=lambda r: r.position)
    by_kind: dict[str, list[Match]] = {}
    for rule in rules:
        if rule.kind not in DECIDING_KINDS:
            continue
        found = match(rule, case)
        if found:
            by_kind.setdefault(rule.kind, []).append(found)
    mandatory = by_kind.get("mandatory_defence", [])
    on_application = by_kind.get("mandatory_on_application", [])
    no_hardship = by_kind.get("no_hardship_matter", [])
    defence = by_kind.get("defence_application", [])
    hardship = by_kind.get("hardship_matter", [])
    exemptions = by_kind.get("exemption", []) if hardship else []
    not_listed_notes = by_kind.get("not_listed_note", [])

    used: list[Match] = []
    conditions: list[str] = []
    hardship_check_needed = False
    conclusion: str | None = None

    def use(ms: list[Match]) -> None:
        for m in ms:
            if m not in used:
                used.append(m)
            conditions.extend(c for c in m.conditions if c not in conditions)

    conditional_special = [m for m in mandatory + on_application + no_hardship if m.conditional]
    if _full(mandatory):
        outcome, conclusion = "eligible", "mandatory_defence"
        use(_full(mandatory))
    elif _full(on_application):
        outcome, conclusion = "eligible", "apply_then_assigned"
        use(_full(on_application))
    elif _full(no_hardship):
        outcome, conclusion = "eligible", "no_means_test"
        use(_full(no_hardship))
    elif _full(defence):
        # Art. 24: "因经济困难或者其他原因" — never refused for income alone; no means question.
        outcome, conclusion = "likely_eligible", "means_tested"
        use(_full(defence) + conditional_special)
    elif hardship or defence:
        hardship = hardship + defence  # a criminal matter whose side is not known yet
        exempt_full = _full(exemptions)
        if exempt_full:
            use(hardship + exempt_full)
            # Art. 42: "有材料证明" — the exemption holds with proof of the status.
            conditions.extend(m.rule.condition for m in exempt_full
                              if m.rule.condition and m.rule.condition not in conditions)
            outcome = "eligible" if _full(hardship) else "likely_eligible"
            conclusion = "means_check_exempt"
        elif case.economic_status == "hardship":
            use(hardship)
            outcome = "eligible" if _full(hardship) else "likely_eligible"
            conclusion = "means_tested"
            hardship_check_needed = True
        elif case.economic_status == "not_hardship":
            rescue = exemptions + conditional_special + defence
            if rescue:
                use(hardship + rescue)
                outcome = "likely_eligible"
            else:
                used.extend(hardship)
                outcome = "not_covered"
            conclusion = "means_tested"
            hardship_check_needed = True
        else:
            use(hardship + exemptions + conditional_special)
            outcome = "likely_eligible"
            conclusion = "means_tested"
            hardship_check_needed = True
    elif conditional_special:
        use(conditional_special)
        outcome = "likely_eligible"
        first = conditional_special[0].rule.kind
        conclusion = {"mandatory_defence": "mandatory_defence", "mandatory_on_application": "apply_then_assigned",
                      "no_hardship_matter": "no_means_test"}[first]
    elif case.case_type in (None, UNTYPED_CASE) and case.case_category is None and not case.flags & MATTER_FLAGS:
        outcome = "need_more_info"
    else:
        outcome, conclusion = "not_covered", "not_listed"

    reasons = [m.rule.reason for m in used]
    if outcome == "not_covered":
        if conclusion == "means_tested":
            reasons.append(NOT_COVERED_HARDSHIP)
        else:
            use(not_listed_notes)
            reasons += [m.rule.reason for m in not_listed_notes]
            reasons.append(NOT_LISTED)
    # A first answer leaves out exemptions that only might apply (an elderly relative mentioned,
    # no word on income): the screening asks, and the full verdict lists them.
    maybe_exempt = [m for m in used if m.rule.kind == "exemption" and m.conditional]
    brief = [r for r in reasons if r not in {m.rule.reason for m in maybe_exempt}]
    brief_conditions = [c for c in conditions if c not in {x for m in maybe_exempt for x in m.conditions}]
    notes = [r for r in rules if r.kind in NOTE_KINDS]
    if hardship_check_needed:
        for r in notes:
            if r.kind == "hardship_standard":
                used.append(Match(r))
                reasons.append(r.reason)
    assigned = conclusion in ("mandatory_defence", "apply_then_assigned") and outcome == "eligible"
    only_mandatory = assigned and conclusion == "mandatory_defence"
    where = ""
    if outcome in ("eligible", "likely_eligible"):
        for r in notes:
            found = match(r, case)
            if not found or found.conditional:
                continue
            if r.kind == "mandatory_procedure":
                if assigned:
                    used.append(found)
                    reasons.append(r.reason)
                    brief.append(r.reason)
            elif r.kind == "procedure":
                if r.code.startswith("art38"):
                    if not assigned:
                        where = r.reason
                        used.append(found)
                elif r.code.startswith("art43"):
                    if not assigned:  # Art. 43's 7 + 3 days are for applications, not notifications
                        used.append(found)
                        reasons.append(r.reason)
                else:
                    used.append(found)
                    reasons.append(r.reason)
                    if r.code.startswith("art44"):  # urgent: advance legal aid belongs in the first answer
                        brief.append(r.reason)
        if only_mandatory:
            where = WHERE_AUTHORITIES
        elif assigned:
            where = WHERE_DEATH_REVIEW
    duty_lawyer_said = False
    for r in notes:  # the duty-lawyer rules list roles [accused]: only a known accused matches fully
        if r.kind == "duty_lawyer":
            found = match(r, case)
            if found and not found.conditional:
                used.append(found)
                reasons.append(r.reason)
                if not duty_lawyer_said:  # Art. 30 and 37 say one thing to the citizen: ask for one
                    brief.append(r.reason)
                    duty_lawyer_said = True

    source_keys: list[str] = []
    for m in used:
        if m.rule.source not in source_keys:
            source_keys.append(m.rule.source)
    if outcome == "not_covered" and conclusion == "not_listed":
        for key in ("LAL-31", "LAL-32"):
            if key not in source_keys:
                source_keys.append(key)
    materials: list[str] = []
    if outcome in ("eligible", "likely_eligible") and not only_mandatory:
        materials = list(dict.fromkeys(item for m in used for item in m.rule.materials))
    return Assessment(
        outcome=outcome,
        materials=materials,
        reasons=_without_restatements(reasons),
        conditions=conditions,
        source_keys=source_keys,
        rule_codes=[m.rule.code for m in used],
        hardship_check_needed=hardship_check_needed,
        where_to_apply=where,
        authorities_assign=only_mandatory,
        conclusion=conclusion,
        brief_reasons=_without_restatements(brief),
        brief_conditions=brief_conditions,
    )


def _without_restatements(lines: list[str]) -> list[str]:
    """Each reason once: two rules (a flag and a group) may state the same article, one of them
    with an extra clause; the shorter one, contained in the longer, adds nothing."""
    unique = list(dict.fromkeys(lines))
    return [line for line in unique
            if not any(other != line and line.rstrip("。") in other for other in unique)]


def missing_information(case: LegalAidCase, rules: list[Rule]) -> list[str]:
    """Slot names still worth asking, in asking order (case_type, person_group, economic_status, city).

    economic_status is only asked when the outcome depends on the hardship check; person_group
    only when a group could exempt the citizen from that check.
    """
    missing: list[str] = []
    result = None
    if case.case_type in (None, UNTYPED_CASE) and case.case_category is None and not case.flags & MATTER_FLAGS:
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
    # Where the authorities assign the lawyer, the citizen applies nowhere: no need for the place.
    if case.city is None and not (result and result.authorities_assign):
        missing.append("city")
    return missing
