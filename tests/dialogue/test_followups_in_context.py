"""Follow-ups answered from what the conversation already established (dev set 4, session 14):
an objection after a refusal told earlier, the lawyer a criminal family asks about, the duty
lawyer, a route's own clause, a complaint about the assigned lawyer, and a conclusion that a
fact told in passing changed (rasa_sdk trackers, no model)."""
from __future__ import annotations

from actions.dialogue import ActionRouteLegalProblem
from actions.facets import ActionAnswerDetail
from actions.services import ActionServiceGuide
from tests.dialogue.conftest import all_text, make_tracker, user_event

ROUTE = ActionRouteLegalProblem()
DETAIL = ActionAnswerDetail()
SERVICE = ActionServiceGuide()


def reply_after(run, action, story: str, text: str, *, slots: dict | None = None, intent: str = "legal_problem",
                story_intent: str = "legal_problem", answered: bool = False) -> str:
    """The reply of `action` to `text` told after `story` (answered: the bot's real first answer in
    between, else a placeholder)."""
    first = all_text(run(ROUTE, make_tracker(dict(slots or {}), intent=story_intent, text=story))[0]) if answered \
        else "（上一条答复）"
    history = [user_event(story, story_intent), {"event": "bot", "text": first}]
    return all_text(run(action, make_tracker(dict(slots or {}), intent=intent, history=history, text=text))[0])

REFUSED = "你好，我上个礼拜去佛山南海法律援助处申请帮手追交通事故赔偿，今日收到通知话唔批，话我唔符合经济困难"


def test_an_objection_after_a_refusal_told_earlier_is_the_legal_aid_objection(run):
    text = reply_after(run, ROUTE, REFUSED, "我可以去边度投诉或者要求佢哋重新睇过",
                       slots={"case_type": "traffic_accident"}, story_intent="legal_aid_eligibility")
    assert "司法行政部门" in text and "第四十九条" in text


def test_how_long_the_objection_takes_after_a_refusal(run):
    text = reply_after(run, ROUTE, REFUSED, "交咗异议之后几耐会答复我",
                       slots={"case_type": "traffic_accident"}, story_intent="legal_aid_eligibility")
    assert "5日" in text and "第四十九条" in text


ACCUSED = "我细佬智力残疾，唔能够完全分清自己做紧乜，前日喺超市拎咗人哋啲嘢食，而家畀派出所扣住"


def test_a_criminal_family_asking_whether_to_hire_a_lawyer_gets_the_conclusion_not_the_lawyer_sheet(run):
    text = reply_after(run, SERVICE, ACCUSED, "我哋冇请律师，阿妈话唔知要唔要请，请唔请得起都系问题",
                       intent="lawyer_service", answered=True)
    assert "不需要您另外申请" in text and "律师事务所按国家规定统一收取" not in text


def test_the_free_lawyer_in_the_detention_centre_is_the_duty_lawyer(run):
    story = "我个仔十九岁 喺广州白云区偷人电动车电池畀人捉咗 而家关喺看守所"
    text = reply_after(run, ROUTE, story, "听人讲看守所入面有免费嘅律师可以问嘢，系咪真㗎", slots={"topic": "legal_aid"})
    assert "值班律师" in text and "第三十条" in text


def test_is_it_true_about_a_routes_clause_gets_that_clause(run):
    story = "你好 我喺佛山南海一间五金厂做咗八个月，老细一直冇同我签劳动合同"
    text = reply_after(run, ROUTE, story, "工友话冇签合同可以要双倍人工，系咪真㗎", slots={"case_type": "labor_contract"},
                       answered=True)
    assert "2倍的工资" in text and "第八十二条" in text and "结论和上面一样" not in text


def test_a_complaint_about_the_lawyer_legal_aid_assigned_is_the_complaint_and_a_new_lawyer(run):
    history = [user_event("你好，我之前喺汕头金平申请咗法律援助，派咗个律师帮我追前夫嘅抚养费", "legal_aid_apply"),
               {"event": "bot", "text": "（上一条答复）"}]
    tracker = make_tracker({}, intent="lawyer_service", history=history,
                           text="但系呢个律师成个月都唔覆我信息，开庭前先见过我一次，我好担心")
    text = all_text(run(SERVICE, tracker)[0])
    assert "更换" in text and "第五十五条" in text


def test_a_fact_told_in_passing_updates_the_conclusion_before_the_facet_answer(run):
    story = "老乡你好，我哋一班人喺东莞塘厦工地做泥水，包工头欠咗我哋三个月人工"
    first = run(ROUTE, make_tracker({"case_type": "labor_pay"}, intent="legal_problem", text=story))[0]
    history = [user_event(story, "legal_problem"), {"event": "bot", "text": all_text(first)},
               user_event("我哋都系湖南嚟广东打工嘅，想去劳动仲裁，仲裁要钱吗", "arbitration"),
               {"event": "bot", "text": "【劳动仲裁·收不收费】劳动争议仲裁免费。"}]
    tracker = make_tracker({"case_type": "labor_pay"}, intent="legal_aid_apply", history=history,
                           text="想搵法律援助律师帮手，系咪要先去开收入证明？")
    messages = run(SERVICE, tracker)[0]
    assert "免予核查经济困难状况" in messages[0]["text"] and "【法律援助·要准备什么】" in messages[-1]["text"]
    # said once: the same question again gets no second update
    history += [user_event("想搵法律援助律师帮手，系咪要先去开收入证明？", "legal_aid_apply")] + [
        {"event": "bot", "text": m["text"]} for m in messages]
    again = run(SERVICE, make_tracker({"case_type": "labor_pay"}, intent="legal_aid_apply", history=history,
                                      text="要准备咩材料"))[0]
    assert not any("先更新一下" in (m.get("text") or "") for m in again)


# ---- legal terms asked about by name (knowledge/seed/terms.yml) ------------------------------

def test_a_warning_letter_asked_about_inside_a_family_violence_consultation(run):
    story = "你好 我老公而家喺厅度摔嘢，头先扯住我头发撞墙，我锁咗自己喺房入面，点算啊"
    assert "110" in all_text(run(ROUTE, make_tracker({}, intent="legal_problem", text=story))[0])  # danger first
    text = reply_after(run, ROUTE, story, "警察嚟过喇，畀咗佢一份告诫书，呢份告诫书係咩嚟㗎", answered=True)
    assert "【告诫书】" in text and "居民委员会" in text and "第十六条" in text


def test_where_to_complain_after_a_purchase_story_is_the_consumer_complaint(run):
    story = "你好 我喺珠海香洲一间精品店买咗支香水，老板话係专柜正品，返去验过係假嘢"
    text = reply_after(run, DETAIL, story, "佢唔肯赔，我可以去边度投诉", slots={"case_type": "consumer"}, intent="ask_detail")
    assert "消费者协会" in text and "《中华人民共和国消费者权益保护法》第三十七条、第三十九条" in text


def test_a_second_question_about_a_term_points_back_to_its_clause(run):
    story = "你好 我喺珠海香洲一间精品店买咗支香水，返去验过係假嘢"
    first = run(DETAIL, make_tracker({"case_type": "consumer"}, intent="ask_detail",
                                     history=[user_event(story, "legal_problem")], text="我可以去边度投诉"))[0]
    history = [user_event(story, "legal_problem"), user_event("我可以去边度投诉", "ask_detail"),
               {"event": "bot", "text": all_text(first)}]
    tracker = make_tracker({"case_type": "consumer"}, intent="ask_detail", history=history,
                           text="投诉咗之后几耐会有人理")
    text = all_text(run(DETAIL, tracker)[0])
    assert "接着上面说的" in text and "7个工作日" in text


def test_route_clause_picks_the_clause_a_does_it_count_question_is_about():
    from actions.dialogue import route_clause
    from knowledge.results import Consultation, ServiceRoute
    consultation = Consultation(problem="赡养费", verdict=None, routes=[
        ServiceRoute("mediation", "人民调解", "赡养、抚养、扶养纠纷可以先申请人民调解，调解免费。", [], []),
        ServiceRoute("lawyer_service", "律师服务", "调解不成的，可以咨询律师向法院起诉。", [], [])])
    text = route_clause(consultation, "听讲赡养纠纷可以先申请人民调解，系咪真㗎")
    assert text.startswith("关于“赡养费”（人民调解）：赡养、抚养、扶养纠纷可以先申请人民调解")
    assert route_clause(consultation, "赡养纠纷可以先申请人民调解") is None  # no question asked
    assert route_clause(consultation, "系咪真㗎") is None  # nothing it could be about


def test_what_to_bring_after_a_favourable_conclusion_is_about_applying_for_legal_aid(run):
    story = "你好，我阿妈今年七十三，冇退休金，靠低保过日子，三个仔冇一个肯俾家用，佢想告佢哋攞赡养费"
    text = reply_after(run, ROUTE, story, "咁要带啲咩证明过去", slots={"case_type": "support"}, answered=True)
    assert "【法律援助·要准备什么】" in text and "第四十二条" in text


def test_an_employer_not_paying_is_no_refusal_of_legal_aid(run):
    text = reply_after(run, ROUTE, "我想申请法律援助，老板唔俾人工", "我可以去边度投诉", slots={"case_type": "labor_pay"})
    assert "异议" not in text  # not the objection to a legal-aid decision (法律援助法第四十九条)


def test_a_crime_victim_asking_about_fees_gets_no_duty_lawyer(run):
    story = "我个女喺惠州畀人打到手骨折，打人嗰个已经畀检察院起诉咗"
    text = reply_after(run, DETAIL, story, "请律师要唔要钱", slots={"topic": "legal_aid"}, intent="ask_detail")
    assert "值班律师" not in text

