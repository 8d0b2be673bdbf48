"""Small text helpers: Chinese article numbers, input clean-up, citation strings."""
from __future__ import annotations

import functools
import unicodedata

DIGITS = "零一二三四五六七八九"
MAX_INPUT = 200  # place names and item names are short; longer input is cut, never processed whole


def chinese_number(n: int) -> str:
    """1..999 → 一, 十, 十一, 二十, 一百零五 (the way articles are numbered)."""
    if not 0 < n < 1000:
        raise ValueError(f"article number out of range: {n}")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if (tens == 1 and not hundreds) else DIGITS[tens]) + "十"
    if ones:
        out += DIGITS[ones]
    return out


def parse_chinese_number(text: str) -> int | None:
    """"三十五" → 35, "廿八" → 28, "一百零二" → 102, "17" → 17; None when it is no number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text.replace("廿", "二十").replace("卅", "三十"):
        if ch in DIGITS or ch == "两":
            current = 2 if ch == "两" else DIGITS.index(ch)
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return total + current


def article_label(article: int | None) -> str:
    return f"第{chinese_number(article)}条" if article else ""


def short_law(law: str) -> str:
    return law.removeprefix("中华人民共和国")


@functools.lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc

        return opencc.OpenCC("t2s").convert
    except Exception:  # the package is a project dependency; degrade to identity if broken
        return lambda s: s


# Cantonese characters OpenCC's t2s table turns into rare variants no pattern or citizen uses
# (嗰 → 𠮶, 喎 → 㖞, 餸 → 𩠌): they stay as typed.
KEEP_CANTONESE = str.maketrans({"𠮶": "嗰", "㖞": "喎", "𩠌": "餸"})


def to_simplified(text: str) -> str:
    """Traditional → Simplified (identity if OpenCC is unavailable); no length limit."""
    return _t2s()(text).translate(KEEP_CANTONESE)


def clean(value) -> str:
    """Any input → stripped, half-width, Simplified, bounded string ('' for None/garbage)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = unicodedata.normalize("NFKC", value[: MAX_INPUT * 2])
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    return _t2s()(value.strip()).translate(KEEP_CANTONESE)[:MAX_INPUT]
