"""A described problem gets the legal-aid conclusion for everything said so far, then the other
routes; a follow-up question gets only the part asked (rasa_sdk trackers, no model)."""
from __future__ import annotations

import pytest

from actions.dialogue import ActionRouteLegalProblem
from actions.facets import ActionAnswerDetail, question_part
from actions.missed import fallback_ran_this_turn
from actions.services import ActionFindOffice, ActionMediationGuide, ActionNotaryGuide
from tests.dialogue.conftest import all_text, make_tracker, slot_events, user_event

ROUTE = ActionRouteLegalProblem()
DETAIL = ActionAnswerDetail()


def test_a_deaf_accused_gets_the_assigned_lawyer_in_the_first_answer(run):
    tracker = make_tracker({"case_category": "criminal"}, intent="legal_problem",
                           text="我弟弟听不见也不会说话，昨天被派出所抓了，说他偷东西")
    messages, events = run(ROUTE, tracker)
    text = all_text(messages)
    assert "指派律师" in text and "《中华人民共和国法律援助法》第二十五条" in text
    assert "值班律师" in text
    assert slot_events(events)["topic"] == "legal_aid"


def test_unpaid_wages_say_the_means_test_and_labour_arbitration_with_their_articles(run):
    tracker = make_tracker({"case_type": "labor_pay"}, intent="legal_problem", text="老板拖了我三个月工资不给")
    text = all_text(run(ROUTE, tracker)[0])
    assert "经济困难" in text and "第三十一条" in text
    assert "劳动争议仲裁委员会" in text and "《中华人民共和国劳动争议调解仲裁法》第五条" in text
    assert "约定的仲裁委员会" not in text  # never commercial arbitration for labour matters


def test_a_private_loan_is_not_a_listed_matter(run):
    text = all_text(run(ROUTE, make_tracker({"case_type": "debt"}, intent="legal_problem",
                                            text="朋友借了我五万一直不还"))[0])
    assert "列明的范围内" in text and "人民调解" in text


def test_family_violence_says_110_and_the_protection_order_once(run):
    text = all_text(run(ROUTE, make_tracker({"case_type": "domestic_violence"}, intent="legal_problem",
                                            text="老公经常喝醉了打我"))[0])
    assert text.count("110") == 1 and "人身安全保护令" in text and "不受经济困难条件的限制" in text


def test_the_same_answer_is_not_sent_again(run):
    first_text = all_text(run(ROUTE, make_tracker({"case_type": "debt"}, intent="legal_problem",
                                                  text="朋友借钱不还"))[0])
    history = [user_event("朋友借钱不还", "legal_problem"), {"event": "bot", "text": first_text}]
    again = all_text(run(ROUTE, make_tracker({"case_type": "debt"}, intent="legal_problem",
                                             text="就是借钱不还", history=history))[0])
    assert again != first_text and "结论和上面一样" in again


def test_a_question_at_the_end_of_the_story_is_answered_too(run):
    story = "我儿子被公安抓了，说他诈骗，他人还关在看守所里，家里人能帮他申请法律援助吗"
    messages, _ = run(ROUTE, make_tracker({"case_category": "criminal"}, intent="legal_problem", text=story))
    assert len(messages) == 2 and "近亲属" in messages[1]["text"] and "第四十条" in messages[1]["text"]


def test_time_in_the_story_is_not_a_time_question():
    assert question_part("老板拖了我三个月工资，做了两年多了，我想问能不能申请法律援助") .endswith("法律援助")


def test_follow_up_after_legal_aid_answers_the_time_limit_only(run):
    tracker = make_tracker({"topic": "legal_aid"}, intent="ask_detail", text="要多久")
    messages, events = run(DETAIL, tracker)
    text = all_text(messages)
    assert "7日" in text and "第四十三条" in text and "需要准备" not in text
    assert any(b["payload"].startswith("/ask_detail") for b in messages[0]["buttons"])


def test_follow_up_button_payload_carries_the_facet(run):
    tracker = make_tracker({"topic": "arbitration"}, intent="ask_detail", text='/ask_detail{"facet": "fee"}',
                           entities=[{"entity": "facet", "value": "fee"}])
    text = all_text(run(DETAIL, tracker)[0])
    assert "不收费" in text and "劳动争议调解仲裁法" in text


def test_after_the_mediation_agreement_the_next_question_is_about_confirmation(run):
    first = make_tracker({"topic": "mediation"}, intent="mediation", text="调解签的协议有用吗，他不照做怎么办")
    messages, events = run(ActionMediationGuide(), first)
    assert "司法确认" in all_text(messages) and slot_events(events)["topic"] == "judicial_confirmation"
    text = all_text(run(DETAIL, make_tracker({"topic": "judicial_confirmation"}, intent="ask_detail",
                                             text="要多久"))[0])
    assert "3日" in text and "15日" in text


def test_adoption_notarization_through_a_relative_is_refused_by_article_26(run):
    tracker = make_tracker({"notary_item": None}, intent="notarization",
                           text="我爸住院出不来，能不能我拿着他的身份证去帮他办收养公证？")
    text = all_text(run(ActionNotaryGuide(), tracker)[0])
    assert "本人亲自" in text and "公证法》第二十六条" in text


def test_follow_up_without_any_topic_asks_which_service(run):
    messages, _ = run(DETAIL, make_tracker({}, intent="ask_detail", text="要多久"))
    assert "哪项服务" in all_text(messages)


def test_a_second_fallback_in_one_turn_is_not_sent():
    fallback = {"event": "action", "name": "action_default_fallback"}
    assert fallback_ran_this_turn(make_tracker({}, text="嗯嗯", history=[], extracted=None)) is False
    tracker = make_tracker({}, text="嗯嗯")
    tracker.events.append(fallback)
    assert fallback_ran_this_turn(tracker) is True


def test_an_objection_anywhere_in_the_message_is_the_question():
    from actions.facets import asked_facets
    text = "我个法援律师跟咗我两个月，法援中心突然话要终止，其实个朋友只系帮手睇下材料，我想继续要法援点算"
    assert asked_facets(text)[0] == "remedy"


def test_an_unplaced_follow_up_after_a_facet_answer_stays_with_that_service(run):
    from actions.missed import ActionDefaultFallback
    history = [user_event("法援唔俾我援助，我唔服", "ask_detail"),
               {"event": "bot", "text": "【法律援助·不服怎么办】对不予或者终止法律援助的决定有异议的……"}]
    tracker = make_tracker({"topic": "legal_aid"}, intent="nlu_fallback", text="可以点投诉 去边度", history=history)
    text = all_text(run(ActionDefaultFallback(), tracker)[0])
    assert "第四十九条" in text and "抱歉" not in text


def test_a_new_fact_asked_as_a_service_question_gives_the_new_conclusion(run):
    # "法律援助来得及吗" is read as a legal-aid question, but the property about to be moved
    # changes the answer: legal aid may be given before the decision (Art. 44(2)).
    from actions.services import ActionServiceGuide
    story = "我是农村出来的，在佛山工厂打工，老板欠了我们两个月工资"
    history = [user_event(story, "legal_problem"), {"event": "bot", "text": "法律援助：……"}]
    tracker = make_tracker({"case_type": "labor_pay"}, intent="legal_aid_apply", history=history,
                           text="老板要把厂里的机器卖了跑路，今晚就搬，想马上申请财产保全，法律援助来得及吗")
    text = all_text(run(ActionServiceGuide(), tracker)[0])
    assert "第四十四条" in text and "先行" in text


def test_facts_said_again_get_the_same_conclusion_not_a_lawyer_sheet(run):
    from actions.services import ActionServiceGuide
    story = "我爸爸是盲人，现在检察院要起诉他了"
    first = all_text(run(ROUTE, make_tracker({"case_category": "criminal"}, intent="legal_problem", text=story))[0])
    history = [user_event(story, "legal_problem"), {"event": "bot", "text": first}]
    tracker = make_tracker({"case_category": "criminal"}, intent="lawyer_service", history=history,
                           text="他有残疾证，一级视力残疾，还没请律师")
    text = all_text(run(ActionServiceGuide(), tracker)[0])
    assert "结论和上面一样" in text and "律师事务所" not in text


def test_wanting_a_named_notarization_gets_its_guide_not_a_legal_aid_verdict(run):
    # the model may call "想办继承公证" a described problem; the citizen asked how to do it
    tracker = make_tracker({"case_type": "inheritance", "notary_item": "继承公证"}, intent="legal_problem",
                           entities=[{"entity": "notary_item", "value": "继承公证"},
                                     {"entity": "case_type", "value": "inheritance"}],
                           text="老豆上年走咗，留低间铺，我哋想办继承公证")
    text = all_text(run(ROUTE, tracker)[0])
    assert "【继承公证】" in text and "法律援助：" not in text


def test_how_long_right_after_the_objection_answer_is_the_objection_review_time(run):
    # 法律援助法第四十九条: 司法行政部门自收到异议之日起5日内审查 — not the 7-day decision (Art. 43)
    history = [user_event("法援中心唔批，我唔服点算", "ask_detail"),
               {"event": "bot", "text": "【法律援助·不服怎么办】法律援助机构决定不给予法律援助的……"}]
    tracker = make_tracker({"topic": "legal_aid"}, intent="ask_detail", text="要几耐", history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert "5日内审查" in text and "第四十九条" in text and "7日" not in text
    # with no objection answer before it, the same question is the decision time
    plain = make_tracker({"topic": "legal_aid"}, intent="ask_detail", text="要几耐")
    assert "7日" in all_text(run(DETAIL, plain)[0])


def test_an_unplaced_fee_question_after_a_service_sheet_is_answered_for_that_service(run):
    from actions.missed import ActionDefaultFallback, ActionOutOfScope
    history = [user_event("我想同邻居调解", "mediation"),
               {"event": "bot", "text": "人民调解：人民调解委员会……"}]
    for action in (ActionDefaultFallback(), ActionOutOfScope()):
        tracker = make_tracker({"topic": "mediation"}, intent="out_of_scope", text="咁要唔要钱㗎", history=history)
        text = all_text(run(action, tracker)[0])
        assert "免费" in text and "人民调解法" in text and "抱歉" not in text


def test_a_follow_up_that_names_the_service_is_about_the_service_not_the_step(run):
    history = [user_event("调解协议签咗，惊佢唔还", "mediation"),
               {"event": "bot", "text": "【人民调解协议司法确认·效力和执行】法院作出确认决定后……"}]
    tracker = make_tracker({"topic": "judicial_confirmation"}, intent="ask_detail", text="法院要几耐先确认",
                           history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert "3日" in text and "15日" in text
    where = make_tracker({"topic": "judicial_confirmation"}, intent="ask_detail", text="喺边度申请", history=history)
    assert "申请强制执行" in all_text(run(DETAIL, where)[0])  # the enforcement step (SPC-JC-9)


def test_where_right_after_the_review_answer_is_where_the_review_is_made(run):
    history = [user_event("份公证书有问题，点样推翻", "notarization"),
               {"event": "bot", "text": "【公证·不服怎么办】认为公证书有错误的……"}]
    tracker = make_tracker({"topic": "notarization"}, intent="ask_detail", text="要去边度提", history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert "出具公证书的公证处申请复查" in text and "第三十九条" in text


def test_where_to_sue_at_the_end_of_a_wage_story_is_the_labour_arbitration(run):
    story = "我系湛江乡下出嚟打工，喺东莞一间电子厂做咗两年，老细由八月开始就冇出粮，想问下可以去边度告佢攞返啲人工"
    tracker = make_tracker({}, intent="legal_problem", text=story,
                           entities=[{"entity": "case_type", "value": "labor_pay"}])
    text = all_text(run(ROUTE, tracker)[0])
    assert "劳动合同履行地或者用人单位所在地" in text and "第二十一条" in text  # 劳动争议调解仲裁法
    assert "免予核查经济困难状况" in text  # 出粮 is pay, 乡下出嚟打工 is 进城务工 (Art. 42(3))


def test_a_question_read_as_a_request_for_a_person_is_answered_when_it_asks_a_facet(run):
    from actions.dialogue import ActionHandoff
    history = [user_event("调解协议佢唔照做", "mediation"),
               {"event": "bot", "text": "【人民调解·效力和执行】调解达成的协议具有法律约束力……"}]
    tracker = make_tracker({"topic": "mediation"}, intent="request_human", history=history,
                           text="可唔可以直接拎份协议去法院强制执行佢")
    text = all_text(run(ActionHandoff(), tracker)[0])
    assert "司法确认" in text and "人民调解法" in text
    human = make_tracker({"topic": "mediation"}, intent="request_human", history=history, text="我想搵人工")
    assert "12348" in all_text(run(ActionHandoff(), human)[0])


def test_a_yes_no_question_about_the_notary_office_gets_the_rule_not_a_list(run):
    from actions.services import ActionFindOffice
    tracker = make_tracker({"topic": "notarization", "notary_item": "遗嘱公证", "city": "江门市"}, intent="find_office",
                           text="间铺系喺江门新会 系咪要去江门嗰边嘅公证处")
    text = all_text(run(ActionFindOffice(), tracker)[0])
    assert "不一定要到不动产所在地" in text and "公证法》第二十五条" in text


def test_a_topic_switch_is_not_a_follow_up_of_the_last_answer():
    from actions.facets import last_answer_was_a_facet
    history = [user_event("收养公证可唔可以代办", "notarization"),
               {"event": "bot", "text": "【收养公证·能否由别人代办】……"}]
    same = make_tracker({"topic": "notarization"}, intent="ask_detail", text="喺边度办", history=history)
    switched = make_tracker({"topic": "notarization"}, intent="ask_detail", history=history,
                            text="算了 问另一样嘢 公司拖咗我两个月人工 可以去边度告")
    assert last_answer_was_a_facet(same) and not last_answer_was_a_facet(switched)


def test_evidence_preservation_is_a_notarial_item_not_a_court_preservation():
    from knowledge import api
    from knowledge.facts import extract
    assert api.notary_item_code("证据保全公证") == "保全证据公证"
    assert "urgent_preservation" not in extract(["听讲可以搵公证处做证据保全 系咪真㗎"]).flags
    assert "urgent_preservation" in extract(["想去法院申请证据保全，佢要删记录"]).flags


def test_a_story_that_asks_about_evidence_preservation_gets_that_notarization(run):
    story = "我喺淘宝开网店 有人喺小红书发帖屈我卖假货 我想告佢 但系惊佢删帖 听讲可以搵公证处做证据保全 系咪真㗎"
    text = all_text(run(ROUTE, make_tracker({}, intent="legal_problem", text=story))[0])
    assert "保全证据公证" in text and "公证法》第十一条" in text and "法律援助" not in text


def test_whether_a_paper_needs_notarizing_is_what_notarization_covers():
    from actions.facets import facets_in
    assert facets_in("我张出世纸要拎去澳洲用 系咪要去做公证") == ["what"]
    assert facets_in("系咪要返湛江做公证") == ["where"]


def test_keeping_him_away_read_as_deny_gets_the_protection_order(run):
    from actions.dialogue import ActionAnythingElse
    tracker = make_tracker({}, intent="deny", text="我唔想再见到佢，有冇办法可以令佢唔好再接近我")
    text = all_text(run(ActionAnythingElse(), tracker)[0])
    assert "人身安全保护令" in text and "第二十九条" in text


def test_objecting_to_a_termination_after_a_re_consultation_is_legal_aids_objection(run):
    history = [user_event("我嘅工伤案本来有法援律师跟，但系今日法援中心话要终止法律援助", "legal_aid_apply"),
               {"event": "bot", "text": "【法律援助·不服怎么办】……"},
               user_event("我只系问过一个做律师嘅朋友意见，冇签任何委托", "inform",
                          [{"entity": "case_type", "value": "work_injury"}]),
               {"event": "bot", "text": "法律援助：您的事项属于法律援助的范围……"}]
    tracker = make_tracker({"topic": "arbitration", "case_type": "work_injury"}, intent="ask_detail",
                           text="呢个终止决定我唔认，可以点做", history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert "第四十九条" in text and "仲裁裁决" not in text


def test_an_unsure_lawyer_question_in_death_review_gets_the_experience_rule():
    from actions.facets import facets_in
    assert facets_in("如果有法援律师，会唔会派个新手嚟，我好担心") == ["after"]  # 法律援助法第二十六条


def test_a_crime_victims_follow_up_is_about_the_legal_aid_agent(run):
    story = "我女儿十四岁被一个男的拖到楼梯间猥亵了我们报了警人已经抓了 想给女儿请律师"
    history = [user_event(story, "legal_problem"), {"event": "bot", "text": "法律援助：……第二十九条……"}]
    tracker = make_tracker({"topic": "legal_aid"}, intent="ask_detail", text="要准备什么材料", history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert "【法律援助·要准备什么】" in text and "第四十一条" in text


@pytest.mark.parametrize("story, slots, follow_up, heading, must", [
    # the service named before decides a bare "喺边度申请"
    ("我阿爸成日打我阿妈 佢话如果阿妈去告就打死佢 我系佢个女 可唔可以帮阿妈申请人身安全保护令",
     {"case_type": "domestic_violence"}, "佢哋住湛江霞山 我喺深圳 喺边度申请", "【人身安全保护令·在哪里办】", "第二十五条"),
    # "有冇律师帮" names no service: applying is legal aid's (Art. 40)
    ("我细佬三十五岁 喺白云偷电单车俾人捉咗 屋企冇钱请律师 佢会唔会有律师帮",
     {"case_category": "criminal"}, "佢喺入面出唔到嚟 我可唔可以帮佢申请", "【法律援助·能否由别人代办】", "近亲属"),
])
def test_applying_is_about_the_service_named_before(run, story, slots, follow_up, heading, must):
    history = [user_event(story, "legal_problem"), {"event": "bot", "text": "法律援助：……"}]
    tracker = make_tracker({"topic": "legal_aid", **slots}, intent="nlu_fallback", text=follow_up, history=history)
    text = all_text(run(DETAIL, tracker)[0])
    assert heading in text and must in text


def bot_said(text: str) -> dict:
    return {"event": "bot", "text": text}


# A follow-up right after a facet answer: (action, the earlier turns, slots, intent, message,
# what the reply must say, what it must not).
FOLLOW_UPS = {
    "does-it-count-points-to-the-interruption-clause": (
        ROUTE, [user_event("我辞职咗 公司仲差我加班费 而家仲告唔告得", "legal_problem"),
                bot_said("【劳动仲裁·要多久】申请劳动仲裁的时效为1年……")],
        {"topic": "arbitration", "case_type": "labor_pay"}, "legal_problem",
        "我之前喺微信成日追老细俾钱 佢都有回话会俾 咁算唔算", ["接着上面说的", "时效中断", "第二十七条"], []),
    "how-long-after-the-objection-skips-the-repeated-screening-question": (
        DETAIL, [user_event("要是法律援助中心也说不给呢，我还能找谁", "ask_detail"),
                 bot_said("【法律援助·不服怎么办】……"),
                 bot_said("（不方便回答的话，可以点“跳过”。）最后一个问题：您家里的经济状况怎么样？")],
        {"topic": "legal_aid", "case_type": "social_insurance"}, "ask_detail",
        "那边多久给答复", ["接着上面说的", "5日", "第四十九条"], []),
    "review-after-the-order-was-refused-is-the-same-court": (
        DETAIL, [user_event("法官话证据唔够驳回咗保护令 仲可以点做", "legal_problem"),
                 bot_said("【人身安全保护令·不服怎么办】申请人对驳回申请不服……")],
        {"topic": "protection_order", "case_type": "domestic_violence"}, "ask_detail",
        "喺边度申请复议", ["作出裁定的法院", "第三十一条"], ["行政复议"]),
    "where-after-the-protection-order-is-the-court-the-law-names": (
        ActionFindOffice(), [user_event("有冇办法唔俾佢接近我哋", "legal_problem"),
                             bot_said("【人身安全保护令·要多久】法院受理申请后……")],
        {"topic": "protection_order", "city": "广州市", "district": "白云区"}, "inform",
        "我住广州白云区 喺边度申请", ["【人身安全保护令·在哪里办】", "第二十五条"], []),
}


@pytest.mark.parametrize("case", FOLLOW_UPS.values(), ids=FOLLOW_UPS.keys())
def test_a_follow_up_after_a_facet_answer_gets_the_part_asked(run, case):
    action, history, slots, intent, message, must, must_not = case
    text = all_text(run(action, make_tracker(slots, intent=intent, text=message, history=history))[0])
    assert all(part in text for part in must), text
    assert not any(part in text for part in must_not), text


def test_may_i_go_to_arbitration_after_the_labour_mediation_answer_is_its_clause(run):
    from actions.services import ActionServiceGuide
    answer = ("【劳动争议调解·效力和执行】劳动争议调解协议书经双方签名或盖章后生效。单位在协议约定期限内不履行的，"
              "您可以申请劳动仲裁；协议是关于拖欠工资的，还可以申请支付令。\n\n如有疑问……\n\n"
              "依据：《中华人民共和国劳动争议调解仲裁法》第十四条、第十五条、第十六条")
    history = [user_event("公司签咗调解协议话月尾前畀晒人工 而家过咗期一蚊都冇", "mediation"),
               {"event": "bot", "text": answer}]
    tracker = make_tracker({"topic": "judicial_confirmation", "case_type": "labor_pay"}, intent="arbitration",
                           text="唔想去法院 可唔可以直接申请仲裁", history=history)
    messages, events = run(ActionServiceGuide(), tracker)
    text = all_text(messages)
    assert "接着上面说的：单位在协议约定期限内不履行的，您可以申请劳动仲裁。" in text and "第十五条" in text
    assert "办理时限" not in text  # not the arbitration sheet
    assert slot_events(events)["topic"] == "arbitration"
