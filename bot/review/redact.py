"""Remove personal data from text before it is stored or logged.

Covers what citizens paste into a legal chat: resident ID-card numbers (18 digits with
the X check digit, and the old 15-digit form), Hong Kong / Macau IDs, travel permits
(回乡证 H/M…, 往来港澳通行证 C…) and passports, mobile numbers (+86, grouped with
spaces, dashes or dots), landlines (area code, or after a word like 电话), bank-card
numbers (16-19 digits, grouped or not), e-mail addresses, QQ numbers and WeChat ids,
court / arbitration case numbers, licence plates, digit strings spelt in Chinese
numerals (一三八… / 幺三八…) and names after 我叫 / 姓名 / 名字叫 / 本人.

We over-redact rather than leak: any long digit run that could be one of these is
replaced. Control, format (bidi, zero-width) and surrogate characters are removed first,
so a hidden character cannot split a number past the patterns and every result can be
stored as-is (PostgreSQL rejects NUL in text).
"""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000  # enough for any real question; stored rows stay small

# Full-width letters and number punctuation (digits are made ASCII by strip_controls).
_FULLWIDTH = str.maketrans({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
                           | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
                           | dict(zip("－＋．＠", "-+.@")))
_SEP = r"[ \-]?"  # people group digits with a space or a dash
_KEEP_CONTROLS = "\t\n\r"
_CJK = r"\u4e00-\u9fff"

ID_CARD = "[身份证号]"
ID_DOCUMENT = "[证件号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"
EMAIL = "[邮箱]"
QQ = "[QQ号]"
WECHAT = "[微信号]"
CASE_NUMBER = "[案号]"
PLATE = "[车牌号]"
NUMBER = "[号码]"
NAME = "[姓名]"

_CUE_SEP = r"[:：是为\s]*"
_OPEN, _CLOSE = r"[（(〔\[【]", r"[）)〕\]】]"
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_CHINESE_DIGITS = "〇一二三四五六七八九零幺两壹贰叁肆伍陆柒捌玖"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII), EMAIL),
    # QQ number / WeChat id after the word that names it ("QQ号123456", "vx: abc_123").
    (re.compile(rf"((?<![A-Za-z])(?:QQ|扣扣)(?:号码|号)?{_CUE_SEP})\d{{5,12}}(?!\d)", re.IGNORECASE), rf"\1{QQ}"),
    (re.compile(rf"((?:微信|威信|薇信|(?<![A-Za-z])(?:vx|wx|v信|weixin|wechat))(?:号码|号|id)?{_CUE_SEP})"
                r"[A-Za-z0-9][-_A-Za-z0-9]{4,19}(?![-_A-Za-z0-9])", re.IGNORECASE), rf"\1{WECHAT}"),
    # Court case number: （2023）粤0106民初12345号, (2024)粤01民终123号, （2022）最高法民申7号之一.
    (re.compile(rf"{_OPEN}\s*(?:19|20)\d{{2}}\s*{_CLOSE}\s*[{_CJK}]{{1,6}}\d{{0,6}}[{_CJK}]{{0,3}}"
                rf"[民刑行执赔破商知][{_CJK}]{{0,3}}\d{{1,7}}号?(?:之[一二三四五六七八九十\d]+)?"), CASE_NUMBER),
    # Arbitration / document number: 穗劳人仲案字〔2023〕1234号.
    (re.compile(rf"{_OPEN}\s*(?:19|20)\d{{2}}\s*{_CLOSE}\s*(?:第\s*)?\d{{1,7}}\s*号"), CASE_NUMBER),
    # 18-digit ID: 6 (region) + 8 (birth date) + 3 + check digit (0-9 or X), maybe grouped.
    (re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[0-9Xx](?![0-9A-Za-z])"), ID_CARD),
    (re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{6}}{_SEP}\d{{3}}(?![0-9A-Za-z])"), ID_CARD),  # old 15-digit
    # Letters + digits: HK ID A123456(7), 回乡证 H12345678 / M1234567801, 通行证 C12345678,
    # passport E12345678 / EA1234567; Macau ID 1234567(8).
    (re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6}(?:\s*[（(]\s*[0-9Aa]\s*[）)]|\d{1,4})(?![A-Za-z0-9])"), ID_DOCUMENT),
    (re.compile(r"(?<!\d)[157]\d{6}\s*[（(]\s*\d\s*[）)]"), ID_DOCUMENT),
    (re.compile(rf"((?:护照|通行证|回乡证|台胞证|证件)(?:号码|号)?{_CUE_SEP})[A-Za-z0-9]{{6,12}}(?![A-Za-z0-9])"),
     rf"\1{ID_DOCUMENT}"),
    # Licence plate: 粤B12345, 粤B·D12345 (new energy), 粤Z1234港; at least two digits.
    (re.compile(rf"[{_PROVINCES}]\s?[A-Za-z]\s?[·•・.\- ]?(?=(?:[A-Za-z]*\d){{2}})[A-Za-z0-9]{{4,6}}[港澳挂学警领]?"
                r"(?![A-Za-z0-9])"), PLATE),
    # Mobile: optional +86 / 86, then 1[3-9] and 9 digits in any grouping (spaces, dashes, dots).
    (re.compile(r"(?<!\d)(?:\+?86[ \-.]?)?1[3-9](?:[ \-.]?\d){9}(?!\d)"), MOBILE),
    # Bank card: 16-19 digits, optionally in groups.
    (re.compile(r"(?<!\d)\d(?:[ \-]?\d){15,18}(?!\d)"), BANK_CARD),
    # Landline with area code: 020-12345678, (0757) 2222 3333, 0757 22223333转123.
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ \-.]?\d{3,4}[ \-.]?\d{4}(?:\s*(?:转|-|ext\.?)\s*\d{1,6})?(?!\d)"),
     LANDLINE),
    # A bare 7-8 digit number right after a word that says it is a phone number.
    (re.compile(r"(电话|座机|号码|手机|tel)([:：是为\s]*)\d{3,4}[ \-.]?\d{4}(?!\d)", re.IGNORECASE),
     r"\1\2" + LANDLINE),
    # A number read out in Chinese numerals: 7 or more digit characters, maybe grouped.
    (re.compile(rf"(?=(?:[ \-]?[0-9{_CHINESE_DIGITS}]){{7}})(?=[0-9 \-]{{0,24}}[{_CHINESE_DIGITS}])"
                rf"[0-9{_CHINESE_DIGITS}](?:[ \-]?[0-9{_CHINESE_DIGITS}])+"), NUMBER),
]

# Names: 2-4 CJK characters after a cue word. The name ends at a word that cannot be part
# of it (是, 今年, 在 ...) found after its first two characters; a "name" that starts with
# a pronoun or a common noun (我叫他还钱, 我叫朋友帮忙) is not one.
_NAME_CUES = re.compile(rf"(我叫|我的名字叫|我的名字是|名字叫|名字是|姓名{_CUE_SEP}|本人叫|本人名叫|本人(?=[{_CJK}]))"
                        rf"([{_CJK}]{{2,4}})")
_NAME_ENDS = ("是", "今年", "今天", "现在", "在", "住", "想", "要", "的", "了", "吗", "呢", "啊", "吧", "和", "与",
              "跟", "从", "因", "被", "已", "来", "男", "女", "岁", "身份", "电话", "手机", "我", "你", "他", "她")
_NOT_NAMES = ("他", "她", "你", "我", "它", "人", "不", "了", "什么", "谁", "朋友", "老板", "公司", "律师", "警察",
              "家人", "同事", "对方", "别人", "救护", "外卖", "过来", "来", "去")
# After the weak cue 本人 only a name with a common, unambiguous surname counts
# (本人想咨询, 本人高中毕业 and 本人于去年入职 are not names).
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙朱胡郭林罗郑梁谢宋唐许韩冯邓曹彭曾肖董潘袁蔡蒋杜叶魏苏吕丁卢姚沈钟"
                "姜崔谭陆范汪廖韦贾夏邹熊孟秦邱侯尹薛闫段雷黎陶贺毛郝顾龚邵覃戴严莫孔汤赖施洪柯庄伍温蓝")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "慕容", "令狐", "皇甫", "尉迟")


def _name(match: re.Match) -> str:
    cue, candidate = match.group(1), match.group(2)
    if candidate.startswith(_NOT_NAMES):
        return match.group(0)
    if cue == "本人" and not (candidate[0] in _SURNAMES or candidate.startswith(_COMPOUND_SURNAMES)):
        return match.group(0)
    cut = min((i for i in (candidate.find(word, 2) for word in _NAME_ENDS) if i >= 2), default=len(candidate))
    return cue + NAME + candidate[cut:]


def strip_controls(text: str) -> str:
    """`text` without control, format (bidi, zero-width) and lone surrogate characters
    (tab and newlines stay), with every decimal digit written as ASCII."""
    out = []
    for ch in text:
        if ch in _KEEP_CONTROLS or ch.isascii() and ch.isprintable():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs"):
            continue
        out.append(str(unicodedata.decimal(ch)) if category == "Nd" else ch)
    return "".join(out)


def redact(text: object, max_chars: int = MAX_CHARS) -> str:
    """`text` with personal data replaced by placeholders; non-strings become ''."""
    if not isinstance(text, str):
        return ""
    clean = strip_controls(text[: max_chars * 2]).translate(_FULLWIDTH)
    for pattern, placeholder in _PATTERNS:
        clean = pattern.sub(placeholder, clean)
    clean = _NAME_CUES.sub(_name, clean)
    if len(clean) > max_chars:
        clean = clean[:max_chars] + "…"
    return clean

