"""Unit tests of the custom NLU components (no trained model needed)."""
from __future__ import annotations

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot import paths
from bot.nlu import datacheck
from bot.nlu.entities import KeyPhraseMatcher, EntityCanonicalizer, PlaceNotaryGazetteer, similarity
from bot.nlu.normalizer import normalize_text


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(paths.DATA / "nlu"))


def _component(cls, tmp_path_factory, training_data, **config):
    storage = LocalModelStorage(tmp_path_factory.mktemp(cls.__name__))
    resource = Resource(cls.__name__)
    config = {**cls.get_default_config(), **config}
    component = cls.create(config, storage, resource, None)
    component.train(training_data)
    # Round-trip through the model storage, as a loaded model would.
    return cls.load(config, storage, resource, None)


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory, training_data):
    return _component(PlaceNotaryGazetteer, tmp_path_factory, training_data)


@pytest.fixture(scope="module")
def canonicalizer(tmp_path_factory, training_data):
    return _component(EntityCanonicalizer, tmp_path_factory, training_data)


def _message(text: str, entities=None) -> Message:
    text = normalize_text(text)
    message = Message(data={"text": text})
    tokens = [Token(w, s) for w, s, _ in datacheck._jieba().tokenize(text) if w.strip()]
    message.set(TOKENS_NAMES["text"], tokens)
    message.set("entities", entities or [])
    return message


def _values(message: Message) -> set:
    return {(e["entity"], e["value"]) for e in message.get("entities")}


# --- normaliser -----------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("學歷公證點樣辦", "学历公证点样办"),
    ("我想申請法律援助", "我想申请法律援助"),
    ("ＡＢＣ　１２３", "ABC 123"),
    ("去公正处办公正", "去公证处办公证"),
    ("公正的判决", "公正的判决"),  # 公正 alone means "fair": left alone
    ("", ""),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected
    assert len(normalize_text(raw)) == len(raw)


def test_normalize_keeps_length_of_hostile_input():
    raw = "\u200b\x00<script>alert(1)</script>" + "臺" * 1000
    out = normalize_text(raw)
    assert len(out) == len(raw) and "\x00" not in out


# --- gazetteer --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("广州公证处在哪", {("city", "广州市")}),
    ("我喺穗", {("city", "广州市")}),
    ("佛山顺德法援中心", {("city", "佛山市"), ("district", "顺德区")}),
    ("乳源有没有司法所", {("district", "乳源瑶族自治县")}),
    ("鹏城龙岗", {("city", "深圳市"), ("district", "龙岗区")}),
    ("办驾照公证要什么", {("notary_item", "驾驶证公证")}),
    ("委託書公證", {("notary_item", "委托公证")}),
    ("毕业证要公证", {("notary_item", "学历公证")}),
    ("学历", {("notary_item", "学历公证")}),  # short answer to "which item?"
    ("光明区公证处", {("district", "光明区")}),
])
def test_gazetteer_finds_canonical_places_and_items(gazetteer, text, expected):
    message = gazetteer.process([_message(text)])[0]
    assert _values(message) == expected


@pytest.mark.parametrize("text", [
    "中山大学怎么考",         # 中山 inside a longer word is not the city
    "前途一片光明",           # short form of 光明区 that is an everyday word
    "我的学历不高，能找工作吗",  # item word outside a notarization context
    "城区哪里好玩",           # 汕尾's 城区 is an everyday word
    "",
])
def test_gazetteer_ignores_lookalikes(gazetteer, text):
    assert _values(gazetteer.process([_message(text)])[0]) == set()


def test_gazetteer_replaces_learned_non_canonical_places(gazetteer):
    learned = [
        {"entity": "city", "start": 0, "end": 2, "value": "广洲", "extractor": "DIETClassifier"},
        {"entity": "case_type", "start": 0, "end": 4, "value": "inheritance", "extractor": "DIETClassifier"},
    ]
    message = gazetteer.process([_message("继承公证去哪办", learned)])[0]
    assert _values(message) == {("notary_item", "继承公证")}


# --- canonicaliser ------------------------------------------------------------------------

def test_similarity():
    assert similarity("欠我两个月工资", "欠我三个月工资") > 0.6
    assert similarity("老板", "老板跑路") < 0.6
    assert similarity("", "x") == 0.0


def test_canonicalizer_maps_unseen_spans_and_drops_unknown(canonicalizer):
    text = "老板欠我两个月工资还有乱七八糟"
    entities = [
        {"entity": "case_type", "start": 2, "end": 9, "value": "欠我两个月工资"},
        {"entity": "case_type", "start": 11, "end": 15, "value": "乱七八糟"},
        {"entity": "person_group", "start": 0, "end": 2, "value": "migrant_worker"},
    ]
    message = canonicalizer.process([_message(text, entities)])[0]
    assert _values(message) == {("case_type", "labor_pay"), ("person_group", "migrant_worker")}


def test_canonicalizer_uses_exact_training_span(canonicalizer):
    message = canonicalizer.process([_message("唔出粮", [
        {"entity": "case_type", "start": 0, "end": 3, "value": "唔出粮"}])])[0]
    assert _values(message) == {("case_type", "labor_pay")}


@pytest.mark.parametrize("text, start, end, value, kept", [
    ("我细佬三十五岁偷电单车", 2, 7, "minor", False),   # DIET's "十五岁" learned on "三十五岁"
    ("我个仔十五岁俾人捉咗", 3, 6, "minor", True),
    ("佢廿八岁", 1, 4, "minor", False),
    ("我阿妈今年七十六岁", 5, 9, "elderly", True),
    ("我阿妈五十八岁", 3, 7, "elderly", False),
    ("佢一百零二岁", 1, 6, "minor", False),
])
def test_canonicalizer_drops_an_age_group_the_stated_age_contradicts(canonicalizer, text, start, end, value, kept):
    message = canonicalizer.process([_message(text, [
        {"entity": "person_group", "start": start, "end": end, "value": value}])])[0]
    assert _values(message) == ({("person_group", value)} if kept else set())


# --- case_type back-up matcher --------------------------------------------------------------

@pytest.fixture(scope="module")
def case_matcher():
    return KeyPhraseMatcher.create(KeyPhraseMatcher.get_default_config(), None, None, None)


def _classified(text: str, intent: str, entities=None) -> Message:
    message = _message(text, entities)
    message.set("intent", {"name": intent, "confidence": 0.9})
    return message


@pytest.mark.parametrize("text, expected", [
    ("老板欠了我半年工资不给", "labor_pay"),
    ("老細拖糧三個月", "labor_pay"),
    ("工地老板唔出粮", "labor_pay"),
    ("离婚后他不付孩子抚养费", "support"),      # more specific than 离婚
    ("老公出轨还经常打我", "domestic_violence"),  # more specific than 出轨
    ("劳动合同到期公司不续签", "labor_contract"),  # not the generic 合同
    ("亲戚借了五万一直不还", "debt"),
    ("楼上漏水到我家", "neighbor"),
    ("我老公饮醉酒喺门口拍门话要斩死我", "domestic_violence"),  # a threat to kill is violence (Art. 2)
])
def test_case_type_matcher_fills_missing_case_type(case_matcher, text, expected):
    message = case_matcher.process([_classified(text, "legal_problem")])[0]
    assert ("case_type", expected) in _values(message)


def test_case_type_matcher_keeps_learned_value_and_other_entities(case_matcher):
    learned = [{"entity": "case_type", "start": 0, "end": 2, "value": "marriage"}]
    message = case_matcher.process([_classified("离婚还欠钱", "legal_problem", learned)])[0]
    assert _values(message) == {("case_type", "marriage")}
    group = [{"entity": "person_group", "start": 2, "end": 7, "value": "violence_victim"}]
    message = case_matcher.process([_classified("我是家暴受害者", "inform", group)])[0]
    assert _values(message) == {("person_group", "violence_victim")}


@pytest.mark.parametrize("text, intent", [
    ("交通事故伤残鉴定在哪做", "judicial_appraisal"),  # a service question, not a problem
    ("今晚食咩好", "legal_problem"),                # no problem phrase at all
    ("工资多少才算困难", "legal_aid_eligibility"),    # pay mentioned, not owed
    ("", "legal_problem"),
])
def test_case_type_matcher_ignores_other_intents_and_plain_text(case_matcher, text, intent):
    assert _values(case_matcher.process([_classified(text, intent)])[0]) == set()


# --- person_group back-up matcher -----------------------------------------------------------

@pytest.fixture(scope="module")
def group_matcher():
    config = {**KeyPhraseMatcher.get_default_config(), "entity": "person_group"}
    return KeyPhraseMatcher.create(config, None, None, None)


@pytest.mark.parametrize("text, expected", [
    ("六十几岁的老人能不能免费请律师", "elderly"),
    ("子女不给赡养费，我八十岁了", "elderly"),
    ("我今年72岁，儿子不管我", "elderly"),
    ("军人家属可以申请法律援助吗", "military"),
    ("我系退役军人，公司欠我人工", "military"),
    ("我家是低保户，想告房东", "low_income"),
    ("我今年十六岁，老板不给工钱", "minor"),
    ("我有残疾证，能不能免费请律师", "disabled"),
    ("烈士家属打官司有人帮吗", "hero_martyr_family"),
    ("我是外来务工人员，被拖欠工资", "migrant_worker"),
])
def test_person_group_matcher_fills_missing_group(group_matcher, text, expected):
    message = group_matcher.process([_classified(text, "legal_aid_eligibility")])[0]
    assert _values(message) == {("person_group", expected)}


@pytest.mark.parametrize("text, intent", [
    ("我老公成日打我", "legal_problem"),             # a case type, no group named
    ("我儿子今年八岁，前夫不给抚养费", "legal_problem"),  # the child's age, not the citizen's
    ("收入低于多少才算困难", "legal_aid_eligibility"),
    ("老人院在哪里", "find_office"),                  # not a legal-aid intent
])
def test_person_group_matcher_stays_quiet_without_a_plain_group(group_matcher, text, intent):
    assert _values(group_matcher.process([_classified(text, intent)])[0]) == set()


def test_key_phrase_matcher_rejects_an_entity_without_phrases():
    with pytest.raises(ValueError, match="no key phrases"):
        KeyPhraseMatcher({**KeyPhraseMatcher.get_default_config(), "entity": "city"})


# --- linear intent blender --------------------------------------------------------------

BLENDER_DATA = {
    "notarization": ["学历公证怎么办", "我要办公证", "公证处办出生公证", "驾照公证要带什么", "委托书公证多少钱"],
    "mediation": ["邻居吵架想找人调解", "人民调解怎么申请", "调解委员会可以帮忙吗", "申请调解要钱吗", "想调解一下纠纷"],
    "out_of_scope": ["今天天气怎么样", "帮我订机票", "快递到哪了", "推荐一部电影", "附近有什么好吃的"],
}


def _blender_training_data():
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = []
    for intent, texts in BLENDER_DATA.items():
        for text in texts:
            message = _message(text)
            message.set("intent", intent)
            examples.append(message)
    return TrainingData(training_examples=examples)


@pytest.fixture(scope="module")
def blender(tmp_path_factory):
    from bot.nlu.linear_intent import LinearIntentBlender

    # The toy data alone: the consultation corpus would add its own examples of these intents.
    return _component(LinearIntentBlender, tmp_path_factory, _blender_training_data(), corpus=None)


def _with_diet(text: str, ranking: dict) -> Message:
    message = _message(text)
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking.items()])
    message.set("intent", {"name": max(ranking, key=ranking.get), "confidence": max(ranking.values())})
    return message


def test_blend_weights_the_two_distributions_and_fills_missing_intents():
    from bot.nlu.linear_intent import blend

    ranking = blend({"a": 0.9, "b": 0.1}, {"a": 0.2, "b": 0.3, "c": 0.5}, weight=0.5)
    assert ranking == [("a", pytest.approx(0.55)), ("c", pytest.approx(0.25)), ("b", pytest.approx(0.2))]
    assert blend({}, {"a": 0.4, "c": 0.6}, weight=0.3) == [("c", 0.6), ("a", 0.4)]


def test_blender_alone_classifies_by_shared_ngrams(blender):
    message = blender.process([_message("我想办个学历公证")])[0]
    assert message.get("intent")["name"] == "notarization"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "notarization"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-6)


def test_blender_overrules_a_confident_diet_mistake_and_keeps_the_weights(blender):
    diet = {"notarization": 0.9, "mediation": 0.06, "out_of_scope": 0.04}
    message = blender.process([_with_diet("明天天气怎么样，会下雨吗", diet)])[0]
    linear = blender.linear_distribution(_message("明天天气怎么样，会下雨吗"))
    expected = {n: 0.7 * linear[n] + 0.3 * diet[n] for n in diet}
    ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert ranking == pytest.approx(expected)
    assert message.get("intent")["name"] == max(expected, key=expected.get)
    assert message.get("intent")["name"] == "out_of_scope"


def test_blender_leaves_empty_text_alone_and_survives_hostile_text(blender):
    empty = Message(data={"text": ""})
    assert blender.process([empty])[0].get("intent") is None
    hostile = blender.process([_message("<script>" * 500 + "\u0000")])[0]
    assert hostile.get("intent")["name"] in BLENDER_DATA


def test_blender_without_a_trained_model_passes_diet_through(tmp_path):
    from bot.nlu.linear_intent import LinearIntentBlender

    storage = LocalModelStorage(tmp_path)
    untrained = LinearIntentBlender.load(LinearIntentBlender.get_default_config(), storage,
                                         Resource("nothing"), None)
    message = _with_diet("学历公证", {"notarization": 0.8, "mediation": 0.2})
    assert untrained.process([message])[0].get("intent") == {"name": "notarization", "confidence": 0.8}


def test_key_phrase_under_another_entity_does_not_hide_the_next_one(case_matcher):
    text = "我系低保户，前两个礼拜俾部私家车撞咗"
    start = text.index("低保户")
    message = _classified(text, "legal_problem", [{"entity": "person_group", "value": "low_income",
                                                   "start": start, "end": start + 3}])
    case_matcher.process([message])
    assert [e["value"] for e in message.get("entities") if e["entity"] == "case_type"] == ["traffic_accident"]


def test_fast_probabilities_equal_sklearns():
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from bot.nlu.linear_intent import probabilities

    rng = np.random.default_rng(0)
    features = csr_matrix(rng.random((40, 12)))
    for n_classes in (2, 4):
        labels = [f"c{i % n_classes}" for i in range(40)]
        classifier = LogisticRegression(max_iter=500).fit(features, labels)
        for row in range(3):
            assert np.allclose(probabilities(classifier, features[row]), classifier.predict_proba(features[row])[0])
