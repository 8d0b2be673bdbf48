"""Remove personal data from text before it is stored or logged.

Covers what citizens paste into a legal chat: resident ID-card numbers (18 digits with
the X check digit, and the old 15-digit form), mobile numbers (+86, spaces or dashes),
landlines (area code, or after a word like 电话), bank-card numbers (16-19 digits, grouped
or not) and e-mail addresses. We over-redact rather than leak: any long digit run that
could be one of these is replaced.
"""
from __future__ import annotations

import re

MAX_CHARS = 2000  # enough for any real question; stored rows stay small

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ－＋", "0123456789Xx-+")
_SEP = r"[ \-]?"  # people group digits with a space or a dash

ID_CARD = "[身份证号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"
EMAIL = "[邮箱]"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII), EMAIL),
    # 18-digit ID: 6 (region) + 8 (birth date) + 3 + check digit (0-9 or X), maybe grouped.
    (re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[0-9Xx](?![0-9A-Za-z])"), ID_CARD),
    (re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{6}}{_SEP}\d{{3}}(?![0-9A-Za-z])"), ID_CARD),  # old 15-digit
    # Mobile: optional +86 / 86, then 1[3-9]x xxxx xxxx.
    (re.compile(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"), MOBILE),
    # Bank card: 16-19 digits, optionally in groups.
    (re.compile(r"(?<!\d)\d(?:[ \-]?\d){15,18}(?!\d)"), BANK_CARD),
    # Landline with area code: 020-12345678, (0757) 2222 3333, 0757 22223333转123.
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ \-]?\d{3,4}[ \-]?\d{4}(?:\s*(?:转|-|ext\.?)\s*\d{1,6})?(?!\d)"),
     LANDLINE),
    # A bare 7-8 digit number right after a word that says it is a phone number.
    (re.compile(r"(电话|座机|号码|手机|tel)([:：是为\s]*)\d{3,4}[ \-]?\d{4}(?!\d)", re.IGNORECASE),
     r"\1\2" + LANDLINE),
]


def redact(text: object, max_chars: int = MAX_CHARS) -> str:
    """`text` with personal numbers replaced by placeholders; non-strings become ''."""
    if not isinstance(text, str):
        return ""
    clean = text.translate(_FULLWIDTH_DIGITS)[: max_chars * 2]
    for pattern, placeholder in _PATTERNS:
        clean = pattern.sub(placeholder, clean)
    if len(clean) > max_chars:
        clean = clean[:max_chars] + "…"
    return clean
