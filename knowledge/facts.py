"""Legal facts from the whole conversation: what the eligibility engine can use, taken from
anything the citizen said in any turn (the first story, an answer to another question, a
later correction).

extract(texts) reads the citizen's messages in order and returns LegalFacts: person groups,
engine flags (knowledge.eligibility.FLAGS), the citizen's side in a criminal matter (accused
or victim), the economic situation and the case category. It is pure Python (regular
expressions over Simplified text), so the screening form, the verdict and the tests all
use the same reading.

Reading rules, in order of importance:
- a mention inside a negated phrase ("他不是聋哑人", "我唔系农民工", "家里不困难") does not set
  the fact; a negated group is remembered as denied, so a later turn can still confirm it;
- later turns win for single values (role, economic situation) — a correction replaces;
- the citizen's side: "被老公打", "被人骗" make the citizen the victim; "被抓", "涉嫌" make them
  (or the relative they speak for) the accused — unless the one arrested is the person who
  harmed them ("老公打我被拘留了");
- "打工的/打工仔" alone does not make someone a 进城务工人员 (Art. 42(3)): it is reported as
  `worker_unconfirmed`, and the dialogue asks.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from knowledge.text import to_simplified

# A clause is the unit of negation: "他不是聋哑人，是精神病" negates only the first half.
CLAUSE_SPLIT = re.compile(r"[，,。.!！?？;；、\n\r\t ]+")
# "是不是会判死刑" / "有没有精神病" / "系唔系" ask, they do not deny.
NEGATION_BEFORE = re.compile(r"(?:(?<![是系])不是|并不是|并非|不算|不属于|(?<!有)没有|(?<!有)没|(?<!系)唔系|(?<!係)唔係|唔喺|(?<!有)冇|"
                             r"(?<![是会能要可系])不|未|非)\s*(?:太|很|特别|算|是|系)?\s*$")
RHETORICAL = re.compile(r"^(?:不是|唔系|唔係)")
QUESTION_END = re.compile(r"(?:吗|咩|嘛|么)[啊呀吖]?$")
MAX_CHARS = 4000  # a conversation's worth of text; more is cut, never scanned whole

_FAMILY = (r"(?:老公|丈夫|老婆|妻子|前夫|前妻|男朋友|男友|女朋友|女友|儿子|女儿|仔|女|儿媳|女婿|子女|孩子们|"
           r"后父|继父|继母|后妈|爸爸|爸|妈妈|妈|父亲|母亲|老豆|老母|公公|婆婆|家人|家里人|亲戚|舅父|舅母|舅舅|"
           r"叔叔|阿叔|伯父|姑姑|姨妈|孙子|孙女|外孙|新抱|佢)")
# "佢" alone may be anyone ("佢喺街同人郁手"): patterns that need a named relative use this.
_NAMED_FAMILY = _FAMILY.replace("|佢)", ")")
_NUM_1_7 = r"(?:[1-7一二三四五六七两几])"

FLAG_PATTERNS: dict[str, list[str]] = {
    "criminal_claimant": [r"自诉|附带民事"],
    "vision_hearing_speech_disability": [
        r"聋哑|又聋又哑|聋|哑|听不见|听不到|听唔到|耳朵听不|看不见|睇唔到|失明|盲人|瞎|视力残疾|听力残疾|言语残疾|不会说话|讲唔到嘢",
    ],
    "cannot_fully_control_conduct": [
        r"精神病|精神分裂|精神障碍|精神残疾|精神有问题|智力残疾|智力障碍|智障|弱智|痴呆|脑子有问题|脑子不正常|"
        r"脑子唔正常|脑子不好使|不能完全辨认|控制不了自己",
    ],
    # 故意杀人 carries death or life imprisonment (刑法第232条): "可能被判处" holds from the charge.
    "possible_life_or_death_sentence": [r"(?:判|判处|可能|会|要)[^，。]{0,4}(?:死刑|无期)|死刑|无期徒刑|无期|故意杀人|杀人罪"],
    "death_penalty_review": [r"死刑复核|复核死刑|死刑[^。]{0,20}(?:报|送|到|上|交)(?:最高(?:人民)?法院|最高院|高院)?[^，。]{0,4}复核|"
                             r"(?:报|送|交)(?:最高(?:人民)?法院|最高院)[^，。]{0,4}(?:复核|核准)"],
    "trial_in_absentia": [r"缺席审判|缺席判决|缺席审理"],
    "compulsory_medical": [r"强制医疗"],
    "hero_martyr_rights": [r"(?:烈士|英烈)[^。]{0,40}(?:名誉|荣誉|人格|诋毁|侮辱|抹黑|造谣|污蔑|恶搞|歪曲|编段子|逃兵)|"
                           r"(?:诋毁|侮辱|抹黑|造谣|污蔑|恶搞|歪曲)[^。]{0,12}(?:烈士|英烈|英雄)"],
    "social_relief_claim": [r"申请(?:低保|最低生活保障|社会救助|特困供养|救助)|"
                            r"(?:低保|最低生活保障|救助金|特困供养)[^。]{0,10}(?:不批|没批|冇批|唔批|被拒|取消|停了|停发|不给|唔俾|不发)"],
    "good_samaritan": [r"见义勇为|救人|救落水|为了救|(?:我|我哋|我们|我老公|我老婆|我个仔|我儿子|我爸|我老豆|我哥|我弟|我细佬)[^，。]{0,3}(?:追|冲)(?:上去|过去|住)?[^，。]{0,4}(?:捉|抓|拦|揪)(?:住|到|咗)?(?:佢|个贼|小偷|贼|劫匪|他|她|个男|个女)|(?:跳|冲)(?:落|下|入|进|上|过)?(?:去|水|河|海)?[^，。]{0,4}救|制止(?:犯罪|小偷|抢劫|歹徒)|抓小偷|帮人抓贼|勇斗歹徒"],
    "retrial_acquittal": [r"再审[^。]{0,15}无罪|改判无罪|宣告无罪|冤案平反|无罪释放"],
    "no_fixed_income": [r"没有固定收入|无固定收入|没有收入|没收入|冇收入|冇人工|没有生活来源|无固定生活来源|没有经济来源|靠人养|"
                        r"(?:没有|没|冇|无)(?:别的|其他|任何|固定)?(?:收入|经济来源|生活来源)|(?:一直|从来)(?:都)?(?:没有|没|冇)(?:工作|返工|工开)|"
                        r"(?:家里|屋企|父母|家人|我哋|我们)(?:一直)?养(?:着|住|紧)(?:他|她|佢)?|靠(?:家里|屋企|父母|家人|子女|亲戚)(?:养|接济|供)"],
    "deadline_within_7_days": [
        r"(?:时效|期限|开庭|仲裁|起诉|上诉|复议|截止)[^。]{0,10}(?:快到|快过|快要过|就要过|马上|还有" + _NUM_1_7 +
        r"天|剩" + _NUM_1_7 + r"天|明天|后天|听日)",
        r"(?:还有|只剩|剩下|仅剩)" + _NUM_1_7 + r"天[^。]{0,8}(?:时效|期限|开庭|过期|到期|截止|仲裁|起诉)",
        r"(?:明天|后天|听日)[^。]{0,4}(?:开庭|就过|截止|到期)",
        r"时效快到|快过时效|时效快过",
        r"(?:还有|仲有|只剩|剩|得返)" + _NUM_1_7 + r"(?:天|日)(?:就|便)?(?:过期|到期|截止|过时效|过咗)",
        r"(?:还有|仲有|只剩|剩|得返|差)" + _NUM_1_7 + r"(?:天|日)(?:就|便)?(?:够|满|到)(?:一年|1年|时效|期限|期)",
        r"(?:下个?(?:礼拜|星期|周)|今个?(?:礼拜|星期)|这个?(?:礼拜|星期|周)|过几天|过两日|过几日|几天后|月底)[^，。]{0,3}(?:就)?"
        r"(?:过期|到期|截止|满一年|够一年|满1年|够1年|过时效|过咗期)",
    ],
    "urgent_preservation": [
        r"财产保全|先予执行|转移财产|转移资产",
        # a court's evidence preservation; at a notary office it is a notarial item (公证法第十一条)
        r"(?<!公证处)(?<!公证处做)(?<!公证处办)证据保全(?![^，。]{0,4}公证)",
        r"(?:要|准备|正在|快|想|打算|偷偷)[^，。]{0,4}(?:转移|卖掉|变卖|卖咗|过户)[^，。]{0,4}(?:财产|房子|房|钱|车|厂|设备)",
        r"(?:老板|对方|佢|他)[^，。]{0,6}(?:跑路|卷钱|要跑)",
        r"(?:要|准备|正在|快|想|打算|偷偷)[^，。]{0,6}(?:把|将)?(?:房子|房|车|财产|厂|设备|铺)[^，。]{0,4}(?:过户|转移|卖掉|变卖|转走|转名|转俾|转给|转畀|转让|卖俾|卖给|送俾)",
        # "保全证据公证" is a notarial item (公证法第十一条), not a court's preservation
        r"(?:(?:搞|申请|做|办|要|先)保全|保全(?:财产|证据|措施))(?![^，。]{0,4}公证)",
        r"(?:正在|准备|要|偷偷)卖(?:房子|房|车|厂|铺)|冻结(?:他|佢|她|对方)?(?:的)?(?:房子|房|财产|账户|存款)",
    ],
    "abuse_victim": [  # Art. 32(4): 虐待、遗弃、家庭暴力 (the citizen, or the person they speak for, is the victim)
        r"家暴|家庭暴力|虐待|遗弃|弃养",
        r"被" + _FAMILY + r"[^，。]{0,4}(?:打|赶|虐|锁|关|掐|踢|砍|烫|饿)",
        # "我个女喺惠城畀人打到骨折": a relative beaten by someone else is no abuser (the gap has no 被/畀)
        _FAMILY + r"[^，。被俾畀]{0,8}(?:扯(?:住)?我|揪(?:住)?我|扇我|巴我|揼我|捶我|(?:掐|揸)(?:住)?我|打我|打伤我|打到我|打到|打得|打咗我|动手打|掐我|踢我|打孩子|打仔|打小孩|赶我出|赶出家门|赶出来|不给我饭|唔俾饭|不给饭|锁在|关在)",
        r"被赶出家门|赶出家门|不给(?:我)?饭吃|唔俾饭食",
        # only a named relative, or a blow at the speaker
        _NAMED_FAMILY + r"[^，。]{0,8}(?:动手|郁手|推我|(?:把|将)我[^，。]{0,8}推)|"
        r"(?:佢|他|她)[^，。]{0,6}(?:对我|向我|同我)(?:动手|郁手)|告诫书|告戒书",
        # neglect and confinement are abuse whoever suffers them ("唔俾佢食饱，仲锁佢喺房")
        r"(?:唔俾|不给|冇俾|不让|唔畀)(?:佢|他|她|我|老人|外公|外婆|爷爷|奶奶)?(?:食|吃)(?:饱|饭|嘢|东西)|"
        r"(?:锁|关|困)(?:住|咗|了)?(?:佢|他|她|我|老人)(?:喺|在|入)(?:房|屋|家|厕所|间房|阁楼)",
        r"(?:将|把|被|俾|畀)(?:我|老人|父母|老豆|老母|阿爸|阿妈|爸妈|爸爸|妈妈|奶奶|爷爷|阿爷|阿嫲|婆婆|公公)[^，。]{0,3}赶出(?:家门|屋企|家|门口|门|去|嚟|来)|"
        r"赶(?:我|佢|他|她|老人|我哋|我们)出(?:屋企|家|门|去|嚟|来)",
    ],
    "food_drug_safety": [
        r"食物中毒|食品安全事故|食品中毒|吃坏|吃出(?:问题|病)|假药|劣药|药品安全|疫苗事故|问题疫苗",
        r"(?:吃了|食咗|喝了|饮咗)[^。]{0,10}(?:中毒|住院|入院|进医院|拉肚子|上吐下泻|抢救|出事|食物中毒)",
        r"(?:吃|服)[^。]{0,4}药[^。]{0,8}(?:中毒|住院|出事|副作用大|毁了|瘫)",
    ],
    "labour_relation": [  # Art. 31(5): 请求确认劳动关系
        r"确认劳动关系|证明劳动关系|确认[^，。？?]{0,14}(?:是|系|存在)劳动关系|"
        r"(?:是不是|算不算|系唔系|算唔算|有没有|有冇)[^，。？?]{0,8}劳动关系|不算(?:他们|佢哋|公司|平台)?(?:的)?员工|"
        r"不承认[^，。]{0,6}(?:劳动关系|是员工|是他们的人|我系佢哋员工|雇了我)|不认我是员工",
    ],
    "unpaid_wages": [r"(?:冇|没|未|唔|不|停)出粮|拖粮|欠粮|(?:工资|工钱|人工|薪水|薪资)[^，。]{0,6}(?:未出|冇出|没发|未发|冇发|唔发|不发|拖欠|欠|冇俾|没给|不给|未俾|唔俾|一直冇|一直没)|"
                     r"(?:拖欠|欠|拖)(?:了|咗)?[^，。]{0,16}(?:工资|工钱|人工|薪水|薪资)"],
    "pension_claim": [r"抚(?:恤|卹)(?:金|费)|遗属补助|死亡抚(?:恤|卹)"],
    "capacity_declaration": [r"(?:认定|宣告|确认)[^，。]{0,8}(?:无民事行为能力|限制民事行为能力)|无民事行为能力|限制民事行为能力|"
                             r"(?:认定|宣告|确认|证明)[^，。？?]{0,6}(?:没有|冇|无|不具备|唔具备)(?:民事)?行为能力"],
    # Not family members, yet the Anti-Domestic Violence Law applies to them (Art. 37).
    "cohabiting_partner": [r"同居|男朋友|女朋友|男友|女友|未婚夫|未婚妻|拍拖|没(?:有)?(?:结婚|领证|登记)|未(?:结婚|领证|登记)|冇(?:结婚|登记|领证)"],
    "in_custody": [r"被抓|抓了|抓走|抓进去|抓咗|拉咗|被拘留|拘留|刑拘|看守所|羁押|逮捕|批捕|关起来|关进去|被扣|"
                   r"(?:派出所|公安局|公安|警察|差人)[^，。]{0,6}(?:扣住|扣咗|扣起|扣押|扣留|关住|关咗)(?![^，。]{0,4}(?:车|货|证|手机|嘢|东西|牌|钱|驾照|身份证|三轮|摊|档))|"
                   r"(?:畀|俾)(?:派出所|公安|警察|差人)[^，。]{0,4}扣(?![^，。]{0,4}(?:车|货|证|手机|嘢|东西|牌|钱|驾照|身份证|三轮|摊|档))"],
}

# Matters that are claimed by saying they were denied ("教育局话冇抚恤金").
CLAIMED_WHEN_DENIED = frozenset({"pension_claim"})

# Flags whose two halves are often in different clauses of one message ("我爷爷是烈士，
# 有人造谣说他是逃兵"): both must occur in the message.
MESSAGE_FLAG_PAIRS: dict[str, tuple[str, str]] = {
    "hero_martyr_rights": (r"烈士|英烈", r"名誉|荣誉|人格|诋毁|侮辱|抹黑|造谣|污蔑|恶搞|歪曲|编段子|逃兵"),
    # "我老公而家喺厅度摔嘢，头先扯住我头发撞墙": the partner named, the blow in the next clause
    "abuse_victim": (r"(?:我|我的|我个)(?:老公|丈夫|老婆|妻子|前夫|前妻|男朋友|男友|女朋友|女友|老豆|爸爸|后父|继父|仔|儿子|女儿)",
                     r"扯(?:住)?我|揪(?:住)?我|扇我|巴我|揼我|捶我|踢我|(?:掐|揸)(?:住)?我|推我|打我|打到我|打得我|斩我"),
}

# "打人嗰个俾派出所行政拘留咗十日": a public-security penalty, no criminal case.
ADMINISTRATIVE_DETENTION = re.compile(r"行政拘留|治安拘留|行拘|治安处罚|罚款")
# "我老公见义勇为…刑拘咗，涉嫌防卫过当": whoever helped is now the one suspected.
SUSPECTED = re.compile(r"涉嫌|刑拘|被拘留|被抓|逮捕|批捕|被起诉|防卫过当")
# "我老公同我去饮茶，有个人推我": the blow came from someone outside the family.
STRANGER_DID_IT = re.compile(r"(?:有个人|有人|陌生人|个男人|一个男的|一个女的|路人|司机|保安|同事|邻居|客人|老板|老细|班人)"
                             r"[^，。]{0,6}(?:推|打|扯|踢|扇|揪|掐|斩)(?:住|咗|了)?我")
RELIEF_RECIPIENT = re.compile(r"(?:是|系)低保户|有低保证|领(?:着|紧)?低保|吃低保|低保户")
MARTYR_RELATIVE = re.compile(r"(?:我|我的|我哋|我们|我家)[^，。]{0,2}(?:爷爷|阿爷|阿公|外公|太公|爸爸|爸|父亲|老豆|阿爸|"
                             r"妈妈|母亲|阿妈|哥哥|老公|丈夫|儿子|女儿|叔叔|伯父)")

GROUP_PATTERNS: dict[str, list[str]] = {
    "minor": [r"未成年|未满(?:十八|18)|中学生|初中生|高中生|小学生|(?<![0-9])(?:1[0-7]|[1-9])岁|"
              r"(?<![一二三四五六七八九十百两廿卅])(?:十[一二三四五六七]?|[一二三四五六七八九两])岁"],
    "elderly": [r"今年[六七八九]十[一二三四五六七八九]?(?![万千百块元蚊])|今年[6-9][0-9](?![0-9万千百块元蚊])|(?<!要养|要供)老人(?!家?(?:要|需要)?(?:养|照顾|供|睇))|老年人|长者|阿伯|阿婆|孤寡老|(?<![0-9])[6-9][0-9](?:多)?岁|[六七八九]十(?:[一二三四五六七八九]|几|多)?岁"],
    "disabled": [r"残疾|残障|瘫痪|残疾证"],
    "low_income": [r"低保|特困|五保|救助对象|司法救助|社会救助"],
    "military": [r"军人|军属|军嫂|现役|优抚对象|优抚"],
    "hero_martyr_family": [r"烈士[^，。]{0,4}(?:家属|子女|儿子|女儿|父亲|母亲|妻子|遗属|后代|近亲属|孙)|"
                           r"(?:我|我的)[^，。]{0,3}(?:爸|爷爷|父亲|外公|哥哥|老公|丈夫|妈|母亲|儿子)[^，。]{0,3}(?:是|系)烈士"],
    "migrant_worker": [r"农民工|进城务工|外来务工|务工人员|从农村出来|乡下[^，。]{0,4}(?:出嚟|出来|上嚟|上来)[^，。]{0,4}(?:打工|做嘢|做野|揾食|搵食|做工)|农村[^。]{0,8}(?:出来|出嚟|出咗嚟)|(?:老家|屋企)[^。]{0,6}(?:农村|村里|乡下)|"
                       r"(?:我|我哋|我们|我地)(?:是|系|都系|都是)[^，。 ]{0,6}农村(?:的|嘅|人|户口)|农村户口|农业户口|"
                       r"(?:外省|外地|湖南|湖北|广西|四川|贵州|江西|河南|云南|重庆|安徽|福建|海南|陕西|甘肃|山东|山西|河北|"
                       r"东北|黑龙江|吉林|辽宁|浙江|江苏|宁夏|青海|新疆|西藏|内蒙)[^，。]{0,4}(?:嚟|来|过嚟|过来|出来|出嚟|上嚟|上来)"
                       r"[^，。]{0,6}(?:打工|务工|做工|搵食|揾食|做嘢|做野)|(?:外省|外地)(?:人|嘅|的|来的|嚟嘅)?[^，。]{0,3}(?:打工|务工)"],
}
WORKER_WORDS = re.compile(r"打工|做工|打散工|做散工|打零工|返工")
_DISABILITY_FLAG_TO_GROUP = {"vision_hearing_speech_disability": "disabled"}

ACCUSED_PATTERNS = [
    r"被抓|抓了|抓走|抓进去|抓咗|拉咗|被拘留|刑拘|刑事拘留|看守所|羁押|被逮捕|逮捕|批捕|涉嫌|犯罪嫌疑人|嫌疑人|被告人|"
    r"被起诉|被公诉|要坐牢|会坐牢|判几年|会判|取保候审|偷东西|偷了|盗窃|抢劫|贩毒|诈骗罪|被控|辩护",
    r"(?:检察院|检察官|公诉机关)[^，。]{0,6}起诉(?:了|咗)?(?:他|她|佢)|带走|捉咗|捉了|捉走|被捉|捉住|拘留(?:咗|了)|刑事立案|"
    r"俾(?:公安|警察|差人|保安)[^，。]{0,4}(?:拘留|捉|拉|带走|扣)|偷(?:咗|了)?[^，。]{0,3}(?:手机|车|钱|东西|嘢)|拉走|俾警察|俾差人|差人拉|警察拉|公安拉|被警察|被公安|"
    r"(?:判咗|被判|判了|一审判|二审判|二审维持|二审改判)(?:了|咗)?(?:[一二三四五六七八九十两几半0-9]+(?:个月|年)|刑|死刑|死缓|无期|缓刑|监禁|坐牢)|"
    # crimes that have no victim-speaker: the person named is the one accused
    r"非法行医|非法经营|危险驾驶|醉驾|酒驾被|寻衅滋事|聚众斗殴|开设赌场|组织卖淫|容留[^，。]{0,2}(?:吸毒|卖淫)|非法集资|非法吸收|"
    r"(?:话|说|对|将|把)(?:佢|他|她|我)[^，。]{0,8}立(?:咗|了)?案|(?:佢|他|她)[^，。]{0,4}被立案|"
    r"故意伤害|故意杀人|杀人|打伤(?:了|咗)?(?:人|对方|别人)|(?:把|将)(?:人|对方|别人|人家)[^，。]{0,4}(?:打伤|砍伤|捅伤|打死|撞死|撞伤|打残)|"
    r"追究(?:他|她|佢)?(?:的)?刑事责任|砍伤(?:了|咗)?(?:人|对方|别人)|捅(?:了|咗)?(?:人|对方)|"
    r"受贿|行贿|贪污|走私|开赌|赌档|帮信|洗钱|偷(?:电单车|摩托|车|手机|电缆|钱)",
    # "喺派出所畀人扣住咗", "畀派出所扣住": held by the police
    # (not "派出所扣咗我部电单车": property seized)
    r"(?:派出所|公安局|公安|警察|差人|看守所|拘留所)[^，。]{0,6}(?:扣住|扣咗|扣起|扣押|扣留|关住|关咗|关起|锁住)(?![^，。]{0,4}(?:车|货|证|手机|嘢|东西|牌|钱|驾照|身份证|三轮|摊|档))|"
    r"(?:畀|俾|被)(?:派出所|公安|警察|差人)[^，。]{0,4}(?:扣|关|捉|拉|带)(?![^，。]{0,4}(?:车|货|证|手机|嘢|东西|牌|钱|驾照|身份证|三轮|摊|档))|"
    r"偷(?:咗|了)?(?:人哋|人家|别人|同事|公司|超市|商场)?(?:的|嘅|啲)?(?:电单车|摩托车?|单车|电动车|车|手机|钱|东西|嘢|电缆)",
]
# Flags that only arise for the accused in a criminal case (Art. 25(4)(5)(6), Art. 28).
ACCUSED_FLAGS = frozenset({"possible_life_or_death_sentence", "death_penalty_review", "trial_in_absentia",
                           "compulsory_medical"})
VICTIM_PATTERNS = [
    r"被害人|受害人|受害者|自诉",
    r"(?:我|我的|我家|我哋|我们)[^，。]{0,6}(?:被|俾|畀)[^，。]{0,6}(?:打|骗|抢|偷|砍|斩|刺|伤|强奸|撞|捅|殴打|诈骗|欺负|伤害)",
    r"(?:被|俾|畀)(?:人|他|她|佢|对方|那个人|老板|贼|劫匪|同事|邻居|客人|前男友|前女友|男朋友|女朋友|男友|前夫|前妻|个男|个女人|几个人|一班人|班人|"
    r"(?:一|一个|个)(?:男的|男人|女的|陌生人|陌生男人|醉汉|醉酒佬|老师|司机)|陌生人)"
    r"[^，。]{0,6}(?:打|骗|抢|偷|砍|斩|刺|伤|捅|殴打|诈骗|强奸|非礼|猥亵)",
]
# "佢依家俾检察院告咗": prosecuted by the authorities.
_PROSECUTED = r"(?:被|俾|畀)(?:检察院|法院|公安|警察|差人)[^，。]{0,4}(?:告|起诉|抓|拉|拘|捉)"
# "老公打我被拘留了": the one arrested is the one who harmed the citizen.
OTHER_IS_ACCUSED = re.compile(r"(?:他|她|佢|对方|那个人|打人的|伤人的|撞人的|凶手|骗子|小偷|司机|" + _FAMILY[3:-1] + r")[^，。]{0,10}(?:" + _PROSECUTED + r"|被抓|被拘留|被刑拘|刑拘|拘留|被判|被起诉|抓走|抓咗|抓了|拉咗|逮捕|坐牢)")
_HARMDOER = (r"(?:打人的|打人(?:嗰|那|呢)?个|打(?:我|佢|她|他)(?:嗰|那)个|斩人(?:嗰|那)?个|伤人的|撞人的|捅人的|凶手|骗子|小偷|贼|劫匪|肇事司机|司机|对方|那个人|嫌疑人|"
             r"个男(?:嘅|的)?|那个男的|嗰个男|个女(?:嘅|的)|男方|前男友|前女友|前夫|前妻|嗰个人|个衰人|个贼)")
HARMDOER_ACCUSED = re.compile(_HARMDOER + r"[^，。]{0,10}(?:" + _PROSECUTED + r"|被抓|被拘留|被刑拘|刑拘|拘留|被判|被起诉|起诉咗|抓走|抓咗|抓了|拉咗|逮捕|坐牢|捉返|捉咗)")
# Harm done to the speaker ("我上年喺中山俾个醉酒佬打"); "被人骗" is left out: a relative tricked
# into an offence is the accused.
SELF_VICTIM = re.compile(r"(?:我|我哋|我们)(?:被|俾|畀)|(?:我|我哋|我们)[^，。]{0,6}(?:被|俾|畀)[^，。]{0,6}(?:打|砍|伤|捅|殴打|强奸)")
THIRD_PERSON_ACCUSED = re.compile(r"(?:起诉|抓|拘留|判|告)(?:了|咗)?(?:他|她|佢|对方|个男|那个人)|"
                                  r"(?:他|她|佢|对方|个男(?:嘅|的)?|那个人)[^，。]{0,6}(?:被抓|被拘留|被刑拘|刑拘|被起诉|被判|抓咗|拉咗|坐牢|开庭)")
RELATIVE_HARMED = re.compile(r"(?:我|我的|我哋|我们)(?:个)?" + _NAMED_FAMILY + r"[^，。]{0,12}(?:被|俾|畀)[^，。]{0,12}"
                             r"(?:打|砍|斩|伤|捅|殴打|强奸|猥亵|非礼|性侵|拐|绑架|抢)")
SELF_ACCUSED = re.compile(r"(?<![打骂砍踢掐伤骗])我[^，。]{0,4}(?:被抓|被拘留|被刑拘|涉嫌|被起诉|要坐牢|是被告)")
EXPLICIT_ROLE = {
    "accused": re.compile(r"(?:我|他|她|佢)(?:是|系)(?:犯罪)?(?:嫌疑人|被告人|被告)"),
    "victim": re.compile(r"(?:我|他|她|佢)(?:是|系)(?:受害人|被害人|受害者|受害一方)"),
}

CRIMINAL_WORDS = re.compile(r"刑事|自诉|被抓|抓了|抓走|捉咗|判刑|坐牢|派出所|公安|检察院|看守所|刑拘|拘留|逮捕|罪")

# The economic situation, said of the citizen's own household ("公司没钱" is not about them).
_SELF = r"(?:我|我们|我哋|我家|家里|家庭|屋企|我屋企|经济|收入|条件|生活|家境|本人)"
NOT_HARDSHIP = re.compile(
    _SELF + r"[^，。]{0,4}(?:还可以|还行|过得去|不错|挺好|稳定|唔错|ok|OK)|"
    r"不困难|不算困难|不算太困难|唔算困难|唔困难|冇困难|不是很困难|不太困难|不穷|唔穷|"
    r"请得起律师|有积蓄|有存款|不差钱|小康|(?<![没冇無无])有钱")
HARDSHIP = re.compile(
    r"经济困难|困难户|生活困难|揭不开锅|收入很低|收入好低|低收入|负债累累|欠了一身债|"
    r"请不起|请唔起|付不起|俾唔起|交不起|(?:没钱|冇钱|无钱|没有钱|冇乜钱)(?:请|找|搵|聘)律师|" + _SELF + r"[^，。]{0,4}(?:困难|穷|没(?:有)?钱|冇钱|无钱|没什么钱|冇乜钱|紧张)|"
    r"^(?:没钱|冇钱|很穷|好穷|困难)|"
    r"(?:存款|积蓄|储蓄)[^，。]{0,4}(?:快)?(?:用完|花光|用光|冇晒|没了|见底)|(?:家里|屋企)?(?:已经)?花光了钱|钱都花光")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be read
    return to_simplified(text)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_SPLIT.split(text) if c]


def _hits(patterns: Iterable[str], clause: str) -> list[bool]:
    """For each match of any pattern in the clause: is it negated?"""
    found = []
    for pattern in patterns:
        for m in _compiled(pattern).finditer(clause):
            negation = NEGATION_BEFORE.search(clause[max(0, m.start() - 4):m.start()])
            # "那不是下个礼拜就过期了吗" affirms: a rhetorical question, not a denial
            rhetorical = negation and RHETORICAL.search(negation.group()) and QUESTION_END.search(clause)
            found.append(bool(negation) and not rhetorical)
    return found


def _said(patterns: Iterable[str], clause: str) -> str | None:
    """'yes' when some mention is not negated, 'no' when every mention is negated, else None."""
    hits = _hits(patterns, clause)
    if not hits:
        return None
    return "yes" if not all(hits) else "no"


@dataclass
class LegalFacts:
    person_groups: list[str] = field(default_factory=list)
    denied_groups: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    role: str | None = None
    economic_status: str | None = None
    case_category: str | None = None
    worker_unconfirmed: bool = False  # "打工的" without anything that makes it 进城务工
    offender_charged: bool = False  # the victim's harm-doer is detained or prosecuted

    def merge_into(self, groups: Iterable[str], flags: Iterable[str]) -> tuple[list[str], list[str]]:
        """Slot values updated with these facts: groups denied here are removed."""
        merged_groups = [g for g in dict.fromkeys(list(groups) + self.person_groups) if g not in self.denied_groups]
        merged_flags = list(dict.fromkeys(list(flags) + sorted(self.flags)))
        return merged_groups, merged_flags


def economic_status_of(clause: str) -> str | None:
    """hardship / not_hardship for one clause; negated hardship ("不算太困难") is not_hardship."""
    if NOT_HARDSHIP.search(clause):
        return "not_hardship"
    m = HARDSHIP.search(clause)
    if m is None:
        return None
    negated = NEGATION_BEFORE.search(clause[max(0, m.start() - 4):m.start()]) or re.search(
        r"(?:不|唔|没|冇)(?:太|很|算|系|是)?(?:困难|穷)", m.group())
    return "not_hardship" if negated else "hardship"


def _role_of(text: str, flags: set[str]) -> str | None:
    for role, pattern in EXPLICIT_ROLE.items():
        if pattern.search(text):
            return role
    clauses = _clauses(text)
    accused = any(_said(ACCUSED_PATTERNS, c) == "yes" for c in clauses)
    victim = any(_said(VICTIM_PATTERNS, c) == "yes" for c in clauses) or "abuse_victim" in flags
    if accused and victim:
        if SELF_ACCUSED.search(text):
            return "accused"
        if "abuse_victim" in flags or HARMDOER_ACCUSED.search(text) or RELATIVE_HARMED.search(text):
            return "victim"  # "我女儿被一个男的猥亵…人已经抓了": the relative harmed, not the one arrested
        # "他被刑拘了" next to "我被打": the speaker is the victim of the one arrested. Next to
        # "他被人骗去卖银行卡" it is the relative who was tricked into the offence: the accused.
        return "victim" if OTHER_IS_ACCUSED.search(text) and SELF_VICTIM.search(text) else "accused"
    if accused:
        return "victim" if OTHER_IS_ACCUSED.search(text) and "abuse_victim" in flags else "accused"
    if victim:
        return "victim"
    return None


def extract_one(text: str, facts: LegalFacts | None = None) -> LegalFacts:
    """Add what one message says to `facts` (a new LegalFacts when None)."""
    facts = facts or LegalFacts()
    if not isinstance(text, str) or not text.strip():
        return facts
    text = _normalise(text[:MAX_CHARS])
    clauses = _clauses(text)
    said_flags: set[str] = set()
    for flag, patterns in FLAG_PATTERNS.items():
        if any(_said(patterns, c) in (("yes", "no") if flag in CLAIMED_WHEN_DENIED else ("yes",)) for c in clauses):
            said_flags.add(flag)
    for flag, (first, second) in MESSAGE_FLAG_PAIRS.items():
        if re.search(first, text) and re.search(second, text) and not (
                flag == "abuse_victim" and STRANGER_DID_IT.search(text)):
            said_flags.add(flag)
    # "我阿爷系烈士，有人造谣…": the citizen speaks as the martyr's relative (Art. 32(1)).
    if "hero_martyr_rights" in said_flags and MARTYR_RELATIVE.search(text):
        if "hero_martyr_family" not in facts.person_groups:
            facts.person_groups.append("hero_martyr_family")
    if "death_penalty_review" in said_flags:
        said_flags.discard("possible_life_or_death_sentence")  # already sentenced: Art. 25(5), not (4)
    if "abuse_victim" in said_flags and "in_custody" in said_flags and not SELF_ACCUSED.search(text):
        said_flags.discard("in_custody")  # the abuser was detained, not the citizen
    facts.flags |= said_flags
    for flag, group in _DISABILITY_FLAG_TO_GROUP.items():
        if flag in said_flags and group not in facts.person_groups:
            facts.person_groups.append(group)
    for group, patterns in GROUP_PATTERNS.items():
        answers = [_said(patterns, c) for c in clauses]
        if "yes" in answers:
            facts.denied_groups.discard(group)
            if group not in facts.person_groups:
                facts.person_groups.append(group)
        elif "no" in answers:
            facts.denied_groups.add(group)
            facts.person_groups = [g for g in facts.person_groups if g != group]
    # "申请低保被拒": an applicant for social relief is not (yet) a recipient (Art. 42(2)).
    if "social_relief_claim" in said_flags and not RELIEF_RECIPIENT.search(text):
        facts.denied_groups.add("low_income")
        facts.person_groups = [g for g in facts.person_groups if g != "low_income"]
    if WORKER_WORDS.search(text) and "migrant_worker" not in facts.person_groups \
            and "migrant_worker" not in facts.denied_groups:
        facts.worker_unconfirmed = True
    if "migrant_worker" in facts.person_groups or "migrant_worker" in facts.denied_groups:
        facts.worker_unconfirmed = False
    role = _role_of(text, said_flags)
    # "检察院已经起诉咗佢" after "我个女俾前男友斩咗几刀": the one prosecuted is the offender.
    if role == "accused" and facts.role == "victim" and not SELF_ACCUSED.search(text) \
            and THIRD_PERSON_ACCUSED.search(text):
        role = "victim"
    if role is None and said_flags & ACCUSED_FLAGS:
        role = "accused"
    if "criminal_claimant" in said_flags and role != "accused":
        role = "victim"  # a private prosecutor or incidental civil plaintiff (Art. 29)
        facts.case_category = "criminal"
    if role == "accused" and "good_samaritan" in said_flags and not SELF_ACCUSED.search(text) \
            and "in_custody" not in said_flags and not SUSPECTED.search(text):
        role = "victim"  # "我追上去捉住个贼，俾佢割伤": the one caught is the offender (Art. 32(2))
    if role == "accused" and "good_samaritan" in said_flags:
        # "见义勇为打伤咗个贼，而家刑拘咗": the defence is the matter (Art. 24/25), not a civil
        # claim for the deed (Art. 32(2))
        said_flags.discard("good_samaritan")
        facts.flags.discard("good_samaritan")
    if role:
        facts.role = role
    if facts.role == "victim" and (HARMDOER_ACCUSED.search(text) or OTHER_IS_ACCUSED.search(text)) \
            and not ADMINISTRATIVE_DETENTION.search(text):
        facts.offender_charged = True
    if role == "accused" or (role == "victim" and CRIMINAL_WORDS.search(text)):
        facts.case_category = "criminal"
    for clause in clauses:
        status = economic_status_of(clause)
        if status:
            facts.economic_status = status
    return facts


def extract(texts: Iterable[str]) -> LegalFacts:
    """Facts from the citizen's messages, oldest first."""
    facts = LegalFacts()
    for text in texts:
        extract_one(text, facts)
    return facts
