"""Closed value sets and colloquial surface forms for the NLU entities.

Everything here is plain data. `bot/nlu/gen_dict.py` turns it (plus the official
division list) into the jieba user dictionary and the Rasa synonyms / lookup
tables; the runtime components read the generated training data, not this file.
"""
from __future__ import annotations

# Canonical values fixed by docs/contract.md.
CASE_TYPES = (
    "labor_pay", "labor_contract", "work_injury", "social_insurance", "marriage",
    "domestic_violence", "support", "inheritance", "traffic_accident", "medical", "debt",
    "contract", "housing", "land", "neighbor", "consumer", "state_compensation",
    "criminal", "environment",
)
PERSON_GROUPS = (
    "migrant_worker", "elderly", "minor", "disabled", "low_income", "military",
    "hero_martyr_family", "violence_victim",
)
CASE_CATEGORIES = ("criminal", "civil", "administrative")
ECONOMIC_STATUSES = ("hardship", "not_hardship")

CLOSED_VALUES = {
    "case_type": CASE_TYPES,
    "person_group": PERSON_GROUPS,
    "case_category": CASE_CATEGORIES,
    "economic_status": ECONOMIC_STATUSES,
}

# Well-known nicknames of the prefecture-level cities, beyond "广州" for "广州市".
# Single-character forms only match as a whole jieba token (see gazetteer.py).
CITY_NICKNAMES = {
    "广州市": ["穗", "羊城", "花城"],
    "深圳市": ["鹏城"],
    "惠州市": ["鹅城"],
    "东莞市": ["莞"],
    "江门市": ["五邑"],
}

# Short forms of county-level names that are everyday words; for these only the
# full official name is accepted ("光明区" yes, "光明" no).
AMBIGUOUS_SHORT_FORMS = {"光明", "和平", "清新", "新兴", "江海", "南海", "高明", "城"}
# Official names that are themselves everyday words and never match alone.
AMBIGUOUS_FULL_NAMES = {"城区"}

# notary_item canonical value → colloquial surface forms citizens use.
NOTARY_ITEMS = {
    "学历公证": ["学历公证", "毕业证公证", "毕业证书公证", "学历证书公证", "文凭公证"],
    "学位公证": ["学位公证", "学位证公证", "学位证书公证"],
    "驾驶证公证": ["驾驶证公证", "驾照公证", "驾驶执照公证", "驾驶证翻译公证"],
    "出生公证": ["出生公证", "出生证明公证", "出生证公证"],
    "亲属关系公证": ["亲属关系公证", "亲属公证", "亲属关系证明公证"],
    "无犯罪记录公证": ["无犯罪记录公证", "无犯罪公证", "无犯罪证明公证", "无刑事处罚公证"],
    "婚姻状况公证": ["婚姻状况公证", "未婚公证", "已婚公证", "单身公证", "婚姻状态公证", "离婚公证"],
    "委托公证": ["委托公证", "委托书公证", "授权委托公证", "授权书公证"],
    "声明公证": ["声明公证", "声明书公证"],
    "继承公证": ["继承公证", "继承权公证", "遗产继承公证"],
    "遗嘱公证": ["遗嘱公证"],
    "强制执行公证": ["强制执行公证", "赋予强制执行效力公证", "赋强公证"],
}

# Words worth keeping whole when tokenizing (services, documents, problems).
LEGAL_TERMS = [
    "法律援助", "法援", "法律援助中心", "法律援助机构", "援助律师", "法援律师",
    "公证", "公证处", "公证书", "公证员", "公证费",
    "人民调解", "调解委员会", "调解员", "调解协议", "司法确认", "人民调解委员会",
    "跨省通办", "异地办理", "异地公证", "全程网办",
    "司法局", "司法所", "公共法律服务", "公共法律服务中心", "公共法律服务站", "12348",
    "律师事务所", "律所", "律师费", "法律顾问", "投诉律师",
    "司法鉴定", "鉴定机构", "伤残鉴定", "亲子鉴定", "笔迹鉴定", "精神病鉴定", "伤残等级",
    "劳动仲裁", "劳动争议仲裁", "仲裁委", "仲裁委员会", "仲裁申请书", "商事仲裁",
    "行政复议", "复议申请", "行政诉讼", "行政处罚", "行政机关",
    "法考", "法律职业资格", "法律职业资格证书", "法律职业资格考试", "司法考试", "法律职业资格证",
    "欠薪", "拖欠工资", "讨薪", "工伤", "工伤认定", "劳动合同", "经济补偿", "社保", "社会保险",
    "离婚", "家暴", "家庭暴力", "抚养费", "赡养费", "扶养费", "抚养权", "遗产", "继承",
    "交通事故", "车祸", "医疗事故", "医疗纠纷", "借钱", "欠钱", "借款", "欠款", "合同纠纷",
    "房屋", "租房", "押金", "物业", "征地", "拆迁", "宅基地", "邻居", "噪音",
    "假货", "食品安全", "过期食品", "假药", "国家赔偿", "刑事案件", "民事案件", "行政案件",
    "污染", "排污", "农民工", "低保", "低保户", "特困", "残疾人", "残疾证", "未成年人",
    "退役军人", "军人", "烈士", "英烈", "见义勇为",
    "legal aid", "notary",
]

# Cantonese function words: kept whole so that the sparse features see them.
CANTONESE_WORDS = [
    "点样", "点解", "边度", "边个", "唔该", "有冇", "冇", "喺", "咩", "系唔系", "唔系", "唔知",
    "乜嘢", "咁", "嘅", "佢", "佢哋", "我哋", "畀", "俾", "攞", "搵", "睇", "识", "得唔得",
    "使唔使", "几多钱", "几耐", "而家", "琴日", "今日", "听日", "老细", "人工", "返工", "炒鱿鱼",
]

# Bare words that name a notary item when the message is about notarization
# ("毕业证要公证", "公证驾照") or is a short answer to "which item?" ("学历").
NOTARY_KEYWORDS = {
    "学历公证": ["学历", "毕业证", "毕业证书", "文凭", "学历证书"],
    "学位公证": ["学位", "学位证", "学位证书"],
    "驾驶证公证": ["驾照", "驾驶证", "驾驶执照", "驾驶本"],
    "出生公证": ["出生证明", "出生证", "出生医学证明"],
    "亲属关系公证": ["亲属关系", "亲属关系证明"],
    "无犯罪记录公证": ["无犯罪记录", "无犯罪证明", "无犯罪"],
    "婚姻状况公证": ["婚姻状况", "未婚证明", "单身证明", "婚姻状况证明"],
    "委托公证": ["委托书", "授权委托书", "授权书"],
    "声明公证": ["声明书"],
    "继承公证": ["继承权", "遗产继承"],
    "遗嘱公证": ["遗嘱"],
    "强制执行公证": ["强制执行效力"],
}
