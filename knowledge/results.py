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

    @property
    def citations(self) -> list[str]:
        return [s.short for s in self.sources]

    def to_text(self) -> str:
        headline = OUTCOME_HEADLINES[self.outcome]
        if self.outcome == "eligible" and self.conclusion in CONCLUSION_HEADLINES:
            headline = CONCLUSION_HEADLINES[self.conclusion]
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
