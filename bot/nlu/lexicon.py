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
    # The wider contract (issue 12): problems outside the first 19, each with its own route.
    "personal_injury", "tort", "intellectual_property", "company", "construction", "administrative",
    "foreign_related", "maritime", "guarantee", "fraud_victim", "other_legal",
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
    "赠与公证": ["赠与公证", "赠予公证", "赠与合同公证", "赠与书公证"],
    "收养公证": ["收养公证", "收养关系公证", "领养公证"],
    "生存公证": ["生存公证", "生存证明公证", "在生公证"],
    "保全证据公证": ["保全证据公证", "证据保全公证", "证据公证"],
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
    "赠与公证": ["赠与合同", "赠与书"],
    "收养公证": ["收养关系"],
    "生存公证": ["生存证明"],
    "保全证据公证": ["证据保全", "保全证据"],
}

# case_type key phrases (regular expressions over normalised, Simplified text).
# DIET learns case_type spans from the annotated examples; these patterns are the
# deterministic back-up used by bot/nlu/entities.py:KeyPhraseMatcher when DIET tags
# nothing, so a plainly stated problem ("老板欠了我半年工资") never loses its case type.
# Order = priority when several match: the more specific problem first
# (家暴 before 离婚, 抚养费 before 离婚, 欠工资 before 欠钱, 劳动合同 before 合同).
_PAY = r"(?:工资|工钱|人工|薪水|薪资|薪金|血汗钱|加班费|粮)"
_NOT_PAID = r"(?:欠|拖|扣|不[给发结付开]|没[给发结付开]|唔[出俾畀发找]|冇[出俾畀发]|未[给发结付])"
CASE_TYPE_PATTERNS = {
    "domestic_violence": [
        r"家暴|家庭暴力|保护令|打老婆|打老公|虐待",
        r"(?:老公|丈夫|老婆|妻子|男朋友|男友|女朋友|女友|前夫|前妻|佢|他|她)[^，。！？,.!?]{0,6}(?:打我|打人|动手|打孩子|打仔)",
        # A threat to kill or maim from a partner or a relative living with the speaker
        # (反家庭暴力法 Art. 2 covers 恐吓; Art. 23 the real danger of violence).
        r"(?:老公|丈夫|老婆|妻子|男朋友|男友|前夫|前妻|老豆|老爸|爸爸|继父|儿子|个仔|女婿)[^。！？!?]{0,14}"
        r"(?:斩死|杀死|打死|砍死|掐死|劈死|要斩|要杀|要砍|拎刀|拿刀|揸刀)",
    ],
    "work_injury": [
        r"工伤|职业病",
        r"(?:上班|干活|做工|做嘢|返工|工地|车间|厂里|工厂)[^，。！？,.!?]{0,8}(?:受伤|伤|断|压|砸|摔|整亲|切|夹)",
        r"(?:工地|车间|厂里|工厂|上班|开工|搬货)[^。！？!?]{0,24}(?:跌落|摔伤|摔断|断咗|骨折|受伤)",
    ],
    "labor_pay": [
        r"欠薪|讨薪|拖薪|讨工钱|讨工资|拖粮|加班费|(?:not|never|didn't|don't|doesn't|won't) pay|unpaid|salary|wages?\b",
        _NOT_PAID + r"[^，。！？,.!?]{0,6}" + _PAY,
        r"(?:工资|工钱|人工|薪水|薪资)[^，。！？,.!?]{0,6}(?:" + _NOT_PAID[3:-1] + r"|拖欠|欠)",
        r"(?:拖欠|欠)(?:了|咗)?[^，。！？,.!?]{0,16}(?:工资|工钱|人工|薪水|薪资)",
    ],
    "social_insurance": [r"社保|社会保险|养老保险|五险一金|失业保险|工伤保险|生育保险|医保|低保|最低生活保障|社会救助|特困供养|救助金"],
    "labor_contract": [r"辞退|开除|炒鱿鱼|被炒|炒咗|裁员|解雇|劳动合同|违法解除|经济补偿|劝退"],
    "support": [
        r"赡养|抚养费|扶养费|养老送终",
        r"(?:不|唔|冇)(?:养|管|理)(?:老人|我|父母|爸妈|老豆|老母|阿爸|阿妈|孩子|小孩)",
    ],
    "inheritance": [r"遗产|继承|遗嘱"],
    "traffic_accident": [r"车祸|交通事故|撞车|追尾|肇事|逃逸|(?:被|给|畀|俾)[^，。！？,.!?]{0,4}撞|撞[了伤死倒亲]"],
    "medical": [
        r"医疗事故|医疗纠纷|误诊|医疗损害",
        r"(?:医院|医生|手术|打针|治疗)[^，。！？,.!?]{0,8}(?:出事|出了事|出咗事|失误|事故|治死|死了|残废|做错|搞错|感染)",
    ],
    # The citizen was cheated: a victim (police report first), not the defence side.
    "fraud_victim": [r"(?:被|俾|畀)(?:人|佢|他|她|对方|骗子)?(?:骗|诈骗|呃)|骗(?:了|咗|走)(?:我|我哋|我们|我妈|我爸|老人)|骗子|杀猪盘|刷单|电信诈骗|网络诈骗|诈骗电话|(?:遇到|碰到|遇上)(?:了)?(?:诈骗|骗局)"],
    "state_compensation": [r"国家赔偿|错误羁押|冤假错案|错判|错抓|刑事赔偿|被冤枉坐牢|(?:违法|非法|错误)(?:扣押|查封|拘留|拘禁)"],
    "administrative": [r"行政处罚|行政拘留|行政诉讼|民告官|告政府|起诉政府|罚款|吊销|城管|执法局|市场监管局|行政许可|政府信息公开|被(?:没收|查封)(?:了)?(?:车|货|店)"],
    "criminal": [r"被抓|被警察抓|刑拘|被拉走|拉咗|拘留|坐牢|判刑|被捕|逮捕|诈骗|盗窃|抢劫|强奸|故意伤害|取保候审"],
    # Bodily injury outside traffic, work and medical care (those patterns come first).
    "personal_injury": [r"人身损害|(?:被|俾|畀)(?:人|佢|他|她|对方)?打(?:伤|到|断|成)|(?:被|俾|畀)?(?:狗|猫)咬|狗咬|摔伤|滑倒|跌倒|砸伤|烫伤|撞伤|受伤"],
    "tort": [r"名誉|诽谤|造谣|侮辱|隐私|肖像|人肉|泄露[^，。！？,.!?]{0,6}信息|曝光[^，。！？,.!?]{0,4}(?:照片|视频|信息)|P图|侵犯[^，。！？,.!?]{0,4}(?:权|财产)"],
    "intellectual_property": [r"商标|专利|著作权|版权|盗版|抄袭|商业秘密|知识产权|山寨|侵权产品"],
    "company": [r"股东|股权|股份|分红|公司解散|法定代表人|法人代表|注销公司|合伙人|合伙|入股|公司章程|公司账"],
    "guarantee": [r"担保|抵押|保证人|质押|连带责任|做保|作保"],
    "environment": [r"污染|排污|废水|废气|噪声污染|臭气"],
    "land": [r"征地|拆迁|强拆|宅基地|土地|承包地|山林|田地"],
    "housing": [r"押金|房东|租房|租客|物业|房屋|买房|烂尾|交楼|收楼|二手房|房产证|业主"],
    "neighbor": [r"邻居|噪音|相邻|隔篱|隔离屋|楼上[^，。！？,.!?]{0,4}(?:漏水|好嘈|吵|渗水)|好嘈"],
    "consumer": [r"假货|消费者|退货|退款|食品安全|过期食品|假药|网购|买到[^，。！？,.!?]{0,4}(?:假|坏|过期|次品)|商家|黑心|食物中毒|预付卡|健身卡|办卡[^，。！？,.!?]{0,8}跑路|(?:钱|卡)[^，。！？,.!?]{0,4}退(?:唔到|不了|不回)"],
    "construction": [r"工程款|施工|包工程|承包工程|挂靠|分包|转包|建设工程|工程质量|总包|工程队|结算款"],
    "maritime": [r"船舶|船东|船员|海员|渔船|货轮|海运|海上|提单|码头|船长|撞船|船只|出海"],
    "foreign_related": [r"外国人|老外|外籍|涉外|国外|境外|跨国|外国|香港人|澳门人|台湾人|港人|美国|加拿大|澳洲|新加坡|越南|日本|韩国"],
    "contract": [r"合同纠纷|违约|定金|订金|合同|毁约|协议不履行"],
    "debt": [r"借(?:咗|了)?[^。！？!?]{0,12}(?:给|俾|畀)[^。！？!?]{0,20}(?:不还|唔还|冇还|没还|不肯还|唔肯还)",
             r"借钱|欠钱|借款|欠款|欠债|追债|讨债|还钱|高利贷|网贷|借了[^，。！？,.!?]{0,6}不还|赖账|走数|不认账|欠条|借条|欠[我佢他她你][^，。！？,.!?]{0,3}钱|钱(?:唔|不|冇|没)还"],
    "marriage": [r"离婚|出轨|彩礼|退婚|婚外情|分居|夫妻共同财产|抚养权|包二奶|小三"],
}

# person_group key phrases, the same kind of back-up for person_group (Legal Aid Law
# Art. 32/42 groups). Deliberately narrow: a group is only named when the text says
# so plainly. Family-violence victims are left to case_type domestic_violence, which
# already carries Art. 32 (no hardship condition).
_AGE_60_PLUS = r"(?:[6-9][0-9]|[六七八九]十[一二三四五六七八九]?)(?:几|多|来)?岁"
PERSON_GROUP_PATTERNS = {
    "hero_martyr_family": [r"烈士|英烈|因公牺牲"],
    "military": [r"军人|军属|军嫂|现役|退役|复员|转业军|部队|当兵|服役|优抚对象"],
    "disabled": [r"残疾|残障|盲人|聋哑|瘫痪|智力障碍|智障"],
    "low_income": [r"低保|特困|五保|贫困户|低收入户|困难户|救助对象"],
    "minor": [
        r"未成年|未满(?:十八|18)岁|中学生|初中生|高中生|小学生",
        r"(?:我|本人)(?:今年|才|只有|仲)?(?:1[0-7]|十[一二三四五六七]?|[一二三四五六七八九])岁",
    ],
    "elderly": [r"老人|老年|长者|阿伯|阿婆|孤寡老", r"(?:我|本人|今年|已经|都)[^，。！？,.!?]{0,3}" + _AGE_60_PLUS,
                _AGE_60_PLUS + r"[^，。！？,.!?]{0,3}(?:的|嘅)?(?:老|人|阿伯|阿婆|伯|婆)"],
    # "打工仔/打工的" alone is any employee, not a 进城务工人员 (Art. 42(3)): the screening asks.
    "migrant_worker": [r"农民工|外来务工|进城务工|务工人员|外地来打工"],
}

# Entity → the key-phrase patterns of KeyPhraseMatcher.
KEY_PHRASE_PATTERNS = {
    "case_type": CASE_TYPE_PATTERNS,
    "person_group": PERSON_GROUP_PATTERNS,
}
