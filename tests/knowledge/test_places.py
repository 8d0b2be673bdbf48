"""Place lookup by city, district, alias; unknown places get suggestions."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text, city, district", [
    ("广州市", "广州市", None), ("广州", "广州市", None), ("穗", "广州市", None), ("羊城", "广州市", None),
    ("鹏城", "深圳市", None), ("深", "深圳市", None), ("莞", "东莞市", None), ("东莞", "东莞市", None),
    ("中山", "中山市", None), ("佛", "佛山市", None), ("廣州", "广州市", None), ("广东省佛山市", "佛山市", None),
    ("天河", "广州市", "天河区"), ("天河区", "广州市", "天河区"), ("顺德", "佛山市", "顺德区"),
    ("佛山顺德", "佛山市", "顺德区"), ("我在深圳南山区", "深圳市", "南山区"), ("梅县", "梅州市", "梅县区"),
    ("乳源", "韶关市", "乳源瑶族自治县"), ("连山", "清远市", "连山壮族瑶族自治县"), ("汕尾城区", "汕尾市", "城区"),
])
def test_resolve(kb, text, city, district):
    place = kb.resolve_place(text)
    assert place is not None, text
    assert (place.city, place.district) == (city, district)


@pytest.mark.parametrize("text", ["北京", "香港", "", None, 12345, "x" * 100_000, "穗穗穗穗", "城里"])
def test_unknown_or_garbage_is_none(kb, text):
    assert kb.resolve_place(text) is None


def test_one_character_alias_does_not_match_inside_sentences(kb):
    assert kb.resolve_place("深夜") is None


def test_suggestions_for_typos(kb):
    assert kb.suggest_places("佛三")[0] == "佛山市"
    assert "顺德区" in kb.suggest_places("顺得")
    assert kb.suggest_places("北京") == []
    assert kb.suggest_places("天河") == ["天河区"]
    assert len(kb.suggest_places("山", limit=3)) <= 3


def test_find_offices_by_city_district_alias(kb):
    by_alias = kb.find_offices(city="穗")
    assert [o.office_type for o in by_alias] == ["public_legal_service_center", "legal_aid", "hotline"]
    assert all(o.city in ("广州市", None) for o in by_alias)
    by_district = kb.find_offices(district="顺德")
    assert by_district[0].city == "佛山市"
    assert kb.find_offices(city="火星") == []
    legal_aid = kb.find_offices(city="深圳", office_type="legal_aid")
    assert [o.office_type for o in legal_aid] == ["legal_aid", "hotline"]
    assert [o.phone for o in kb.find_offices()] == ["12348"]


def test_office_text_says_what_is_unknown(kb):
    text = kb.office_list(city="湛江").to_text()
    assert "湛江市" in text and "未收录" in text and "12348" in text
