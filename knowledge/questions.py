"""Which part of a service a citizen asks about (the facet), and which service a message names.

Pure functions over the text (Traditional and full-width input is normalised first), used by
the NLU facet extractor (bot/nlu/entities.py) and by the actions when no entity came through.
Facet codes are those of knowledge/seed/facets.yml and tests/conversations/FORMAT.md.
"""
from __future__ import annotations

import re

from knowledge.text import to_simplified

# How long something stays valid ("保护令能管多久"): its effect, not how fast it is decided.
# "仲有3日就过期" states a deadline; only a question about expiry is one ("过期了怎么办").
VALIDITY = re.compile(r"有效期|管多久|管几耐|管几长时间|(?:过期|失效)(?:了|咗)?(?:怎么办|点算|点办|咋办|吗|未|没有|呢|之后|以后)|"
                      r"(?:会不会|会唔会|几时|什么时候|咩时候)(?:过期|失效)|"
                      # "保护令到期之后可唔可以延长": its validity, not how fast it is decided
                      r"(?:有效期|保护令|到期|期满)[^。？?]{0,10}(?:延长|续期|再申请)|延长(?:有效期|保护令)")

AFTER_FIRST = re.compile(r"接下来|下一步|然后呢|以后呢|之后呢|流程")
AFTER_BEFORE = ("materials", "time_limit", "where", "fee")  # what "接下来" outranks
INTERRUPTION = re.compile(r"(?:要过|追过|催过|讨过|问过|搵过|找过|主张过|申请过|投诉过)[^。？?]{0,16}(?:算不算|算唔算|有冇用|有没有用|算数|作数|有用)")
# A deadline to bring a claim ("仲裁只有一年") makes "过期" the limitation period; something issued
# ("保护令/公证书/协议") makes it validity.
LIMITATION = re.compile(r"时效|一年|1年|仲裁|起诉|告佢|告他|上诉")
ISSUED_THING = re.compile(r"有效期|保护令|公证书|协议|调解书|裁定|证书|决定书")

VALUATION = re.compile(r"值(几多|多少|几)钱|估价|估值")
CAN_IT_BE_DONE = re.compile(r"(可以|能)办(吗|嘛|不)|可唔可以办|办得到(吗|唔)|办得了吗|办唔办得|(?<![仲还])得唔得[？?。！!\s]*$")
# "呢份协议可唔可以拎去公证": whether the matter can be notarized at all (公证法第十一条).
NOTARIZABLE = re.compile(r"(可唔可以|可以|能不能|能否|可不可以|能唔能|得唔得)(拎去|拿去|去|来|做|办)?(做)?公证|(能|可以)(做|办)?公证(吗|嘛|不)|"
                         # "张出世纸要拎去澳洲用，系咪要去做公证": whether it needs notarizing at all
                         r"(系咪|系唔系|是不是|要不要|使唔使|需不需要|需唔需要|使不使)(要)?(去)?(做|办)(个)?公证")

# "其他兄弟唔同意" before a notarization: 当事人之间对公证事项有争议 (公证法第三十一条第四项)
# is a reason it is not done, not an objection to a certificate already issued.
PARTIES_DISAGREE = re.compile(r"(兄弟|姐妹|家人|家里人|屋企人|亲戚|其他人|佢哋|他们|她们|对方|有人|有一个|个个)[^。？?]{0,6}"
                              r"(唔同意|不同意|反对|倾唔拢|谈不拢|倾不拢|唔肯签|不肯签|有意见|唔认)|意见(唔|不)一致|(有|存在)争议")

# Checked in this order; a message may ask several (all are returned, in this order).
# remedy before refusal ("不服不予援助的决定"), effect before refusal ("他不照做怎么办").
FACET_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("proxy", re.compile(
        r"代办|代为申请|代他|代她|代我|代佢|帮埋(?:佢|他|她)|替我|替他|替她|替佢|代替|让.{1,6}(替|帮|代).{0,4}去|委托(别人|他人|家人|亲戚|朋友|律师)|"
        r"(家里人|家人|屋企人|亲戚|亲属|近亲属|子女|儿子|女儿|老婆|老公|我(?!去))(可以|能|能不能|可唔可以|可不可以|帮|去|替)(?!怎么办|怎样办|咋办|点办|点算|如何办)(?!.{0,3}怎么办).{0,8}(办|申请|去|签)|"
        r"(?<!偏)帮(他|她|佢|我|我爸|我妈|老人)(去)?.{0,6}(办|申请|签|交|递)|帮忙申请|(妇联|妇女联合会|居委|村委|公安|警察|派出所|社工)[^，。？?]{0,6}(帮|代|替)[^，。？?]{0,4}申请|(喺|在)(入面|里面|里头|看守所|监狱|拘留所)[^，。？?]{0,8}(申请|写)|委托人|(搵|找|请)人(帮|代)|帮(他|她|佢)去|本人(亲自|一定|必须|要|不去|去不了|来不了)|"
        r"(一定|必须|是不是|系咪|要不要)(要)?本人(去|到场|亲自|来)|(本人|他|她|佢)(来不了|去不了|出不来|走不了|返唔到|回不来|返唔嚟|嚟唔到)")),
    # "有客投诉我哋" is a third party complaining about the citizen, not an objection.
    ("remedy", re.compile(
        r"不服|异议|偏帮|偏袒|偏心|帮住(?:佢|他|她|对方)|帮(?:对方|佢|他)(?:讲|说)(?:嘢|话)|"
        r"(?:调解员|调解委员|仲裁员|公证员|鉴定人)[^。？?]{0,12}(?:亲戚|表叔|表哥|表姐|熟人|老乡|朋友)|(?<!觉得)不公平|唔公平|(唔肯|不肯|拒绝|不予)(撤销|更正|改正|纠正)|(?<!被)(?<!客)(?<!有人)(?<!人哋)(?<!别人)(?<!邻居)(?<!户)(?<!客人)投诉|复查|申诉|上诉|不满意|唔服|(不同意|不认可|不接受).{0,6}(决定|结果|结论|鉴定|公证)|"
        r"(驳回|不批|没批|冇批|不给批|不予|拒绝|唔批).{0,12}(怎么办|点算|点办|咋办|可以|能不能|还能|有什么办法)|"
        # "话我唔算经济困难，唔批，咁啱唔啱": is the refusal right
        r"(驳回|不批|没批|冇批|不予|唔批|终止)[^。？?]{0,10}(啱唔啱|啱不啱|对不对|对唔对|合理|合唔合理|有冇道理|有没有道理|公唔公平|公不公平)|"
        r"(公证书|公证)[^。]{0,12}(有问题|有错|错了|写错|唔啱|不对|有误)|不予(法律)?援助|终止(法律)?援助|(法援|援助)[^。]{0,10}终止|(不给|唔俾|唔帮|不帮)(我)?(法律)?援助|(如果|要是).{0,8}维持|推翻|撤销(这份|那份|个|份)?公证|(公证书|公证)[^。]{0,6}(作废|无效)|"
        # a refusal reported, not asked about: "法援中心话唔批", "呢个终止决定我唔认". Not 终止 or
        # 不予 alone: "公司已经终止劳动合同" reports no decision on an application.
        r"(话|说|通知|决定|已经|结果|最后)[^。？?]{0,8}(唔批|不批|冇批|没批|驳回)|(法援|法律援助|援助中心)[^。？?]{0,8}((?<!给)不给|(?<!俾)唔俾|(?<!帮)唔帮|(?<!帮)不帮)|(决定|结果|结论)[^。？?]{0,8}(唔认|不认|唔接受|不接受)|"
        # Art. 43: a refusal must be in writing with reasons
        r"(电话|口头|口讲|讲两句)[^。？?]{0,4}(通知|话|说|讲)[^。？?]{0,8}(唔批|不批|不予|不行|唔得|拒绝)|(冇|没|无|唔)(俾|给|畀)[^。？?]{0,4}(纸|文件|书面|通知书|决定书|理由)|"
        r"(冇|没|无)(有)?[^。？?]{0,2}(书面通知|书面决定|通知书|决定书)|"
        # "公证书错咗，要唔要重新交钱做过"; not "视为撤回…重新申请", which is a new application
        r"重新(交钱|再)?(办|做)(过|一次|一遍)?")),
    ("effect", re.compile(
        r"有效|有用|(?<!觉得)(?<!认为)冇用|没用吗|效力|算数|算不算数|约束力|管用|不照做|唔照做|不履行|反悔|不认账|不认数|"
        r"赖账|强制执行|执行|法律保护|靠得住|作数|点用|怎么用|有什么用|有咩用|有乜用|(?:会|要)有(?:咩|什么|乜|乜嘢)(?:后果|处罚|责任)|会点罚|会唔会(?:被)?(?:罚|拘留|坐牢)|"
        r"(?:到而家|到现在|至今|仲系|还是|依然)[^。？?]{0,6}(?:唔还|不还|唔俾|不给|冇俾|没给|不履行|唔履行|唔照做|不照做|冇退|没退|不退|唔退|冇还|没还|冇赔|没赔)|"
        r"反口|(?:佢|他|她|对方)[^。？?]{0,4}(?:唔认|不认)(?:数|账)?|(?:唔理|不理|无视)[^，。？?]{0,4}(?:照样|照旧|继续|仲)|" + VALIDITY.pattern + "|"
        r"(违反|违背|不遵守|唔遵守|不理|唔理|无视)[^。，？?]{0,6}(保护令|协议|调解书|裁定|公证书)|"
        r"保护令[^。？?]{0,12}(唔理|不理|无视|照样|照旧|照去|继续)|"
        # "佢再嚟我打110，警察会唔会理": who enforces it
        r"(警察|公安|派出所|110)[^。？?]{0,4}(会唔会|会不会|管唔管|管不管|理唔理|理不理|会理|会管|肯唔肯|肯不肯)(理|管|嚟|来|出警)?|"
        # "法院俾咗保护令我…但系佢琴日又走嚟公司门口等我": the order broken
        r"保护令[^。？?]{0,40}(但|可是|不过|点知)[^。？?]{0,20}(又|仍然|照样|照旧|继续)|"
        r"(到时|以后|之后|如果|万一|确认了|确认咗|签了|签咗)[^。]{0,10}(唔还|不还|不给|唔俾|不照做|唔照做|赖)|"
        # "那他们就是拖着不给钱呢", "让法院逼他们给钱": getting what an award or agreement says
        r"拖着[^。？?]{0,2}(不给|唔俾|不还|唔还|不付|不履行)|(逼|迫|强制|叫法院)(他们|佢哋|他|佢|她|公司|老板|老细)?[^。？?]{0,2}(给钱|俾钱|还钱|付钱|履行)")),
    ("refusal", re.compile(
        # "究竟要点先会批": what it takes to be granted (the conditions, e.g. 反家庭暴力法第二十七条)
        r"(?:要|需要)?(?:点|点样|怎样|怎么样|怎么|什么条件|咩条件|乜条件)(?:先|才|至)(?:会|可以|能|肯)?(?:批|批准|通过|签发|发出|作出)|"
        r"不配合|(对方|他|她|佢|人家)(不来|唔来)|(唔想|不想|唔愿|不愿)(再)?调(解)?|不调了|唔调喇|"
        # "法院说协议内容写的不明确不给确认": why the court does not confirm (SPC rules Art. 7)
        r"不(给|予|肯)确认|唔(俾|肯)确认|确认不了|冇确认到|"
        r"(老细|老板|公司|单位|被申请人|佢哋|他们)[^。？?]{0,2}(唔嚟|不来|冇嚟|没来|不到|唔到)[^。？?]{0,2}(开庭|出庭|到庭)?|"
        r"(唔嚟|不来|不到|缺席)(开庭|出庭|到庭)|(唔会|不会|不肯|唔肯|死都唔)(嚟|来|参加|出面)|强制(他|佢|她|对方)?(嚟|来|参加|出面)|会(不会)?受理|会唔会唔批|会不会不批|(?<!知)(?<!知道)(?<!晓得)(?<!有冇)批唔批|(?<!知)(?<!知道)(?<!晓得)批不批|会不会批|会唔会批|受不受理|会唔会受理|受唔受理|肯不肯受理|不肯|唔肯|拒绝|不愿意|唔愿意|不给办|不予|不受理|办不了|不能办|唔可以办|"
        r"(什么|哪些|乜).{0,4}(情况|时候).{0,6}(不|唔)(给|办|受理)|不参加|不出面|"
        r"(能|可以|会|肯)(给|帮|同|俾)我(们)?办(吗|嘛|唔)|能不能(给我)?办|办唔办到|办不办得了|"
        # whether the court will confirm an agreement (SPC-JC-7 lists when it does not)
        r"(会唔会|会不会|肯不肯|肯唔肯|会否|一定会)(帮我们?|帮我哋|同我哋|给我们?)?确认|(可唔可以|可不可以|能不能|能唔能)[^，。？?]{0,6}(法院|司法)[^，。？?]{0,2}确认")),
    # Legal aid already granted: when it ends (法律援助法第四十八条: income no longer qualifies, a
    # lawyer of one's own) — "我转咗份新工人工高咗，会唔会俾人取消法援", "自己另外请律师，个法援律师会点"
    ("refusal", re.compile(r"(取消|收回|撤销|停止|冇咗|没了)[^。？?]{0,3}(法援|法律援助|援助)|"
                           r"(法援|法律援助|援助)[^。？?]{0,4}(会唔会|会不会|会)?(被|俾人|畀人)?(取消|收回|停)|"
                           r"(自己|另外)[^。？?]{0,2}(请|搵|找|委托)[^。？?]{0,3}律师[^。？?]{0,12}(法援|援助)|"
                           r"(法援|援助)[^。？?]{0,12}(自己|另外)[^。？?]{0,2}(请|搵|找|委托)[^。？?]{0,3}律师")),
    # a valuation is not a fee question but a refusal (公证法第三十一条第三项: 评估事项)
    ("refusal", re.compile(r"值(几多|多少|几)钱|估价|估值|评估(?!费)|(证明|公证)[^。？?]{0,12}(价值|市值)")),
    ("fee", re.compile(
        r"要钱|要不要钱|使唔使钱|收费|收钱|收唔收|费用|多少钱|几多钱|几钱|免费|花钱|(?<![不唔冇没])出钱|交钱|贵不贵|贵唔贵|"
        r"(?:要|使唔使|使|需要|用不用|要不要|要唔要|先|收)(?:我|我哋|我们)?(?:给钱|俾钱|畀钱)|律师费|诉讼费|收不收|减免|免收|减收|可以免|能不能免|能唔能免|便宜(?:啲|点|些)|负担不起|付不起|出不起|俾唔起")),
    ("time_limit", re.compile(
        r"多久|多长时间|几长时间|几天|几日|几耐|几时|什么时候|乜嘢时候|咩时候|多少天|期限|时效|时限|多快|"
        r"最快|要等|几个月|当天|几多日|几多天|几多个工作日|几个工作日|几个钟|几点|什么时间|乜嘢时间|时间内|几日内|时间限制|"
        r"(?:会不会|会唔会|系咪|是不是)(?:已经)?(?:过了|过咗|过期)|过(?:咗|了)(?:时间|期限|时效)|再拖|(?:会唔会|会不会|可能|可以)(?:再)?(?:拖|延长)|拖(?:几耐|多久|好耐)|来得及|来唔来得切|来得切|赶得上|赶唔赶得切|"
        # "两个月前签咗协议…而家仲得唔得": is it still possible after that long
        r"(?:个月|年|天|日|周|星期|礼拜)(?:前|之前|以前|了|咗)[^？?]{0,30}(?:还|仲)(?:得唔得|得不得|可以吗|可唔可以|可不可以|行不行|行吗|能不能|能吗)|"
        # "辞职半年，而家仲告唔告得": whether it is still in time
        r"(?:还|仲)(?:能不能|可不可以|可唔可以|能|可以)?(?:去|申请)?(?:劳动)?(?:告|起诉|仲裁|追讨|讨)(?:唔|不)?(?:告|起诉|追|讨)?(?:得|了|吗)")),
    ("materials", re.compile(
        # "点先算经济困难", "系咪一定要返乡下开证明": the hardship standard and how it is shown
        r"开(?:个|张|份)?(?:困难|收入|贫困|低保)?证明|(?:困难|收入|贫困)证明|(?:点|怎样|怎么|咩|什么|乜嘢?|几多|多少)(?:先|才)?(?:算|叫|属于|系)(?:系)?(?:经济)?困难|"
        r"经济困难(?:的|嘅)?(?:标准|点计|点算|怎么算|怎么认定|系点|是什么)|材料|带什么|带啲乜|带乜|带咩|证件|资料|准备什么|准备啲乜|准备乜|准备咩|要什么东西|需要什么证明|"
        r"要啲乜|要乜嘢|要咩嘢|带啲咩|准备啲咩|证明材料|申请书|唔识写|不会写字|没读过(?:几年)?书|冇读过(?:几年)?书|写(?:些|啲)?(?:什么|乜|咩|乜嘢)|"
        r"(?:当|作|做|算)(?:为)?证据(?!保全)|(?:够唔够|够不够|有冇|有没有)证据|证据(?:够|足)|(带|要|需要|准备|交|提供)(哪些|什么|啲乜|咩|乜嘢|乜)(证明|材料|证件|资料|东西|嘢)|写不了|写唔到|唔识字|不识字|(带|要|需要|准备|使唔使).{0,3}(身份证|户口本)")),
    ("where", re.compile(
        r"在哪|去哪|哪里办|哪里申请|边度|喺边|去边|什么地方|乜地方|哪个部门|哪个单位|地址|网上|线上|在线|"
        r"回老家|回去办|要回|返乡下|返屋企(?:办|做|申请)|异地|本地|就近|哪个法院|哪家|"
        r"(去|在|喺|返|回|到)(?![了咗过])[^，。？?\s]{1,8}办|(在|喺|去|到)(?![了咗过])[^，。？?\s]{1,8}(申请|办理)(?![咗了过])|(返|回)[^，。？?\s]{1,6}(做|申请)|(一定|必须|是不是|系咪|要不要|使唔使)(要)?(返|回|去)[^，。？?\s]{1,6}|向(谁|边个|哪里|哪个)")),
    ("after", re.compile(
        # "等你哋审批实过咗期啦": the deadline passing while the application is decided (先行提供)
        r"(等|审批|审核|批落来|批下来|批准)[^。？?]{0,10}(过咗期|过期|过了期|来不及|赶不及|嚟唔切|来唔切|超过时效|过时效)|"
        r"(申请|办|批|交|提交|签|受理)[^，。？?\s]{0,4}(之后|以后)|(之后|以后)(呢|点|怎么|会|要|做什么|做咩)|然后呢|然后点|接下来|下一步|以后会|批了|靠不靠谱|靠唔靠谱|靠谱|有没有经验|有冇经验|"
        r"律师怎么样|流程|程序是|点样办|怎么办理|会怎样|会点|(什么|甚么|乜嘢|咩|哪种|怎样)(样)?的?律师|"
        r"律师.{0,4}(靠谱|经验|水平|专业|资历)|新手|冇经验|没经验|刚拿证|刚执业|实习律师")),
    ("who", re.compile(r"谁可以|什么人可以|哪些人可以|边个可以|乜人可以|谁能申请|谁来申请|"
                       # "我们十几个人要一个一个去吗": many workers with one claim (推举代表)
                       r"(几个|十几个|几十个|[0-9]+个)人[^。？?]{0,8}(一个一个|逐个|每个人|一起|一齐|都要)")),
]

EFFECT = dict(FACET_PATTERNS)["effect"]
LITIGATE_FIRST = re.compile(r"(一定|必须|系咪|是不是|要唔要|要不要|使唔使|需唔需要|只能)(要)?(先)?(去)?(法院)?(起诉|打官司|告佢|告他|上法院)(先|才)")
CERTIFICATE = re.compile(r"开(?:个|张|份)?(?:困难|收入|贫困|低保)?证明")
NAMES_A_PLACE = re.compile(r"边度|哪里|在哪|去哪|边间|哪个")

# Legal aid already granted ("已经批咗法律援助…会唔会俾人取消"): its termination (Art. 48) is asked.
ALREADY_AIDED = re.compile(r"(批咗|批了|批准了|给了|俾咗|获得了|拿到了?)(我)?(法律援助|法援)|受援人|法援律师|"
                           r"(法律援助|法援)[^。？?]{0,8}(派|指派)(咗|了)(个|一个|位)?律师")
# "呢个律师成个月都唔覆我信息" about the lawyer legal aid assigned: a complaint (Art. 55).
AIDED_LAWYER_COMPLAINT = re.compile(r"(唔|不|冇|没)(覆|回|理|睬|联系|见|接)|敷衍|(唔|不)负责|收(咗|了)?(我)?(钱|红包|利是)|"
                                    r"(换|更换)(个|过|一个)?律师|(唔|不)满意|(唔|不)(上心|用心)|拖(住|着)")

# Which service a message names, most specific first ("调解协议司法确认" is not plain mediation).
TOPIC_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("judicial_confirmation", re.compile(r"司法确认|确认(调解)?协议|调解协议.{0,8}(法院|确认)|法院[^。？?，]{0,4}确认|调解协议[^。？?]{0,20}(不予确认|驳回)|去?法院(那边|嗰边|那里)?确认|确认(了|咗)")),
    ("protection_order", re.compile(r"保护令|(叫|让|要|令|使|等)(他|佢|她)(唔好|不要|别|唔准|不准|不能|唔可以)(再)?(接近|靠近|骚扰|跟踪|嚟搵|来找)|"
                                    r"禁止(他|佢|她)?(接近|靠近|骚扰|跟踪)|"
                                    r"(唔俾|唔畀|不让|不给|别让)(他|佢|她)(们|哋)?(再)?(接近|靠近|骚扰|跟踪|嚟搵|来找)")),
    ("legal_aid", re.compile(r"法律援助|法律援[注住主]|法援|援助律师|值班律师|指派.{0,4}律师|派.{0,6}律师|国家.{0,2}派")),
    ("cross_province", re.compile(r"跨省|异地通办|通办")),
    ("notarization", re.compile(r"公证")),
    ("mediation", re.compile(r"调解")),
    ("arbitration", re.compile(r"仲裁")),
    ("administrative_reconsideration", re.compile(r"行政复议|复议")),
    ("judicial_appraisal", re.compile(r"鉴定")),
    ("legal_qualification", re.compile(r"法考|法律职业资格|司法考试")),
    ("lawyer_service", re.compile(r"律师")),
]


# The NLU pipeline sees half-width punctuation (bot.nlu.normalizer), the actions the citizen's
# own: the patterns are written with the full-width marks that end a clause.
FULL_WIDTH = str.maketrans({",": "，", "?": "？", "!": "！", ";": "；"})


def _plain(text) -> str:
    return to_simplified(text).translate(FULL_WIDTH) if isinstance(text, str) else ""


def detect_facets(text) -> list[str]:
    """Every facet the message asks about, in FACET_PATTERNS order ([] for none)."""
    plain = _plain(text)
    found = [code for code, pattern in FACET_PATTERNS if pattern.search(plain)]
    if not found and CAN_IT_BE_DONE.search(plain):
        found = ["refusal"]  # "…可以办吗" with nothing more specific: when it cannot be done
    if VALUATION.search(plain) and "fee" in found:
        found.remove("fee")  # "公证我部车值几多钱" asks for a valuation, not the price of the service
    if "where" in found and NOTARIZABLE.search(plain) and not NAMES_A_PLACE.search(plain):
        found.remove("where")  # "系咪要去做公证" asks whether, not where
    if "materials" in found and "where" in found and CERTIFICATE.search(plain):
        found.remove("where")  # "系咪一定要返乡下开证明" asks about the certificate, not the office
    if "proxy" in found and "where" in found:
        found.remove("where")  # "帮她去公证处办" asks who may go, not where
    if PARTIES_DISAGREE.search(plain) and "公证书" not in plain:
        found = ["refusal"] + [f for f in found if f not in ("refusal", "remedy")]
    if "after" in found and AFTER_FIRST.search(plain):
        # "材料交齐以后呢，接下来是什么流程" asks what comes next, not for the materials
        rest = [f for f in found if f != "after"]
        at = next((i for i, f in enumerate(rest) if f in AFTER_BEFORE), len(rest))
        found = rest[:at] + ["after"] + rest[at:]
    if INTERRUPTION.search(plain):
        # "我有发微信找HR要过补偿，这个算不算数": a claim made interrupts the limitation period
        found = ["time_limit"] + [f for f in found if f not in ("time_limit", "effect")]
    if "effect" in found and LIMITATION.search(plain) and not ISSUED_THING.search(plain) \
            and not EFFECT.search(VALIDITY.sub("", plain)):
        # "仲裁只有一年，咁下个礼拜就过期了吗" asks about the limitation period, not validity
        found = list(dict.fromkeys("time_limit" if f == "effect" else f for f in found))
    elif "time_limit" in found and VALIDITY.search(plain):
        found.remove("time_limit")  # "保护令能管多久" asks how long it is valid, not how fast it comes
    if LITIGATE_FIRST.search(plain):
        # "过咗还款期…我系咪一定要去法院起诉先追得返": whether it can be enforced without a suit
        found = ["effect"] + [f for f in found if f not in ("effect", "where", "time_limit")]
    return found


def detect_facet(text) -> str | None:
    found = detect_facets(text)
    return found[0] if found else None


# "还有什么办法" after a service's answer: what else the citizen can do there. Which facet
# answers it depends on the service (after the mediation or its confirmation: the agreement
# still binds and the court hears it; after a legal-aid or notarial decision: the objection).
OTHER_WAYS = re.compile(r"还能干嘛|还能做什么|仲可以做咩|仲可以点做|(?:还有|仲有|有冇|有没有|有无)(?:其他|别的|第二个|第二啲)?(?:什么|咩|乜嘢|乜|啲)?(?:办法|方法|途径|路)|"
                        r"(?:其他|别的|第二个)(?:办法|方法|途径)|还能怎么办|仲可以点|还可以怎么|仲可以做乜")
OTHER_WAYS_FACET = {"judicial_confirmation": "effect", "mediation": "effect", "legal_aid": "remedy",
                    "notarization": "remedy", "protection_order": "remedy"}


def other_ways_facet(text, topic: str | None) -> str | None:
    """The facet that answers "还有什么办法" about `topic`, or None."""
    return OTHER_WAYS_FACET.get(topic) if topic and OTHER_WAYS.search(_plain(text)) else None


# "律师" alone names the lawyer service only when nothing else is being discussed
# ("要几耐先有律师嚟见佢" after a legal-aid answer is about the legal-aid lawyer).
WEAK_TOPICS = ("lawyer_service",)


# "除了法援，拿工资要去哪里告" names legal aid only to set it aside.
SET_ASIDE = re.compile(r"除(?:了|咗)?(?:法律援助|法援|调解|公证|仲裁|律师|复议)(?:以外|之外)?|"
                       r"(?:法律援助|法援|调解|公证|仲裁)(?:以外|之外)")


def set_aside_topics(text) -> set[str]:
    """The services a message names only to set them aside ("除了法援" → {"legal_aid"})."""
    return {code for span in SET_ASIDE.findall(_plain(text)) for code, pattern in TOPIC_PATTERNS
            if pattern.search(span)}


# Services with a 复议 of their own: a bare "复议" there is that court's review (反家庭暴力法
# 第三十一条: 向作出裁定的法院申请复议), not administrative reconsideration.
OWN_REVIEW_TOPICS = ("protection_order",)


def detect_topic(text, current: str | None = None) -> str | None:
    """The service the message names, or None; a weak match yields to `current`."""
    plain = SET_ASIDE.sub("", _plain(text))
    for code, pattern in TOPIC_PATTERNS:
        if pattern.search(plain):
            if code == "administrative_reconsideration" and current in OWN_REVIEW_TOPICS and "行政" not in plain:
                return current
            return current if code in WEAK_TOPICS and current else code
    return None


# ---------------------------------------------------------------- repeated questions

CLAUSE_END = re.compile(r"(?<=[。；])")


# Everyday words for what the answers name formally, so a follow-up finds its clause
# ("警察会唔会理" → "公安机关…协助执行").
PLAIN_WORDS = [(re.compile(r"警察|派出所|报警|110"), "公安"),
               # "喺微信成日追老细俾钱，佢都有回话会俾": 主张权利, 同意履行 (时效中断)
               (re.compile(r"(追|催|讨)[^，。？?]{0,4}(俾钱|给钱|还钱|工资|人工|钱)"), "主张权利"),
               (re.compile(r"(回话|话|说|答应|讲)(会|要)?(俾|给|还|付)"), "同意履行"),
               # "冇签合同可以要双倍人工": 没有订立书面劳动合同…二倍的工资
               (re.compile(r"双倍|两倍"), "二倍"), (re.compile(r"人工|工钱|薪水|薪资"), "工资"),
               (re.compile(r"(冇|没|未|唔|无)(有)?签(过|订)?"), "没有订立"),
               # "居委会会唔会知道": the answers name the committees in full; "冇回音": 逾期不决定
               (re.compile(r"居委会?"), "居民委员会"), (re.compile(r"村委会?"), "村民委员会"),
               (re.compile(r"(冇|没|唔|不|未)(有)?(回音|答复|回复|消息|决定)"), "不决定")]


def _bigrams(text: str) -> set[str]:
    plain = re.sub(r"[\s，。；、？?！!：:（）()“”]", "", _plain(text))
    for pattern, formal in PLAIN_WORDS:
        plain = pattern.sub(formal, plain)
    return {plain[i:i + 2] for i in range(len(plain) - 1)}


def _clause_score(clause: str, asked: set[str]) -> int:
    """Shared words, doubled in the clause's condition ("对维持决定不服的，…" answers "如果维持呢")."""
    head, _, rest = clause.partition("，")
    if rest and head.endswith("的"):
        return 3 * len(asked & _bigrams(head)) + len(asked & _bigrams(rest))
    return len(asked & _bigrams(clause))


# Words every answer and question share: they tell no clause apart.
COMMON_BIGRAMS = {"怎么", "么办", "可以", "申请", "如果", "的话", "什么", "是不", "不是", "会怎", "怎样", "点算", "点办", "法院"}


def focus_on_question(answer: str, question, topic_name: str = "", min_score: int = 1,
                      *, whole: bool = False) -> str | None:
    """The clause of `answer` that best answers `question` ("如果司法局也说维持呢" → "对维持决定
    不服的，可以依法申请行政复议或者提起行政诉讼"), for a follow-up whose full answer was just
    given; None when no clause shares a word with it. Ties go to the later clause (the next step)."""
    clauses = [c for c in CLAUSE_END.split(answer or "") if c.strip()]
    asked = _bigrams(question) - _bigrams(topic_name) - COMMON_BIGRAMS
    if len(clauses) < (1 if whole else 2) or not asked:  # whole: a one-clause answer may be the one
        return None
    scores = [_clause_score(c, asked) for c in clauses]
    best = max(scores)
    if best < max(min_score, 1):
        return None
    return [c for c, score in zip(clauses, scores) if score == best][-1]


# ---------------------------------------------------------------- how long: to apply, or to decide

# "交咗申请 要几耐先有结果": how long the body takes to decide, not how long one has to apply.
DECISION_TIME = re.compile(r"(先有|先出|出|有|等|拿到|收到)[^，。？?]{0,2}(结果|裁决|答复|回复|决定|回音|判决|裁定)|"
                           r"(几耐|多久|几时|多长时间|几日|几天)[^，。？?]{0,4}(批|审|判|裁|答复|回复|结果|决定|处理完)|"
                           r"(批|审批|审|判|裁决|处理)[^，。？?]{0,3}(要|需要)?(几耐|多久|几时|多长时间|几日|几天)")
DECISION_SENTENCE = re.compile(r"作出|裁决|决定|结束|受理|审查|答复|指派|确认")
SENTENCE_END = re.compile(r"(?<=。)")


def focus_time_limit(answer: str, question) -> str:
    """The sentences of a time-limit answer that say how long the decision takes, when that is
    what is asked; the whole answer otherwise (or when no sentence says it)."""
    if not DECISION_TIME.search(_plain(question)):
        return answer
    sentences = [s for s in SENTENCE_END.split(answer or "") if s.strip()]
    kept = [s for s in sentences if DECISION_SENTENCE.search(s)]
    return "".join(kept) if kept and len(kept) < len(sentences) else answer


# ---------------------------------------------------------------- where the citizen lives

RESIDENCE_AFTER = re.compile(r"^[^，。？?]{0,3}(?:返工|工作|上班|打工|住|生活|定居|读书)")


def residence_city(text, cities: list[str]) -> str | None:
    """Of the cities a message names, the one the citizen lives or works in ("我喺深圳返工住咗三年，
    户口喺湛江" → 深圳市): where a notarization may be applied for (公证法第二十五条, 经常居住地)."""
    plain = _plain(text)
    for city in cities or []:
        short = city[:-1] if isinstance(city, str) and city.endswith("市") else city
        if not short:
            continue
        for match in re.finditer(re.escape(short), plain):
            if RESIDENCE_AFTER.search(plain[match.end():match.end() + 8]):
                return city
    return None


# "系咪一定要先搵调解先得": mediation is never a precondition of labour arbitration (劳动争议调解仲裁法第五条).
MEDIATION_FIRST = re.compile(r"(一定|必须|是不是|系咪|要不要|使唔使|非要)(要)?先[^，。？?]{0,4}调解|调解[^，。？?]{0,4}(先得|先可以|才能|才可以)")


def asks_if_mediation_comes_first(text) -> bool:
    return bool(MEDIATION_FIRST.search(_plain(text)))


PROPERTY_WORDS = re.compile(r"屋|房|楼|铺|物业|不动产|地")
PROPERTY_IS_IN = re.compile(r"(?<![唔不])(?:系|是|在|喺)$")
# "湛江霞山嘅屋", "佛山的房子": the city named right before the property.
PROPERTY_AFTER = re.compile(r"^[^，。？?\s]{0,6}(?:嘅|的|个|間|间|套|栋)?(?:屋|房|楼|铺|物业|不动产)")


def property_city(text, cities: list[str]) -> str | None:
    """Of the cities a message names, the one the house is in ("间屋唔系广州 系佛山禅城" →
    佛山市, "留低一间湛江霞山嘅屋，我哋喺广州住" → 湛江市): a notarization about real property
    goes there (公证法第二十五条第二款). "…嘅屋，我喺广州住" does not put the house in 广州."""
    plain = _plain(text)
    found = None
    for city in dict.fromkeys(cities or []):
        short = city[:-1] if isinstance(city, str) and city.endswith("市") else city
        if not short:
            continue
        for match in re.finditer(re.escape(short), plain):
            before = re.split(r"[，。？?！!；;]", plain[max(0, match.start() - 10):match.start()])[-1]
            after = plain[match.end():match.end() + 10]
            named_before = PROPERTY_AFTER.search(after)
            named_in = PROPERTY_IS_IN.search(before.rstrip("都 ")) and PROPERTY_WORDS.search(before)
            if named_before or named_in:
                if found is None or match.start() > found[0]:
                    found = (match.start(), city)
    return found[1] if found else None
