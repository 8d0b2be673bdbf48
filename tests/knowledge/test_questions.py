"""Which part of a service a question asks (knowledge.questions): examples written from the
facet definitions in tests/conversations/FORMAT.md, not from the blind conversation sets."""
from __future__ import annotations

import pytest

from knowledge.questions import (
    detect_facet, detect_facets, detect_topic, focus_on_question, other_ways_facet, set_aside_topics,
)


@pytest.mark.parametrize("text, facet", [
    ("办下来大概几天", "time_limit"),
    ("他违反保护令会怎么样", "effect"),
    ("保护令能管多久，过期了怎么办", "effect"),
    ("要等几耐啊", "time_limit"),
    ("收不收费的", "fee"),
    ("使唔使俾钱", "fee"),
    ("我妈腿脚不好，我替她去申请行不行", "proxy"),
    ("一定要本人到场吗", "proxy"),
    ("要带哪些材料", "materials"),
    ("需要准备身份证吗", "materials"),
    ("去边度办", "where"),
    ("可以网上申请吗", "where"),
    ("对方不肯来调解怎么办", "refusal"),
    ("对鉴定结论不服可以怎么办", "remedy"),
    ("被驳回了还能怎么办", "remedy"),
    ("签了协议他又反悔怎么办", "effect"),
    ("这个协议有法律效力吗", "effect"),
    ("申请了之后呢，下一步是什么", "after"),
    ("两个月前签咗协议，而家先去申请司法确认仲得唔得？", "time_limit"),
    ("现在去还来得及吗", "time_limit"),
    ("鉴定费有没有减免", "fee"),
    ("想去公证处开邻居的婚姻状况证明，可以办吗", "refusal"),
    ("我想公证处证明间铺值几多钱。得唔得", "refusal"),
])
def test_the_facet_asked(text, facet):
    assert detect_facet(text) == facet


@pytest.mark.parametrize("text", ["你好", "老板欠我三个月工资", "我想办公证", "", None, 42])
def test_no_facet_in_a_plain_request(text):
    assert detect_facets(text) == []


def test_a_parent_who_cannot_come_is_a_proxy_question_not_a_refusal():
    # 出不来 contains 不来: only "the other side does not come" is a refusal
    found = detect_facets("我爸住院出不来，我能替他去办吗")
    assert found[0] == "proxy" and "refusal" not in found


def test_traditional_characters_are_read_too():
    assert detect_facet("要多長時間") == "time_limit"


@pytest.mark.parametrize("text, topic", [
    ("调解协议拿去法院确认要多久", "judicial_confirmation"),
    ("申请司法确认收费吗", "judicial_confirmation"),
    ("法院对我们的调解协议作出了不予确认的决定，怎么办", "judicial_confirmation"),
    ("人身安全保护令怎么申请", "protection_order"),
    ("法援律师要收钱吗", "legal_aid"),
    ("公证书多久能拿", "notarization"),
    ("仲裁要多久", "arbitration"),
    ("这个跟别的没关系", None),
])
def test_the_service_named(text, topic):
    assert detect_topic(text) == topic


def test_how_long_an_order_lasts_is_not_how_fast_it_comes():
    assert detect_facets("保护令能管多久") == ["effect"]


def test_breaking_a_law_is_not_asking_about_an_agreements_effect():
    assert "effect" not in detect_facets("公司违反劳动法辞退我怎么办")


def test_a_lawyer_mentioned_during_another_topic_stays_in_that_topic():
    assert detect_topic("要多久才有律师来见他", current="legal_aid") == "legal_aid"
    assert detect_topic("要多久才有律师来见他") == "lawyer_service"


@pytest.mark.parametrize("text", ["我能怎么办", "我可以怎么办"])
def test_what_can_i_do_is_not_asking_for_a_proxy(text):
    assert "proxy" not in detect_facets(text)


def test_a_service_set_aside_is_not_the_topic():
    assert set_aside_topics("那除了法援，拿工资要去哪里告") == {"legal_aid"}
    assert detect_topic("那除了法援，拿工资要去哪里告") is None
    assert detect_topic("法援要去哪里申请") == "legal_aid"


def test_other_ways_depend_on_the_service():
    assert other_ways_facet("咁仲有咩办法", "judicial_confirmation") == "effect"
    assert other_ways_facet("还有别的办法吗", "legal_aid") == "remedy"
    assert other_ways_facet("咁仲有咩办法", None) is None
    assert other_ways_facet("要多久", "legal_aid") is None


OBJECTION = ("对不予或者终止法律援助的决定有异议的，可以向设立该法律援助机构的司法行政部门提出，司法行政部门自收到"
             "异议之日起5日内审查，作出维持或者责令改正的决定；对维持决定不服的，可以依法申请行政复议或者提起行政诉讼。"
             "法律援助机构或人员不依法履行职责的，受援人可以向司法行政部门投诉，并可以请求更换法律援助人员。")


def test_a_follow_up_gets_the_clause_that_answers_it():
    assert focus_on_question(OBJECTION, "如果司法局也说维持呢", "法律援助").startswith("对维持决定不服的")
    assert "投诉" in focus_on_question(OBJECTION, "法援律师不履行职责能投诉吗", "法律援助")
    # nothing but the service's own name in common: no clause stands out
    assert focus_on_question(OBJECTION, "法律援助怎么办", "法律援助") is None
    assert focus_on_question("只有一句。", "一句") is None


def test_the_city_the_house_is_in_follows_a_correction():
    from knowledge.questions import property_city
    text = "唔好意思讲错 间屋唔系广州 系佛山禅城 我哋人喺广州 可唔可以喺广州公证处办"
    assert property_city(text, ["广州市", "佛山市"]) == "佛山市"
    assert property_city("我哋屋企人都住喺广州 间屋都喺广州", ["广州市"]) == "广州市"
    assert property_city("我喺广州返工", ["广州市"]) is None


def test_the_city_the_citizen_lives_in():
    from knowledge.questions import residence_city
    text = "我喺深圳返工住咗三年 户口同屋都喺湛江 屋企喺湛江有套房想卖"
    assert residence_city(text, ["深圳市", "湛江市"]) == "深圳市"
    assert residence_city("湛江有套房", ["湛江市"]) is None


@pytest.mark.parametrize("text, facet", [
    ("我细佬喺澳洲返唔到嚟 可唔可以委托人帮佢去", "proxy"),
    ("但系佢话死都唔会嚟 调委会可唔可以强制佢嚟", "refusal"),
])
def test_more_cantonese_facets(text, facet):
    assert detect_facet(text) == facet


def test_the_city_named_before_the_house_is_where_the_house_is():
    from knowledge.questions import property_city
    text = "阿爸留低一间江门新会嘅屋，我哋而家喺深圳住"
    assert property_city(text, ["江门市", "深圳市"]) == "江门市"
    # where the family lives says nothing about the house
    assert property_city("间屋嘅事，我喺深圳住", ["深圳市"]) is None


@pytest.mark.parametrize("text, facet", [
    ("法援中心上礼拜话唔批俾我", "remedy"),            # a refusal reported: the objection (第四十九条)
    ("呢个终止援助嘅决定我唔认", "remedy"),
    ("佢哋打电话话唔批，冇俾任何纸", "remedy"),        # 第四十三条: 书面告知并说明理由
    ("我哋四姐妹，阿妹唔同意，仲可唔可以办继承公证", "refusal"),  # 公证法第三十一条第四项
    ("法院会唔会确认我哋份调解协议", "refusal"),
    ("佢唔理保护令，照样嚟屋企搵我", "effect"),
    ("保护令到期之后可唔可以延长", "effect"),           # 反家庭暴力法第三十条
    ("如果复杂会唔会再拖", "time_limit"),
])
def test_facets_in_everyday_words(text, facet):
    from knowledge.questions import detect_facets
    assert detect_facets(text)[0] == facet


def test_a_boss_refusing_pay_is_no_objection_to_a_decision():
    from knowledge.questions import detect_facets
    assert "remedy" not in detect_facets("老板话唔俾工资，我点算")
    assert "remedy" not in detect_facets("公司已经终止劳动合同，可以申请法援吗")
    assert "remedy" not in detect_facets("我哋冇有书面合同，可以申请法律援助吗")
    assert detect_facets("法援中心唔批，都冇书面通知")[0] == "remedy"
    assert "remedy" not in detect_facets("材料唔齐视为撤回，可唔可以重新申请")
    assert detect_facets("公证书写错咗名，系咪要重新交钱做过")[0] == "remedy"


def test_a_customer_complaining_about_the_citizen_is_no_objection():
    from knowledge.questions import detect_facets
    assert "remedy" not in detect_facets("我开餐厅，有客投诉我哋食物中毒，要赔几多")
    assert "remedy" not in detect_facets("被邻居投诉噪音，居委会叫我去调解")
    assert detect_facets("我想投诉法援中心唔批")[0] == "remedy"


def test_limitation_and_means_words_are_not_other_facets():
    from knowledge.questions import detect_facets
    assert detect_facets("有老乡说劳动仲裁只有一年 那不是下个礼拜就过期了吗") == ["time_limit"]
    assert detect_facets("保护令过期了吗") == ["effect"]
    assert "fee" not in detect_facets("家里实在拿不出钱了")
    assert detect_facets("申请要带哪些证明") == ["materials"]
    assert "effect" not in detect_facets("居委话可以帮我哋调解 但系我觉得冇用")


def test_asking_whether_legal_aid_helps_is_no_objection():
    from knowledge.questions import detect_facets
    assert "remedy" not in detect_facets("我退休咗每个月得一千几退休金，法援帮唔帮手？")
    assert "remedy" not in detect_facets("法律援助给不给我请律师")
    assert detect_facets("要是法律援助中心也说不给呢，我还能找谁")[0] == "remedy"


def test_how_long_to_decide_is_not_how_long_to_apply():
    from knowledge import api
    from knowledge.questions import focus_time_limit
    full = api.facet_answer("arbitration", "time_limit").text
    decided = focus_time_limit(full, "我啱啱交咗劳动仲裁申请 要几耐先有结果")
    assert "45日" in decided and "时效为1年" not in decided
    assert focus_time_limit(full, "仲裁有没有时效") == full


def test_not_paying_is_no_fee_question_and_half_width_commas_end_a_clause():
    assert "fee" not in detect_facets("那他们就是拖着不给钱呢") and "effect" in detect_facets("那他们就是拖着不给钱呢")
    assert "fee" in detect_facets("个律师要唔要我哋俾钱")
    assert "effect" in detect_facets("这个协议书能不能直接拿去法院让法院逼他们给钱")
    assert "where" not in detect_facets("我唔想再见到佢,有冇办法可以令佢唔好再接近我")
    assert "time_limit" in detect_facets("我离职半年了，现在还能去劳动仲裁吗")
    assert "refusal" in detect_facets("如果老细唔嚟开庭点算")


@pytest.mark.parametrize("text, facet", [
    ("我喺珠海车祸嘅案已经批咗法律援助 我转咗份新工人工高咗好多 会唔会俾人取消法援", "refusal"),  # Art. 48
    ("如果我另外自己请个律师呢 个法援律师会点", "refusal"),
    ("法院说协议内容写的不明确不给确认", "refusal"),  # SPC rules Art. 7
    ("我哋村调委会嗰个调解员系对方嘅表叔 成日帮住佢讲嘢", "remedy"),  # 人民调解法 Art. 15, 23
    ("上个月居委会调解好咗 佢而家反口唔认点算", "effect"),
])
def test_everyday_words_for_termination_refusal_bias_and_reneging(text, facet):
    assert facet in detect_facets(text)


def test_a_past_visit_is_no_where_question():
    assert "where" not in detect_facets("后来一起去了越秀区法院申请确认")
    assert "where" in detect_facets("要去越秀区法院申请确认吗")


def test_a_bare_review_after_the_protection_order_is_that_courts_review():
    assert detect_topic("喺边度申请复议", "protection_order") == "protection_order"  # 反家庭暴力法第三十一条
    assert detect_topic("喺边度申请行政复议", "protection_order") == "administrative_reconsideration"
    assert detect_topic("喺边度申请复议") == "administrative_reconsideration"


# ---- dev set 4 readings (session 14) ------------------------------------------------------

def test_waiting_to_know_whether_it_is_approved_asks_how_long_not_when_it_is_refused():
    assert detect_facets("工作人员叫我返去等通知，我想问要等几耐先知批唔批") == ["time_limit"]


def test_a_certificate_from_home_is_a_materials_question_not_where():
    found = detect_facets("係咪一定要返乡下开证明？好远好麻烦")
    assert "materials" in found and "where" not in found
    assert "materials" in detect_facets("咁点先算经济困难㗎")


def test_a_refusal_reported_with_is_it_right_is_an_objection_and_a_past_visit_no_proxy():
    found = detect_facets("我去东莞法律援助处申请，佢哋话我银行卡有两万蚊存款唔算经济困难，唔批，咁啱唔啱")
    assert "remedy" in found and "proxy" not in found
    assert "where" not in detect_facets("我之前喺汕头金平申请咗法律援助")


@pytest.mark.parametrize("text, facet", [
    ("究竟要点先会批㗎", "refusal"),  # the conditions for granting it
    ("我怕告咗佢会炒我，想等一排先，但系又怕过咗时间告唔到", "time_limit"),
    ("而家过咗还款期半年都冇还，我系咪一定要去法院起诉先追得返", "effect"),  # enforce without a suit
])
def test_more_everyday_ways_of_asking_a_facet(text, facet):
    assert detect_facets(text)[0] == facet


def test_the_committees_and_no_reply_are_read_in_the_answers_words():
    answer = "告诫书送交加害人和受害人，并通知当地居民委员会、村民委员会；法院审理时可以作为证据。"
    assert "居民委员会" in focus_on_question(answer, "居委会会唔会知道㗎", "", 3, whole=True)
