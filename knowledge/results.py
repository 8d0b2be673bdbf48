"""Plain result dataclasses returned by knowledge.api. `.to_text()` is what a citizen reads
(Simplified Chinese, short paragraphs, citations last); the fields are for code."""
from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.text import article_label, short_law

HOTLINE_HINT = "如有疑问，可拨打12348公共法律服务热线（普通话、粤语、客家话、潮汕话）咨询。"
UNKNOWN_FIELD = "未收录"


@dataclass(frozen=True)
class SourceRef:
    key: str
    law: str
    article: int | None
    verified: bool = True

    @property
    def short(self) -> str:
        """法律援助法第三十一条 (the contract's citation string)."""
        return f"{short_law(self.law)}{article_label(self.article)}"

    @property
    def full(self) -> str:
        return f"《{self.law}》{article_label(self.article)}"


def citation_line(sources: list[SourceRef]) -> str:
    """依据：《A》第一条、第二条；《B》 — articles grouped by law, in first-seen order.
    A source not checked against the official text (verified: false) is never cited as law."""
    sources = [s for s in sources if s.verified]
    if not sources:
        return ""
    grouped: dict[str, list[int]] = {}
    for src in sources:
        grouped.setdefault(src.law, [])
        if src.article and src.article not in grouped[src.law]:
            grouped[src.law].append(src.article)
    parts = [f"《{law}》" + "、".join(article_label(a) for a in sorted(articles))
             for law, articles in grouped.items()]
    return "依据：" + "；".join(parts)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"· {item}" for item in items)


@dataclass
class Office:
    office_type: str
    name: str
    city: str | None
    district: str | None
    address: str
    phone: str
    hours: str
    services: list[str]
    source: str
    verified_on: str  # ISO date
    origin: str = "seed"

    @property
    def has_contact_details(self) -> bool:
        return bool(self.address or self.phone or self.hours)

    def to_text(self) -> str:
        lines = [self.name]
        fields = (("地址", self.address), ("电话", self.phone), ("办公时间", self.hours))
        if self.office_type == "hotline":
            fields = fields[1:2]  # a hotline has no address; its hours are not sourced
        lines += [f"{label}：{value}" for label, value in fields if value]
        unknown = [label for label, value in fields if not value]
        if unknown:
            lines.append(f"{'、'.join(unknown)}：{UNKNOWN_FIELD}，请拨打12348或在“广东法律服务网”查询。")
        if self.has_contact_details:
            lines.append(f"信息来源：{self.source}（核实日期 {self.verified_on}）")
        else:
            lines.append(f"说明：{self.source}")
        return "\n".join(lines)


@dataclass
class OfficeList:
    """find_offices' answer wrapped for display (find_offices itself returns list[Office])."""

    offices: list[Office]
    place: str | None = None

    def to_text(self) -> str:
        if not self.offices:
            return f"暂时没有{self.place or '该地'}的机构信息。请拨打12348公共法律服务热线咨询。"
        head = f"{self.place}可以找这些地方：" if self.place else "可以找这些地方："
        return head + "\n\n" + "\n\n".join(o.to_text() for o in self.offices)


@dataclass
class ServiceRoute:
    service_code: str
    service_name: str
    reason: str
    citations: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)

    def to_text(self) -> str:
        return f"{self.service_name}：{self.reason}"


@dataclass
class ServiceGuide:
    code: str
    name: str
    summary: str
    materials: list[str]
    in_person: str | None
    time_limit: str
    fee_rule: str
    where_to_apply: str
    online: str
    cross_province: bool | None
    notes: list[str]
    sources: list[SourceRef]
    office_type: str | None = None
    found: bool = True

    @property
    def citations(self) -> list[str]:
        return [s.short for s in self.sources]

    def to_text(self) -> str:
        if not self.found:
            return f"暂时没有“{self.name}”的办理指南。{HOTLINE_HINT}"
        parts = [f"【{self.name}】{self.summary}"]
        if self.materials:
            parts.append("一般需要准备：\n" + _bullets(self.materials) + "\n（以办理机构一次性告知的清单为准。）")
        if self.in_person == "required":
            parts.append("这项必须由本人亲自办理，不能委托他人代办。")
        elif self.in_person == "check":
            parts.append("这类与本人关系密切的事项一般需要本人亲自申办，能否委托他人请先向办理机构确认。")
        if self.time_limit:
            parts.append(f"办理时限：{self.time_limit}")
        if self.fee_rule:
            parts.append(f"费用：{self.fee_rule}")
        if self.where_to_apply:
            parts.append(f"在哪里办：{self.where_to_apply}")
        if self.cross_province is True:
            parts.append("这项可以跨省通办。")
        if self.notes:
            parts.append("请注意：\n" + _bullets(self.notes))
        parts.append(HOTLINE_HINT)
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n\n".join(parts)


OUTCOME_HEADLINES = {
    "eligible": "根据您说的情况，您可以申请法律援助（最终以法律援助机构的审查决定为准）。",
    "likely_eligible": "您的事项属于法律援助的范围，但还要满足下面的条件，法律援助机构会审查。",
    # the same, when the engine names no condition (Art. 24: the application is reviewed)
    "likely_eligible_plain": "您的事项属于法律援助的范围，法律援助机构会审查后决定是否给予。",
    "not_covered": "根据您说的情况，这件事暂时不符合法律援助的条件。您还可以试试下面的途径。",
    "need_more_info": "请告诉我您遇到的是什么问题（比如欠薪、工伤、离婚、交通事故、借钱不还），我来帮您判断能不能申请法律援助。",
}


# What kind of "yes": said first, before the reasons, when the engine knows it.
CONCLUSION_HEADLINES = {
    "mandatory_defence": "根据您说的情况，办案机关应当通知法律援助机构为当事人指派律师，"
                         "不审查经济状况，也不需要您另外申请。",
    "apply_then_assigned": "根据您说的情况，被告人申请法律援助后，法院应当通知法律援助机构指派律师担任辩护人，不审查经济状况。",
    "no_means_test": "根据您说的情况，您可以申请法律援助，而且不受经济困难条件的限制（最终以法律援助机构的审查决定为准）。",
}


@dataclass
class Verdict:
    outcome: str  # eligible | likely_eligible | not_covered | need_more_info
    reasons: list[str]
    sources: list[SourceRef]
    conditions: list[str] = field(default_factory=list)
    where_to_apply: str = ""
    materials: list[str] = field(default_factory=list)
    alternatives: list[ServiceRoute] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    hardship_check_needed: bool = False
    rule_codes: list[str] = field(default_factory=list)
    conclusion: str | None = None  # knowledge.eligibility.CONCLUSIONS
    safety: str = ""  # family violence: 110 and the protection order, said first
    brief_reasons: list[str] = field(default_factory=list)  # what a first answer needs
    brief_conditions: list[str] | None = None  # None: the same as conditions

    @property
    def citations(self) -> list[str]:
        return [s.short for s in self.sources]

    @property
    def headline(self) -> str:
        return self.headline_for(self.conditions)

    @property
    def shown_conditions(self) -> list[str]:
        """The conditions a first answer states (brief_conditions when the engine gave them)."""
        return self.conditions if self.brief_conditions is None else self.brief_conditions

    @property
    def brief_headline(self) -> str:
        return self.headline_for(self.shown_conditions)

    def brief_lines(self) -> list[str]:
        """Headline, the reasons a first answer needs and its conditions, one line each."""
        lines = [self.brief_headline]
        if self.brief_reasons or self.reasons:
            lines.append(_bullets(self.brief_reasons or self.reasons))
        if self.shown_conditions:
            lines.append("需要满足的条件：\n" + _bullets(self.shown_conditions))
        return lines

    def headline_for(self, conditions: list[str]) -> str:
        if self.outcome == "eligible" and self.conclusion in CONCLUSION_HEADLINES:
            return CONCLUSION_HEADLINES[self.conclusion]
        if self.outcome == "likely_eligible" and not conditions:
            return OUTCOME_HEADLINES["likely_eligible_plain"]
        return OUTCOME_HEADLINES[self.outcome]

    def to_brief_text(self) -> str:
        """The conclusion so far, for a screening that still has questions to ask."""
        parts = ([self.safety] if self.safety else []) + self.brief_lines()
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n".join(parts)  # one message: channels split paragraphs ("\n\n") into messages

    def to_text(self) -> str:
        headline = self.headline
        parts = [self.safety, headline] if self.safety else [headline]
        if self.reasons:
            parts.append(_bullets(self.reasons))
        if self.conditions:
            parts.append("需要满足的条件：\n" + _bullets(self.conditions))
        if self.outcome in ("eligible", "likely_eligible"):
            if self.where_to_apply:
                parts.append(f"在哪里申请：{self.where_to_apply}")
            for office in self.offices[:2]:
                parts.append(office.to_text())
            if self.materials:
                parts.append("需要准备的材料：\n" + _bullets(self.materials))
        if self.alternatives and self.outcome != "need_more_info":
            parts.append("其他途径：\n" + _bullets([a.to_text() for a in self.alternatives]))
        parts.append(HOTLINE_HINT)
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n\n".join(parts)


@dataclass
class Consultation:
    """The answer to a described problem: the legal-aid conclusion for what the citizen said
    (knowledge.eligibility), then the other routes, each with its basis. Brief: no materials
    or office list (those are answered when asked)."""

    problem: str  # display name of the kind of problem ("欠薪"), "" when unknown
    verdict: Verdict | None
    routes: list[ServiceRoute]
    safety: str = ""
    safety_sources: list[SourceRef] = field(default_factory=list)
    note: str = ""  # said before the hotline line (e.g. the invitation to tell the income)

    @property
    def sources(self) -> list[SourceRef]:
        found: list[SourceRef] = list(self.safety_sources)
        for src in (self.verdict.sources if self.verdict else []):
            if src not in found:
                found.append(src)
        for route in self.routes:
            found += [src for src in route.sources if src not in found]
        return found

    @property
    def citations(self) -> list[str]:
        return [s.short for s in self.sources if s.verified]

    def to_text(self) -> str:
        parts = [self.safety] if self.safety else []
        v = self.verdict
        if v is not None and v.outcome != "need_more_info":
            legal_aid = v.brief_lines()
            legal_aid[0] = "法律援助：" + legal_aid[0]
            if v.outcome == "eligible" and v.conclusion in ("mandatory_defence", "apply_then_assigned") \
                    and v.where_to_apply:  # who acts matters here; otherwise "where" is asked when needed
                legal_aid.append(f"在哪里申请：{v.where_to_apply}")
            parts.append("\n".join(legal_aid))
        if self.routes:
            head = f"关于“{self.problem}”，还可以考虑这些途径：" if self.problem else "还可以考虑这些途径："
            parts.append(head + "\n" + _bullets([r.to_text() for r in self.routes]))
        if self.note:
            parts.append(self.note)
        parts.append(HOTLINE_HINT)
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n\n".join(parts)


FACET_NAMES = {"what": "是什么", "who": "谁可以申请", "proxy": "能否由别人代办", "materials": "要准备什么",
               "time_limit": "要多久", "fee": "收不收费", "where": "在哪里办", "refusal": "什么情况下办不了",
               "remedy": "不服怎么办", "effect": "效力和执行", "after": "申请以后"}


@dataclass
class FacetAnswer:
    """One part of a service, answered briefly with its basis (knowledge/seed/facets.yml)."""

    topic: str
    topic_name: str
    facet: str
    text: str
    sources: list[SourceRef]
    found: bool = True

    @property
    def citations(self) -> list[str]:
        return [s.short for s in self.sources if s.verified]

    @property
    def heading_text(self) -> str:
        """"【service·facet】answer", without hint or citations (for combining answers)."""
        return f"【{self.topic_name}·{FACET_NAMES.get(self.facet, self.facet)}】{self.text}"

    def to_text(self, with_hint: bool = True) -> str:
        if not self.found:
            return (f"关于{self.topic_name}“{FACET_NAMES.get(self.facet, self.facet)}”，我这里没有可靠的依据可以告诉您，"
                    f"请以办理机构的告知为准。{HOTLINE_HINT}")
        parts = [self.heading_text]
        if with_hint:
            parts.append(HOTLINE_HINT)
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n\n".join(parts)


@dataclass
class TermAnswer:
    """What a legal term means, briefly and with its basis (knowledge/seed/terms.yml)."""

    code: str
    name: str
    topic: str | None
    text: str
    sources: list[SourceRef]
    pointing_back: bool = False  # `text` is the clause of an answer already given

    def to_text(self) -> str:
        lead = f"【{self.name}】接着上面说的：" if self.pointing_back else f"【{self.name}】"
        parts = [lead + self.text, HOTLINE_HINT]
        line = citation_line(self.sources)
        if line:
            parts.append(line)
        return "\n\n".join(parts)
