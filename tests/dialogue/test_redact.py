"""Personal data never reaches the missed-question store or the logs."""
from __future__ import annotations

import pytest

from bot.review.redact import BANK_CARD, EMAIL, ID_CARD, LANDLINE, MOBILE, redact


@pytest.mark.parametrize("text, secret, placeholder", [
    ("我的身份证号是440106199001011234", "440106199001011234", ID_CARD),
    ("身份证44010619900101123X丢了", "44010619900101123X", ID_CARD),
    ("身份证44010619900101123x", "44010619900101123x", ID_CARD),
    ("号码 440106 19900101 123X", "440106 19900101 123X", ID_CARD),
    ("老身份证440106900101123", "440106900101123", ID_CARD),
    ("全角４４０１０６１９９００１０１１２３Ｘ", "１２３Ｘ", ID_CARD),
    ("打我电话13812345678", "13812345678", MOBILE),
    ("手机 138 1234 5678 找我", "138 1234 5678", MOBILE),
    ("+86 138-1234-5678", "138-1234-5678", MOBILE),
    ("8613812345678", "13812345678", MOBILE),
    ("座机020-83331234", "83331234", LANDLINE),
    ("(0757) 2222 3333转12", "2222 3333", LANDLINE),
    ("电话：83331234", "83331234", LANDLINE),
    ("工资卡6222021234567890123被冻结", "6222021234567890123", BANK_CARD),
    ("卡号 6222 0212 3456 7890", "6222 0212 3456 7890", BANK_CARD),
    ("邮箱 zhang.san@qq.com", "zhang.san@qq.com", EMAIL),
])
def test_personal_numbers_are_replaced(text, secret, placeholder):
    clean = redact(text)
    assert secret not in clean
    assert placeholder in clean


@pytest.mark.parametrize("text", [
    "老板欠我12000元工资，2023年5月开始", "请拨打12348或者110", "学历公证要多少钱", "第三十一条",
    "广州市天河区", "我今年65岁",
])
def test_ordinary_text_is_untouched(text):
    assert redact(text) == text


def test_several_items_in_one_message():
    text = "我叫张三，身份证440106199001011234，手机13912345678，卡号6222021234567890"
    clean = redact(text)
    assert clean == f"我叫张三，身份证{ID_CARD}，手机{MOBILE}，卡号{BANK_CARD}"


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"], {"a": 1}])
def test_non_text_becomes_empty(value):
    assert redact(value) == ""


def test_huge_text_is_bounded():
    clean = redact("法" * 100_000 + "13812345678")
    assert len(clean) <= 2001
