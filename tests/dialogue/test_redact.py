"""Personal data never reaches the missed-question store or the logs."""
from __future__ import annotations

import pytest

from bot.review.redact import (
    BANK_CARD, CASE_NUMBER, EMAIL, ID_CARD, ID_DOCUMENT, LANDLINE, MOBILE, NAME, NUMBER, PLATE, QQ, WECHAT,
    redact, strip_controls,
)


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
    ("我叫张三", "张三", NAME),
    ("我叫欧阳娜娜", "欧阳娜娜", NAME),
    ("姓名：李四，男", "李四", NAME),
    ("本人王小明在广州打工", "王小明", NAME),
    ("本人欧阳修", "欧阳修", NAME),
    ("我的名字叫陈大文", "陈大文", NAME),
    ("名字叫李想", "李想", NAME),
    ("QQ号123456789", "123456789", QQ),
    ("加我qq：10001234", "10001234", QQ),
    ("微信号 abc_123", "abc_123", WECHAT),
    ("vx: zhang-san88", "zhang-san88", WECHAT),
    ("加我ＶＸ：ｚｓ２０２３ｏｋ", "２０２３", WECHAT),
    ("案号（2023）粤0106民初12345号", "0106民初12345", CASE_NUMBER),
    ("(2024)粤01民终123号判决", "01民终123", CASE_NUMBER),
    ("（2022）最高法民申7号之一", "民申7", CASE_NUMBER),
    ("穗劳人仲案字〔2023〕1234号", "1234号", CASE_NUMBER),
    ("回乡证H12345678", "H12345678", ID_DOCUMENT),
    ("通行证 M1234567801", "M1234567801", ID_DOCUMENT),
    ("港澳通行证C12345678", "C12345678", ID_DOCUMENT),
    ("香港身份证A123456(7)", "A123456", ID_DOCUMENT),
    ("香港身份证AB123456（9）", "AB123456", ID_DOCUMENT),
    ("澳门身份证1234567(8)", "1234567", ID_DOCUMENT),
    ("护照号EA1234567", "EA1234567", ID_DOCUMENT),
    ("护照 E12345678", "E12345678", ID_DOCUMENT),
    ("台胞证12345678", "12345678", ID_DOCUMENT),
    ("车牌粤B12345被扣", "B12345", PLATE),
    ("粤B·D12345新能源车", "D12345", PLATE),
    ("粤b 12345", "12345", PLATE),
    ("粤Z1234港的车", "Z1234", PLATE),
    ("手机138.1234.5678", "1234.5678", MOBILE),
    ("138 1234 5678", "1234 5678", MOBILE),
    ("1381 234 5678", "234 5678", MOBILE),
    ("电话是一三八一二三四五六七八", "一三八一二三四五六七八", NUMBER),
    ("幺三八 幺二三四 五六七八", "幺二三四", NUMBER),
    ("号码是138一二三四五六七八", "一二三四五六七八", NUMBER),
    ("身份证号四四零一零六一九九零", "四四零一零六一九九零", NUMBER),
])
def test_personal_numbers_are_replaced(text, secret, placeholder):
    clean = redact(text)
    assert secret not in clean, clean
    assert placeholder in clean, clean


@pytest.mark.parametrize("text", [
    "老板欠我12000元工资，2023年5月开始", "请拨打12348或者110", "学历公证要多少钱", "第三十一条",
    "广州市天河区", "我今年65岁",
    "劳动合同法第八十二条", "公司拖欠三个月工资", "2023年5月入职", "老板欠我5万元", "粤港澳大湾区",
    "二〇二三年五月", "本人想咨询离婚的事", "本人高中毕业", "本人是农民工", "我叫他还钱他不还", "我叫了救护车",
    "我在微信上和老板聊过", "微信公众号", "广州市中级人民法院", "（2023年）的事", "第一百二十三条",
    "iPhone 15", "赔偿金额为月工资的二倍", "ISO9001", "一二三四五六", "新能源车", "粤语", "京东",
])
def test_ordinary_text_is_untouched(text):
    assert redact(text) == text


def test_several_items_in_one_message():
    text = "我叫张三，身份证440106199001011234，手机13912345678，卡号6222021234567890"
    clean = redact(text)
    assert clean == f"我叫{NAME}，身份证{ID_CARD}，手机{MOBILE}，卡号{BANK_CARD}"


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["list"], {"a": 1}])
def test_non_text_becomes_empty(value):
    assert redact(value) == ""


def test_huge_text_is_bounded():
    clean = redact("法" * 100_000 + "13812345678")
    assert len(clean) <= 2001


def test_name_stops_at_function_words():
    assert redact("我叫张三今年40岁") == f"我叫{NAME}今年40岁"
    assert redact("我叫张三是农民工") == f"我叫{NAME}是农民工"


@pytest.mark.parametrize("hidden", ["\x00", "\u200b", "\u202e", "\u2066", "\ufeff", "\u00ad", "\x85", "\ud800"])
def test_hidden_characters_cannot_split_a_number(hidden):
    clean = redact(f"手机138{hidden}1234{hidden}5678")
    assert clean == f"手机{MOBILE}"


def test_control_characters_are_removed_and_layout_kept():
    assert strip_controls("a\x00b\x07c\x1b[31m\u202ed\ud800\n\te\r") == "abc[31md\n\te\r"
    assert "\x00" not in redact("\x00" * 50)
    assert strip_controls("١٢٣𝟒") == "1234"  # any decimal digit becomes ASCII (then redacted like one)
