"""The eligibility engine, article by article (pure Python: rules from the seed, no database)."""
from __future__ import annotations

import pytest

from knowledge.eligibility import LegalAidCase, evaluate, missing_information


def assess(rules, **case):
    return evaluate(LegalAidCase(**case), rules)


# ---- Art. 25: mandatory defence in criminal cases ---------------------------------------

def test_art25_minor_accused_gets_assigned_lawyer_without_means_test(seed_rules):
    result = assess(seed_rules, case_category="criminal", person_groups=["minor"], role="accused",
                    economic_status="not_hardship")
    assert result.outcome == "eligible"
    assert "LAL-25" in result.source_keys
    assert result.authorities_assign and not result.hardship_check_needed
    assert "不需要另外申请" in result.where_to_apply


@pytest.mark.parametrize("flag", ["possible_life_or_death_sentence", "death_penalty_review", "trial_in_absentia",
                                  "cannot_fully_control_conduct", "vision_hearing_speech_disability"])
def test_art25_other_clauses(seed_rules, flag):
    groups = ["disabled"] if flag == "vision_hearing_speech_disability" else []
    result = assess(seed_rules, case_type="criminal", role="accused", flags={flag}, person_groups=groups)
    assert result.outcome == "eligible" and "LAL-25" in result.source_keys


def test_one_article_is_stated_once_when_a_flag_and_a_group_both_match(seed_rules):
    result = assess(seed_rules, case_type="criminal", role="accused", person_groups=["disabled"],
                    flags={"vision_hearing_speech_disability"})
    art25 = [r for r in result.brief_reasons if "视力、听力、言语残疾人" in r]
    assert len(art25) == 1, result.brief_reasons


def test_art25_disabled_without_knowing_the_disability_is_only_conditional(seed_rules):
    result = assess(seed_rules, case_type="criminal", role="accused", person_groups=["disabled"])
    assert result.outcome == "likely_eligible"
    assert any("视力、听力或言语残疾" in c for c in result.conditions)


def test_art25_does_not_apply_to_a_minor_victim(seed_rules):
    result = assess(seed_rules, case_type="criminal", role="victim", person_groups=["minor"],
                    economic_status="not_hardship")
    assert "LAL-25" not in result.source_keys


# ---- Art. 28: compulsory medical treatment ---------------------------------------------

def test_art28_compulsory_medical(seed_rules):
    result = assess(seed_rules, flags={"compulsory_medical"})
    assert result.outcome == "eligible"
    assert result.source_keys[0] == "LAL-28"
    assert result.authorities_assign


# ---- Art. 24 / 29: criminal cases that need hardship ------------------------------------

def test_art24_accused_adult_may_apply_for_economic_or_other_reasons(seed_rules):
    """Art. 24: "因经济困难或者其他原因" — no means question, and never refused for income alone."""
    for status in (None, "hardship", "not_hardship"):
        result = assess(seed_rules, case_category="criminal", role="accused", economic_status=status)
        assert result.outcome == "likely_eligible" and not result.hardship_check_needed, status
        assert result.conclusion == "means_tested"
        assert "LAL-24" in result.source_keys and "LAL-29" not in result.source_keys
        assert any("其他原因" in r for r in result.reasons)
    assert "economic_status" not in missing_information(
        LegalAidCase(case_category="criminal", role="accused"), seed_rules)


def test_duty_lawyer_is_always_mentioned_for_the_accused(seed_rules):
    for case in (dict(case_category="criminal", role="accused", economic_status="not_hardship"),
                 dict(case_category="criminal", role="accused", person_groups=["minor"])):
        result = assess(seed_rules, **case)
        assert {"LAL-30", "LAL-37"} <= set(result.source_keys)
        assert any("值班律师" in r for r in result.reasons)
    victim = assess(seed_rules, case_category="criminal", role="victim")
    assert "LAL-30" not in victim.source_keys


def test_art29_victim_with_hardship(seed_rules):
    result = assess(seed_rules, case_category="criminal", role="victim", economic_status="hardship")
    assert result.outcome == "eligible" and "LAL-29" in result.source_keys


# ---- Art. 31: civil/administrative matters that need hardship ---------------------------

@pytest.mark.parametrize("case_type", ["state_compensation", "social_insurance", "support", "labor_pay",
                                       "work_injury", "traffic_accident", "medical", "environment"])
def test_art31_matters(seed_rules, case_type):
    unknown = assess(seed_rules, case_type=case_type)
    assert unknown.outcome == "likely_eligible" and unknown.hardship_check_needed
    assert unknown.source_keys[0] == "LAL-31"
    assert "GD-268" in unknown.source_keys  # the Guangdong hardship standard is explained
    poor = assess(seed_rules, case_type=case_type, economic_status="hardship")
    assert poor.outcome == "eligible"
    well_off = assess(seed_rules, case_type=case_type, economic_status="not_hardship")
    assert well_off.outcome == "not_covered"


@pytest.mark.parametrize("case_type", ["debt", "contract", "housing", "neighbor", "consumer", "marriage",
                                       "inheritance", "land"])
def test_matters_outside_art31_and_art32_are_not_covered(seed_rules, case_type):
    result = assess(seed_rules, case_type=case_type, economic_status="hardship")
    assert result.outcome == "not_covered"
    assert set(result.source_keys) == {"LAL-31", "LAL-32"}


# ---- Art. 32: no hardship condition ------------------------------------------------------

def test_art32_1_hero_martyr_family(seed_rules):
    result = assess(seed_rules, person_groups=["hero_martyr_family"], flags={"hero_martyr_rights"},
                    economic_status="not_hardship")
    assert result.outcome == "eligible" and result.source_keys[0] == "LAL-32"
    unsure = assess(seed_rules, person_groups=["hero_martyr_family"])
    assert unsure.outcome == "likely_eligible" and unsure.conditions


def test_art32_2_good_samaritan(seed_rules):
    result = assess(seed_rules, case_type="medical", flags={"good_samaritan"}, economic_status="not_hardship")
    assert result.outcome == "eligible" and "LAL-32" in result.source_keys
    assert not result.hardship_check_needed


def test_art32_3_retrial_acquittal(seed_rules):
    result = assess(seed_rules, case_type="state_compensation", flags={"retrial_acquittal"},
                    economic_status="not_hardship")
    assert result.outcome == "eligible" and "LAL-32" in result.source_keys


@pytest.mark.parametrize("case", [dict(case_type="domestic_violence"),
                                  dict(case_type="marriage", person_groups=["violence_victim"])])
def test_art32_4_abuse_and_domestic_violence(seed_rules, case):
    result = assess(seed_rules, economic_status="not_hardship", **case)
    assert result.outcome == "eligible" and "LAL-32" in result.source_keys
    assert not result.hardship_check_needed


# ---- Art. 42: exempt from the hardship check --------------------------------------------

@pytest.mark.parametrize("case_type", ["labor_pay", "work_injury"])
def test_art42_3_migrant_worker_wages_or_injury(seed_rules, case_type):
    result = assess(seed_rules, case_type=case_type, person_groups=["migrant_worker"])
    assert result.outcome == "eligible" and "LAL-42" in result.source_keys
    assert not result.hardship_check_needed


def test_art42_3_does_not_cover_other_migrant_matters(seed_rules):
    result = assess(seed_rules, case_type="traffic_accident", person_groups=["migrant_worker"])
    assert "LAL-42" not in result.source_keys and result.hardship_check_needed


@pytest.mark.parametrize("group", ["low_income", "military"])
def test_art42_2_assistance_and_special_care_recipients(seed_rules, group):
    result = assess(seed_rules, case_type="support", person_groups=[group], economic_status="not_hardship")
    assert result.outcome == "eligible" and "LAL-42" in result.source_keys


@pytest.mark.parametrize("group", ["elderly", "minor", "disabled"])
def test_art42_1_groups_without_fixed_income(seed_rules, group):
    sure = assess(seed_rules, case_type="support", person_groups=[group], flags={"no_fixed_income"})
    assert sure.outcome == "eligible" and "LAL-42" in sure.source_keys
    unsure = assess(seed_rules, case_type="support", person_groups=[group], economic_status="not_hardship")
    assert unsure.outcome == "likely_eligible"
    assert any("没有固定生活来源" in c for c in unsure.conditions)


# ---- Art. 38 / 43 / 44 and the Guangdong standard -------------------------------------

def test_art38_where_to_apply_on_positive_verdicts(seed_rules):
    result = assess(seed_rules, case_type="labor_pay", economic_status="hardship")
    assert "LAL-38" in result.source_keys
    assert "办案机关" in result.where_to_apply and "事由发生地" in result.where_to_apply
    assert "LAL-38" not in assess(seed_rules, case_type="debt").source_keys


def test_art43_decision_within_seven_days(seed_rules):
    result = assess(seed_rules, case_type="domestic_violence")
    assert "LAL-43" in result.source_keys
    assert any("7日内" in r for r in result.reasons)


def test_art44_urgent_aid_before_decision(seed_rules):
    for flag in ("deadline_within_7_days", "urgent_preservation"):
        result = assess(seed_rules, case_type="labor_pay", economic_status="hardship", flags={flag})
        assert "LAL-44" in result.source_keys and any("先行提供" in r for r in result.reasons)
    assert "LAL-44" not in assess(seed_rules, case_type="labor_pay", economic_status="hardship").source_keys


def test_gd268_hardship_standard_only_when_hardship_matters(seed_rules):
    needed = assess(seed_rules, case_type="labor_pay")
    assert "GD-268" in needed.source_keys and any("50%" in r and "100%" in r for r in needed.reasons)
    exempt = assess(seed_rules, case_type="labor_pay", person_groups=["migrant_worker"])
    assert "GD-268" not in exempt.source_keys


# ---- input handling and the form helper -------------------------------------------------

def test_nothing_known_asks_for_more(seed_rules):
    assert assess(seed_rules).outcome == "need_more_info"


def test_garbage_codes_are_dropped_not_guessed(seed_rules):
    case = LegalAidCase(case_type="'; DROP TABLE x", person_groups="minor", economic_status="rich",
                        flags={"bogus"}, role="boss", city="   ")
    assert case.case_type is None and case.person_groups == ["minor"] and case.economic_status is None
    assert case.flags == set() and case.role is None and case.city is None


def test_missing_information_skips_economic_status_when_it_does_not_matter(seed_rules):
    assert missing_information(LegalAidCase(), seed_rules) == ["case_type", "person_group", "city"]
    assert missing_information(LegalAidCase(case_type="labor_pay"), seed_rules) == [
        "person_group", "economic_status", "city"]
    assert missing_information(LegalAidCase(case_type="labor_pay", person_groups=["migrant_worker"],
                                            city="广州市"), seed_rules) == []
    assert missing_information(LegalAidCase(case_type="domestic_violence", city="佛山市"), seed_rules) == []


# ---- corrections against the law text (issue 11) -----------------------------------------

@pytest.mark.parametrize("flags, groups", [
    ({"vision_hearing_speech_disability"}, []),          # Art. 25(2) without a "disabled" tag
    ({"cannot_fully_control_conduct"}, []),               # Art. 25(3)
    ({"possible_life_or_death_sentence"}, []),            # Art. 25(4)
    ({"trial_in_absentia"}, []),                          # Art. 25(6)
    (set(), ["minor"]),                                   # Art. 25(1)
])
def test_art25_mandatory_defence_items(seed_rules, flags, groups):
    result = assess(seed_rules, case_category="criminal", role="accused", flags=flags, person_groups=groups,
                    economic_status="not_hardship")
    assert result.outcome == "eligible" and result.conclusion == "mandatory_defence"
    assert result.authorities_assign and not result.hardship_check_needed
    assert "LAL-25" in result.source_keys and "LAL-36" in result.source_keys
    assert "LAL-43" not in result.source_keys  # Art. 43's 7 + 3 days are for applications
    assert missing_information(LegalAidCase(case_category="criminal", role="accused", flags=flags,
                                            person_groups=groups), seed_rules) == []


def test_art25_5_death_penalty_review_needs_an_application(seed_rules):
    result = assess(seed_rules, case_category="criminal", role="accused", flags={"death_penalty_review"})
    assert result.outcome == "eligible" and result.conclusion == "apply_then_assigned"
    assert not result.authorities_assign and "申请" in result.where_to_apply
    assert "LAL-43" not in result.source_keys and "LAL-36" in result.source_keys


def test_art32_3_retrial_acquittal_needs_no_means_test(seed_rules):
    result = assess(seed_rules, case_type="state_compensation", flags={"retrial_acquittal"},
                    economic_status="not_hardship")
    assert result.outcome == "eligible" and result.conclusion == "no_means_test"
    assert "LAL-32" in result.source_keys


@pytest.mark.parametrize("case", [
    dict(case_type="marriage", flags={"abuse_victim"}),                       # divorce after being beaten
    dict(case_type="support", flags={"abuse_victim"}, person_groups=["elderly"]),  # thrown out by children
    dict(case_category="criminal", case_type="criminal", role="victim", flags={"abuse_victim"}),
    dict(flags={"abuse_victim"}),                                              # the abuse itself
])
def test_art32_4_abuse_victims_related_rights(seed_rules, case):
    result = assess(seed_rules, economic_status="not_hardship", **case)
    assert result.outcome == "eligible" and result.conclusion == "no_means_test", result
    assert "LAL-32" in result.source_keys


def test_art32_4_does_not_leak_to_unrelated_matters(seed_rules):
    neighbour = assess(seed_rules, case_type="neighbor", flags={"abuse_victim"}, economic_status="not_hardship")
    assert neighbour.outcome == "not_covered" and "LAL-32" not in [k for k in neighbour.source_keys[:1]]
    accident = assess(seed_rules, case_type="traffic_accident", flags={"abuse_victim"})
    assert accident.conclusion == "means_tested" and accident.hardship_check_needed


def test_art31_7_food_and_drug_safety(seed_rules):
    result = assess(seed_rules, case_type="consumer", flags={"food_drug_safety"})
    assert result.outcome == "likely_eligible" and result.conclusion == "means_tested"
    assert result.source_keys[0] == "LAL-31"
    assert missing_information(LegalAidCase(flags={"food_drug_safety"}), seed_rules)[0] != "case_type"


def test_art31_5_dismissal_compensation_is_not_listed(seed_rules):
    result = assess(seed_rules, case_type="labor_contract", economic_status="hardship")
    assert result.outcome == "not_covered" and result.conclusion == "not_listed"
    text = "".join(result.reasons)
    assert "确认劳动关系或者支付劳动报酬" in text and "第九项" in text and "12348" in text
    relation = assess(seed_rules, case_type="labor_contract", flags={"labour_relation"}, economic_status="hardship")
    assert relation.outcome == "eligible" and relation.conclusion == "means_tested"


def test_art44_advance_aid_is_mentioned_when_urgent(seed_rules):
    for flag in ("deadline_within_7_days", "urgent_preservation"):
        result = assess(seed_rules, case_type="labor_pay", flags={flag})
        assert "LAL-44" in result.source_keys and any("先行提供" in r for r in result.reasons)


# ---- matters said in any turn (knowledge.facts flags) ------------------------------------

def _conclusion(seed_rules, **case):
    from knowledge.eligibility import LegalAidCase, evaluate
    return evaluate(LegalAidCase(**case), seed_rules)


def test_unpaid_wages_said_next_to_a_dismissal_are_covered(seed_rules):
    result = _conclusion(seed_rules, case_type="labor_contract", flags={"unpaid_wages"})
    assert result.conclusion == "means_tested" and result.outcome == "likely_eligible"
    result = _conclusion(seed_rules, case_type="labor_contract", flags={"unpaid_wages"},
                         person_groups=["migrant_worker"])
    assert result.conclusion == "means_check_exempt"


def test_dismissal_alone_is_not_listed(seed_rules):
    assert _conclusion(seed_rules, case_type="labor_contract").conclusion == "not_listed"


def test_art31_items_3_and_6_are_covered(seed_rules):
    for flag in ("pension_claim", "capacity_declaration", "social_relief_claim"):
        result = _conclusion(seed_rules, flags={flag})
        assert result.conclusion == "means_tested" and "LAL-31" in result.source_keys, flag


def test_a_state_compensation_claimant_is_not_treated_as_an_accused(seed_rules):
    result = _conclusion(seed_rules, case_type="state_compensation", case_category="criminal", role="accused")
    assert "LAL-24" not in result.source_keys and "LAL-31" in result.source_keys


def test_brief_reasons_leave_out_the_hardship_standard_but_keep_the_duty_lawyer(seed_rules):
    result = _conclusion(seed_rules, case_category="criminal", role="accused", flags={"in_custody"})
    assert any("值班律师" in r for r in result.brief_reasons)
    assert len([r for r in result.brief_reasons if "值班律师" in r]) == 1
    wages = _conclusion(seed_rules, case_type="labor_pay")
    assert not any("粤府令" in r or "50%" in r for r in wages.brief_reasons)
    assert any("50%" in r for r in wages.reasons)


def test_advance_legal_aid_is_in_the_first_answer_when_urgent(seed_rules):
    result = _conclusion(seed_rules, case_type="labor_pay", flags={"deadline_within_7_days"})
    assert any("先行提供" in r for r in result.brief_reasons) and "LAL-44" in result.source_keys


def test_art29_private_prosecution_behind_a_neighbour_quarrel(seed_rules):
    # The quarrel gave the message a civil type; prosecuting it privately is criminal (Art. 29).
    result = assess(seed_rules, case_type="neighbor", flags={"criminal_claimant"}, role="victim",
                    economic_status="hardship")
    assert result.outcome in ("eligible", "likely_eligible")
    assert "LAL-29" in result.source_keys


# ---- a prosecuted assault: the victim's criminal case (Art. 29) -------------------------

def test_an_assault_whose_doer_is_prosecuted_is_the_victims_criminal_case(seed_rules):
    charged = assess(seed_rules, case_type="personal_injury", case_category="criminal", role="victim",
                     offender_charged=True, economic_status="hardship")
    assert charged.conclusion == "means_tested" and "LAL-29" in charged.source_keys
    civil = assess(seed_rules, case_type="personal_injury", case_category="criminal", role="victim",
                   economic_status="hardship")
    assert civil.conclusion == "not_listed"
    # a traffic claim stays the civil Art. 31(7) matter even when the driver was arrested
    traffic = assess(seed_rules, case_type="traffic_accident", case_category="criminal", role="victim",
                     offender_charged=True, economic_status="hardship")
    assert "LAL-31" in traffic.source_keys
