"""The legal-facts extractor over a whole conversation (knowledge.facts): negation, the
citizen's side, later turns winning, and "打工" not being enough for Art. 42(3)."""
from __future__ import annotations

import pytest

from knowledge.eligibility import FLAGS, PERSON_GROUPS
from knowledge.facts import extract


@pytest.mark.parametrize("text, flag", [
    ("我弟弟是聋哑人，上礼拜被派出所抓了", "vision_hearing_speech_disability"),
    ("我老豆耳朵听不见", "vision_hearing_speech_disability"),
    ("我哥有精神病，打伤了人被刑拘", "cannot_fully_control_conduct"),
    ("他脑子有问题的", "cannot_fully_control_conduct"),
    ("律师说可能判死刑", "possible_life_or_death_sentence"),
    ("我爸的案子在死刑复核", "death_penalty_review"),
    ("再审改判无罪了，坐了八年牢", "retrial_acquittal"),
    ("见义勇为被砍伤", "good_samaritan"),
    ("仲裁时效还有几天就过了", "deadline_within_7_days"),
    ("老板要转移财产跑路", "urgent_preservation"),
    ("吃了外卖食物中毒住院了", "food_drug_safety"),
    ("我七十岁了，儿子把我赶出家门不给饭吃", "abuse_victim"),
    ("我被老公打到进医院", "abuse_victim"),
    ("公司不承认我是员工，想确认劳动关系", "labour_relation"),
    ("是不是要先去法院认定她没有行为能力", "capacity_declaration"),
    ("我和男朋友没结婚，同居三年了，他一喝酒就打我", "cohabiting_partner"),
])
def test_flags(text, flag):
    facts = extract([text])
    assert flag in facts.flags
    assert facts.flags <= FLAGS and set(facts.person_groups) <= PERSON_GROUPS


def test_negated_mentions_set_nothing():
    assert not extract(["他不是聋哑人"]).flags
    facts = extract(["我是农民工", "不对，我唔系农民工"])
    assert "migrant_worker" not in facts.person_groups and "migrant_worker" in facts.denied_groups


def test_death_penalty_review_is_not_a_possible_death_sentence():
    assert extract(["死刑复核阶段了"]).flags == {"death_penalty_review"}


@pytest.mark.parametrize("texts, role", [
    (["我儿子16岁被抓了"], "accused"),
    (["我老公打我，被派出所拘留了，我想离婚要赔偿"], "victim"),
    (["我被人骗了三万块"], "victim"),
    (["我是受害人"], "victim"),
    (["我爸爸眼睛看不见，现在检察院要起诉他了"], "accused"),
    # Suing someone is the citizen's own civil claim, not a prosecution.
    (["骑电动车被小车撞了，我想起诉他，能申请法律援助吗"], None),
    # The one the prosecutor charged is the one who hit the citizen.
    (["我上年俾个醉酒佬打到断咗三条肋骨 佢依家俾检察院告咗故意伤害"], "victim"),
])
def test_the_citizens_side(texts, role):
    assert extract(texts).role == role


def test_the_abuser_detained_is_not_the_citizen_in_custody():
    facts = extract(["老公打我被拘留了"])
    assert "in_custody" not in facts.flags and "abuse_victim" in facts.flags


@pytest.mark.parametrize("text, status", [
    ("有点养老金，不算太困难", "not_hardship"),
    ("家里不困难", "not_hardship"),
    ("收入还可以", "not_hardship"),
    ("我没有钱", "hardship"),
    ("我哋屋企好困难", "hardship"),
    ("家里请不起律师", "hardship"),
    ("公司说没钱发工资", None),   # the company's money, not the citizen's
    ("还可以申请吗", None),
])
def test_economic_status(text, status):
    assert extract([text]).economic_status == status


def test_later_turns_win():
    assert extract(["家里很困难", "其实收入还可以"]).economic_status == "not_hardship"


@pytest.mark.parametrize("text, groups", [
    ("我今年六十五岁", ["elderly"]),
    ("孩子3岁", ["minor"]),
    ("我二十岁", []),
    ("我系低保户", ["low_income"]),
])
def test_groups_by_age_and_status(text, groups):
    assert extract([text]).person_groups == groups


def test_worker_words_alone_are_not_a_migrant_worker():
    plain = extract(["我是打工的，老板欠三个月工资"])
    assert "migrant_worker" not in plain.person_groups and plain.worker_unconfirmed
    rural = extract(["我是从农村出来打工的"])
    assert rural.person_groups == ["migrant_worker"] and not rural.worker_unconfirmed


@pytest.mark.parametrize("bad", ["", None, 42, "\ud800", "聋" * 100_000])
def test_bad_input_never_raises(bad):
    extract([bad])


def test_martyr_relative_and_defamation_in_different_clauses():
    facts = extract(["我阿爷系烈士，最近有人喺网上造谣话佢系逃兵"])
    assert "hero_martyr_rights" in facts.flags and "hero_martyr_family" in facts.person_groups


def test_a_few_days_left_said_in_cantonese():
    assert "deadline_within_7_days" in extract(["劳动仲裁得一年，计落仲有3日就过期"]).flags


def test_unpaid_wages_and_rural_workers():
    facts = extract(["我哋系农村户口", "最后两个月人工都未出"])
    assert "unpaid_wages" in facts.flags and "migrant_worker" in facts.person_groups


def test_the_victim_of_a_crime_whose_attacker_was_arrested():
    facts = extract(["我爸被人捅了三刀，打人的已经被抓了"])
    assert facts.role == "victim" and facts.case_category == "criminal"


def test_an_accused_taken_away_by_the_police():
    facts = extract(["我老公是聋人，今天被派出所带走了"])
    assert facts.role == "accused" and "vision_hearing_speech_disability" in facts.flags


def test_an_applicant_refused_social_relief_is_not_a_recipient():
    facts = extract(["我申请低保，街道说不符合条件不批"])
    assert "social_relief_claim" in facts.flags and "low_income" in facts.denied_groups
    assert "low_income" in extract(["我系低保户，有低保证"]).person_groups


def test_a_relative_tricked_into_an_offence_is_the_accused():
    assert extract(["我儿子被人骗去卖银行卡，现在说他帮信罪被刑拘了"]).role == "accused"


def test_property_about_to_be_transferred_and_savings_running_out():
    assert "urgent_preservation" in extract(["他正在卖房子，准备把房子过户给他弟弟"]).flags
    assert extract(["我还没找到新工作，存款也快用完了"]).economic_status == "hardship"


@pytest.mark.parametrize("text", ["佢造我谣，派出所叫我自己去法院告佢诽谤，即系自诉",
                                  "开庭嘅时候我想顺便追佢医药费，即系附带民事诉讼"])
def test_private_prosecutor_and_incidental_civil_plaintiff(text):
    facts = extract([text])
    assert "criminal_claimant" in facts.flags
    assert (facts.role, facts.case_category) == ("victim", "criminal")


def test_no_money_for_a_lawyer_is_hardship():
    assert extract(["又冇钱请律师"]).economic_status == "hardship"


def test_a_civil_judgment_is_not_a_criminal_sentence():
    # "判咗" alone is any judgment (support, debt); only a sentence makes the citizen the accused.
    facts = extract(["法院判咗佢每个月俾三千蚊抚养费，佢一直唔俾"])
    assert facts.role != "accused" and facts.case_category != "criminal"
    assert extract(["我细佬上个月被判咗三年"]).role == "accused"
    assert extract(["一审判咗死刑，二审维持"]).role == "accused"


@pytest.mark.parametrize("text", ["我表哥无证开诊所，话佢非法行医", "我老公醉驾俾交警查到",
                                  "派出所话我爸开设赌场，已经立咗案"])
def test_crimes_without_a_victim_speaker_make_the_named_person_accused(text):
    assert extract([text]).role == "accused"


def test_the_offender_being_prosecuted_keeps_the_citizen_the_victim():
    facts = extract(["我阿妹俾佢前男友斩伤咗手", "检察院已经起诉咗佢，下个月开庭"])
    assert facts.role == "victim"


@pytest.mark.parametrize("text", ["个仔将我赶出屋企，话间屋系佢嘅", "新抱成日赶我出门口"])
def test_being_thrown_out_by_family_is_abandonment(text):
    # 遗弃 (法律援助法第三十二条第四项): no means test for the related claims.
    assert "abuse_victim" in extract([text]).flags


@pytest.mark.parametrize("text", ["我从广西过嚟东莞打工五年", "我哋系外省来深圳务工嘅"])
def test_coming_from_another_province_to_work_is_a_migrant_worker(text):
    assert "migrant_worker" in extract([text]).person_groups


def test_plain_work_is_still_not_enough_for_the_migrant_exemption():
    assert "migrant_worker" not in extract(["我喺广州打工，老板欠我两个月人工"]).person_groups


@pytest.mark.parametrize("text, flag", [
    ("差三日就够一年仲裁时效", "deadline_within_7_days"),
    ("佢准备将间铺转俾佢老婆", "urgent_preservation"),
    ("我想先申请保全，费事佢走佬", "urgent_preservation"),
])
def test_article_44_flags_in_everyday_words(text, flag):
    assert flag in extract([text]).flags


def test_an_evidence_notarization_is_no_urgent_preservation():
    assert "urgent_preservation" not in extract(["我想做保全证据公证，留住啲聊天记录"]).flags


def test_ten_days_from_the_limit_is_not_within_seven():
    assert "deadline_within_7_days" not in extract(["仲有十日就够一年"]).flags


@pytest.mark.parametrize("text, flag", [
    ("这个是不是会判死刑啊", "possible_life_or_death_sentence"),       # 是不是 asks, it does not deny
    ("我爸的案子二审还是维持死刑 现在说要报最高法院复核", "death_penalty_review"),  # Art. 25(5)
    ("我弟弟是肢体残疾二级 一直没工作 平时都是家里养着", "no_fixed_income"),      # Art. 42(1)
    ("他有残疾证 没有低保 也没有别的收入", "no_fixed_income"),
    ("我跳落去救佢 人係救返上嚟", "good_samaritan"),                   # Art. 32(2)
    ("佢哋成日唔俾佢食饱 仲锁佢喺房", "abuse_victim"),                 # Art. 32(4)
    ("劳动仲裁只有一年 那不是下个礼拜就过期了吗", "deadline_within_7_days"),  # Art. 44, rhetorical
])
def test_flags_in_more_everyday_words(text, flag):
    from knowledge.facts import extract
    assert flag in extract([text]).flags


def test_more_roles_and_groups():
    from knowledge.facts import extract
    facts = extract(["我弟弟有精神病，跟人打架把对方打伤了，派出所说要追究刑事责任"])
    assert facts.role == "accused" and "cannot_fully_control_conduct" in facts.flags
    assert "minor" not in extract(["我个仔廿八岁 喺东莞长安俾公安拉咗"]).person_groups
    assert "minor" in extract(["佢今年十六岁"]).person_groups
    assert "cannot_fully_control_conduct" not in extract(["他不是精神病"]).flags


def test_a_relative_harmed_makes_the_speaker_the_victim_side():
    from knowledge.facts import extract
    facts = extract(["我女儿十四岁上个月放学被一个男的拖到楼梯间猥亵了我们报了警人已经抓了"])
    assert facts.role == "victim"  # Art. 29, not the minor accused of Art. 25(1)
    assert extract(["我个仔被人骗去卖银行卡，而家被刑拘"]).role == "accused"


def test_age_without_sui_and_a_pension_said_as_denied():
    from knowledge.facts import extract
    assert "elderly" in extract(["我今年七十六 三个仔冇一个肯俾家用"]).person_groups
    assert "elderly" not in extract(["我今年六十万都冇赚到"]).person_groups
    assert "pension_claim" in extract(["教育局話佢退休咗冇撫卹金"]).flags  # Art. 31(4)


# ---- dev set 4 readings (session 14) ------------------------------------------------------

def test_held_by_the_police_in_cantonese_makes_the_relative_the_accused():
    facts = extract(["我個仔喺中山小榄派出所畀人扣住咗，话佢同几个同学偷人哋电单车，佢今年先十六岁半"])
    assert facts.role == "accused" and "in_custody" in facts.flags and "minor" in facts.person_groups
    assert facts.case_category == "criminal"
    assert extract(["前日佢喺超市拎咗人哋啲嘢食冇畀钱，而家畀派出所扣住"]).role == "accused"
    assert extract(["老板扣住我身份证唔俾我走"]).role is None  # an employer keeping papers is no arrest


def test_a_relative_beaten_by_a_stranger_is_no_family_violence_and_the_prosecuted_one_is_the_offender():
    facts = extract(["你好呀，我个女喺惠州惠城畀人打到手骨折，打人嗰个已经畀检察院起诉咗"])
    assert "abuse_victim" not in facts.flags
    assert facts.role == "victim" and facts.offender_charged and facts.case_category == "criminal"
    assert not extract(["我个女畀人打到手骨折"]).offender_charged


def test_cantonese_characters_survive_the_simplified_conversion():
    from knowledge.text import clean, to_simplified
    assert to_simplified("打人嗰個") == "打人嗰个" and clean("佢話喎") == "佢话喎"


def test_a_citizen_who_caught_a_thief_is_a_good_samaritan_not_the_accused():
    facts = extract(["我前年喺汕头龙湖区见到有人抢女仔手袋，我追上去捉住佢，俾佢用刀割伤咗手"])
    assert "good_samaritan" in facts.flags and facts.role == "victim"


def test_a_partner_named_before_the_blow_in_the_next_clause_is_family_violence():
    assert "abuse_victim" in extract(["我老公而家喺厅度摔嘢，头先扯住我头发撞墙，我锁咗自己喺房入面"]).flags
    assert "abuse_victim" not in extract(["我老公同我去饮茶，有个人推我"]).flags


def test_an_old_person_the_family_supports_is_not_the_citizen():
    assert "elderly" not in extract(["屋企一个月收入得两千几，仲有个老人家要养"]).person_groups
    assert "elderly" in extract(["我是老人，今年七十岁"]).person_groups


def test_a_knife_in_a_fight_is_no_family_violence():
    facts = extract(["上个月同工友饮酒，两个人嗌交，佢拎刀捅咗对方，而家公安话佢涉嫌故意杀人"])
    assert "abuse_victim" not in facts.flags and facts.role == "accused"


def test_review_findings_no_wrong_side_or_harm():
    # the police catching a suspect is no Samaritan; a helper now suspected is the accused
    assert extract(["我个仔17岁，偷咗人哋部手机，警察冲过去抓住他"]).role == "accused"
    helper = extract(["我老公见义勇为打伤咗个贼，而家刑拘咗，涉嫌防卫过当"])
    assert helper.role == "accused" and "good_samaritan" not in helper.flags
    # property seized is no arrest; suing the one who hit you or an administrative detention is no prosecution
    assert extract(["派出所扣咗我部电单车，话我冇牌"]).role is None
    assert not extract(["我被人打伤，想起诉佢，已经报咗警"]).offender_charged
    assert not extract(["打人嗰个俾派出所行政拘留咗十日，我被人打伤"]).offender_charged
    # a husband's car crash is no family violence
    assert "abuse_victim" not in extract(["我老公开车撞墙受伤，保险公司唔赔"]).flags
