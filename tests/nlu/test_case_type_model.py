"""Message-level case type and greeting + question through the trained model (marked `model`),
and whole consultations through the REST channel (marked `servers`). The inputs are the
issue's own examples and new stories written for these tests, not development-set messages."""
from __future__ import annotations

import re

import pytest

from bench.metrics import LEGAL_INTENTS, predicted_case_type, score_consultations
from bot.nlu import consultations

pytestmark = pytest.mark.model

# Floors below the benchmark (docs/benchmarks.md, "Real consultations") by a margin for
# training noise, far above what a model without the classifier or the corpus scores.
DEV_FLOORS = {"routed": 0.92, "case_type_accuracy": 0.70}


@pytest.fixture(scope="module")
def dev_report(parse):
    items = consultations.load(consultations.DEV_SET)
    return score_consultations(items, [(parse(item.text), 0.0) for item in items])


def test_development_consultations_are_routed_and_typed(dev_report):
    assert dev_report.routed >= DEV_FLOORS["routed"]
    assert dev_report.case_type_accuracy >= DEV_FLOORS["case_type_accuracy"]


@pytest.mark.parametrize("text, case_type", [
    # No key phrase names the matter: the whole message decides.
    ("朋友欠我二十万一直拖着，问他就说下个月，已经拖了两年了", "debt"),
    ("前几年借给表哥五万块到现在一分没还催了好多次他都说没钱", "debt"),
    # The wider contract.
    ("我在网上看到一个投资理财群，跟着老师操作转了八万进去，现在平台提不了现，客服也把我拉黑了", "fraud_victim"),
    ("我开的小饭馆被市场监管局罚了两万块，说我后厨不合格，我觉得罚得太重了，能不能不服", "administrative"),
    ("我们公司注册的商标被隔壁厂一模一样地用在他们的产品上，卖得比我们还便宜，怎么维权", "intellectual_property"),
    ("我和朋友合伙开公司，我占股百分之三十，这两年公司赚了钱却一直不给我分红，账也不让我看", "company"),
    ("我给朋友做了担保人，他跟银行借了三十万现在还不上，银行来找我还钱，我要全部还吗", "guarantee"),
    ("有人在抖音上发视频造谣说我老婆插足别人家庭，还把她照片发出去，我们想告他", "tort"),
])
def test_case_type_comes_from_the_whole_message(parse, text, case_type):
    result = parse(text)
    assert result["intent"]["name"] in LEGAL_INTENTS
    assert predicted_case_type(result) == case_type, result.get("case_type_ranking")
    values = [e for e in result["entities"] if e["entity"] == "case_type"]
    assert len(values) == 1  # one value per turn
    assert result.get("case_type_ranking")


@pytest.mark.parametrize("text", [
    "您好，在吗？我想跟老公离婚但不知道怎么弄",
    "你好 请问一下 老板拖欠了我三个月的工资不发怎么办",
    "律师你好，我想问问学历公证要带什么材料",
])
def test_greeting_then_question_gets_the_questions_intent(parse, text):
    intent = parse(text)["intent"]["name"]
    assert intent not in ("greet", "nlu_fallback", "out_of_scope"), intent


@pytest.mark.parametrize("text", ["你好", "您好，在吗？", "哈喽哈喽"])
def test_a_greeting_alone_stays_greet(parse, text):
    assert parse(text)["intent"]["name"] == "greet"


def _texts(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.fixture
def sender(sender_id) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", sender_id)


@pytest.mark.servers
def test_a_later_specific_statement_overrides_an_earlier_vague_one(bot_server, sender):
    bot_server.say(sender, "我想咨询一下合同方面的纠纷")
    reply = _texts(bot_server.say(sender, "其实就是公司拖欠了我三个月的工资一直不发，我已经离职了"))
    assert "劳动争议仲裁" in reply or "劳动仲裁" in reply
    assert "第三十一条" in reply


@pytest.mark.servers
def test_a_fraud_victim_is_told_to_report_to_the_police_first(bot_server, sender):
    reply = _texts(bot_server.say(sender, "您好，我在网上兼职刷单被骗了三万多，对方现在已经把我拉黑了，我该怎么办"))
    assert "110" in reply and "派出所" in reply
    assert reply.index("110") < reply.index("法律援助")


@pytest.mark.servers
def test_an_administrative_penalty_gets_reconsideration_with_its_time_limit(bot_server, sender):
    reply = _texts(bot_server.say(sender, "我开的小卖部被执法局罚款五千元，我觉得处罚不合理，想讨个说法"))
    assert "行政复议" in reply and "60日" in reply and "第二十条" in reply
