"""Normalisation keeps offsets and yields one script."""
import pytest

from bot.nlu.normalizer import normalize_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("點樣申請法律援助", "点样申请法律援助"),
        ("邊度有公證處？", "边度有公证处?"),
        ("ＡＢＣ１２３", "ABC123"),
        ("广州\u3000天河", "广州 天河"),
        ("我想问\tlegal aid", "我想问 legal aid"),
        ("", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize_text(raw) == expected


def test_length_is_preserved_for_long_mixed_text():
    raw = "喺廣州嘅律師事務所有冇法律顧問？I need a lawyer 唔該！" * 20
    assert len(normalize_text(raw)) == len(raw)
