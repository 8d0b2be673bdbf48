"""WeChat deadlines and faults (issue 14, item 5): every test here failed before the fix."""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.channels.wechat import WeChatInput
from bot.channels.wecom import WeComInput
from bot.channels.wx_core import BOT_ERROR_REPLY
from bot.channels.wx_replies import MAX_TEXT_BYTES, PASSIVE_ONLY_NOTE
from bot.channels.wx_security import RequestRejected, check_timestamp, parse_xml
from bot.channels.wx_store import FallbackStore, MemoryStore, store_from_env
from tests.channels.conftest import AGENT_ID, APP_ID, CORP_ID, PASSIVE_DEADLINE, TOKEN, slow_path
from tests.channels.harness import ChannelServer, FakeBot, SwitchableRedis, free_port, wait_for_key, wait_idle
from tests.channels.wx_platform import Platform, new_aes_key


class SlowClaimStore(MemoryStore):
    """Redis under load: the de-dup claim alone takes longer than the passive-reply budget."""

    async def add(self, key, value, ttl):
        if ":seen:" in key:
            await asyncio.sleep(0.5)
        return await super().add(key, value, ttl)


class FailingDeleteOnce(MemoryStore):
    """A store fault after the claim (ask_bot clears the user's old options with delete)."""

    failed = False

    async def delete(self, key):
        if ":opts:" in key and not self.failed:
            self.failed = True
            raise RuntimeError("store fault")
        await super().delete(key)


@pytest.fixture
def serve(fake_api):
    """serve(store=…, api=True, deadline=…) → (platform, bot, channel): plain-mode Official Account."""
    servers = []

    def start(store=None, api=True, deadline=PASSIVE_DEADLINE, aes_key=None):
        channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret="s3cret" if api else None,
                              encoding_aes_key=aes_key, api_base=fake_api.base,
                              store=store if store is not None else MemoryStore(), reply_deadline=deadline)
        bot = FakeBot()
        servers.append(ChannelServer(channel, bot).start())
        return Platform(servers[-1].url, TOKEN, APP_ID, aes_key=aes_key), bot, channel

    yield start
    for server in servers:
        server.stop()


# ---- the budget counts from the request's arrival ------------------------------------------

def test_budget_spent_on_redis_sends_the_answer_through_the_api(serve, fake_api):
    platform, bot, channel = serve(store=SlowClaimStore(), deadline=0.3)
    response = platform.post(platform.text_xml("oBudget", "你好"))
    # The bot answers at once, but the claim used the whole budget: a passive reply would leave late.
    assert response.text == "success"
    sent = fake_api.wait_for_sent(1)
    assert [s["body"]["touser"] for s in sent] == ["oBudget"]
    assert sent[0]["body"]["text"]["content"].startswith("收到：你好")
    wait_idle(channel)
    assert len(fake_api.sent) == 1


# ---- retries while the first attempt is still running ----------------------------------------

@pytest.mark.parametrize("api", [True, False], ids=["with-api", "without-api"])
def test_retry_while_first_attempt_runs_gets_the_answer_once(serve, fake_api, api):
    platform, bot, channel = serve(api=api, deadline=10.0)
    xml = platform.text_xml("oRetry", "慢一点", msg_id="5500000000000000001")
    with pytest.raises(requests.ReadTimeout):  # the platform gives up on the first connection
        platform.post(xml, timeout=0.5)
    with ThreadPoolExecutor(max_workers=1) as pool:
        retry = pool.submit(platform.post, xml)
        wait_for_key(channel.store, "wechat:retry:")  # the retry is waiting for the answer
        bot.release()
        reply = platform.reply(retry.result())
    assert reply["ToUserName"] == "oRetry"
    assert reply["Content"].startswith("收到：慢一点")
    wait_idle(channel)
    assert fake_api.sent == []  # never both
    assert bot.texts() == ["慢一点"]


def test_a_retry_arriving_while_the_first_connection_looks_open_is_the_one_answered(serve, fake_api):
    platform, bot, channel = serve(deadline=10.0)
    xml = platform.text_xml("oOverlap", "慢重叠", msg_id="5500000000000000005")
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(platform.post, xml)  # a proxy may keep this connection open for us
        wait_for_key(channel.store, "wechat:seen:")
        retry = pool.submit(platform.post, xml)
        wait_for_key(channel.store, "wechat:retry:")
        bot.release()
        first_response, retry_response = first.result(), retry.result()
    assert first_response.text == "success"  # the platform already gave up on the first connection
    assert platform.reply(retry_response)["Content"].startswith("收到：慢重叠")
    wait_idle(channel)
    assert fake_api.sent == []


def test_retry_after_the_api_handover_is_answered_once(wechat_plain):
    platform, bot, api, channel = wechat_plain
    slow_path(channel)
    xml = platform.text_xml("oHandover", "慢慢说", msg_id="5500000000000000002")
    assert platform.post(xml).text == "success"
    assert platform.post(xml).text == "success"  # the retry finds nothing ready in its budget
    bot.release()
    api.wait_for_sent(1)
    wait_idle(channel)
    assert [s["body"]["touser"] for s in api.sent] == ["oHandover"]


def test_without_api_a_slow_answer_rides_on_the_platform_retry(serve):
    platform, bot, channel = serve(api=False, deadline=0.3)
    xml = platform.text_xml("oPatient", "慢回答", msg_id="5500000000000000003")
    # Without the API, "success" would stop the platform's retries: the connection is held instead.
    with pytest.raises(requests.ReadTimeout):
        platform.post(xml, timeout=1.0)
    bot.release()
    wait_for_key(channel.store, "wechat:answer:")
    reply = platform.reply(platform.post(xml))  # the platform's retry
    assert reply["ToUserName"] == "oPatient" and reply["Content"].startswith("收到：慢回答")
    assert platform.post(xml).text == "success"  # a further retry does not answer twice


# ---- store faults --------------------------------------------------------------------------

def test_redis_unreachable_falls_back_to_memory(serve):
    store = store_from_env({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})  # nothing listens there
    platform, bot, _ = serve(store=store)
    reply = platform.reply(platform.post(platform.text_xml("oNoRedis", "你好")))
    assert reply["Content"].startswith("收到：你好")


def test_redis_stopping_mid_conversation_keeps_answering(serve):
    redis_like = SwitchableRedis()
    platform, bot, _ = serve(store=FallbackStore(redis_like, retry_after=0.1))
    assert "回复 1" in platform.reply(platform.post(platform.text_xml("oFlaky", "菜单")))["Content"]
    redis_like.down = True
    for text in ("还在吗", "1"):
        assert platform.reply(platform.post(platform.text_xml("oFlaky", text)))["Content"].startswith("收到")
    redis_like.down = False
    time.sleep(0.2)
    assert platform.reply(platform.post(platform.text_xml("oFlaky", "恢复了")))["Content"].startswith("收到")


def test_a_claim_made_during_an_outage_still_holds_after_recovery():
    redis_like = SwitchableRedis()
    store = FallbackStore(redis_like, retry_after=0.0)

    async def scenario():
        redis_like.down = True
        assert await store.add("wechat:seen:msg:1", "1", 60)
        redis_like.down = False
        assert not await store.add("wechat:seen:msg:1", "1", 60)  # the retry, once Redis is back
        assert await store.get("wechat:seen:msg:1") == "1"
        await store.delete("wechat:seen:msg:1")
        assert await store.add("wechat:seen:msg:1", "2", 60)

    asyncio.run(scenario())


def test_failure_after_the_claim_answers_12348_and_releases_the_claim(serve):
    platform, bot, _ = serve(store=FailingDeleteOnce())
    xml = platform.text_xml("oFault", "你好", msg_id="5500000000000000004")
    first = platform.post(xml)
    assert first.status_code == 200 and "12348" in platform.reply(first)["Content"]
    retry = platform.reply(platform.post(xml))  # the claim was released: the retry is handled
    assert retry["Content"].startswith("收到：你好")


def test_memory_store_pruning_never_evicts_the_access_token():
    store = MemoryStore(max_keys=10)

    async def scenario():
        await store.put("wx:token:wechat:wxapp", "TOKEN", 7000)
        for i in range(50):
            await store.add(f"wechat:seen:msg:{i}", "1", 3600)
        return await store.get("wx:token:wechat:wxapp")

    assert asyncio.run(scenario()) == "TOKEN"
    assert len(store._data) <= 10


# ---- never a silent turn ----------------------------------------------------------------------

def test_a_bot_that_answers_nothing_gets_the_12348_text(wechat_plain):
    platform, *_ = wechat_plain
    assert platform.reply(platform.post(platform.text_xml("oSilent", "沉默")))["Content"] == BOT_ERROR_REPLY


def test_without_api_a_long_answer_sends_its_first_part_with_a_note(serve, fake_api):
    platform, bot, channel = serve(api=False)
    content = platform.reply(platform.post(platform.text_xml("oLong", "长篇")))["Content"]
    assert content.startswith("第1段") and content.endswith(PASSIVE_ONLY_NOTE)
    assert "12348" in content and len(content.encode("utf-8")) <= MAX_TEXT_BYTES
    assert fake_api.sent == []


# ---- events --------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["wechat_plain", "wecom"])
def test_subscribe_and_click_in_the_same_second_are_both_answered(mode, request):
    platform, bot, _, _ = request.getfixturevalue(mode)
    second = int(time.time())
    platform.reply(platform.post(platform.event_xml("oEvents", "subscribe", create_time=second)))
    platform.reply(platform.post(platform.event_xml("oEvents", "click", key="/mediation", create_time=second)))
    assert bot.texts() == ["/greet", "/mediation"]


# ---- strict XML ---------------------------------------------------------------------------------

HOSTILE_SHAPES = {
    "duplicate": "<xml><ToUserName>a</ToUserName><FromUserName>oA</FromUserName><FromUserName>oB</FromUserName>"
                 "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
    "nested": "<xml><ToUserName>a</ToUserName><FromUserName><x>oA</x></FromUserName><CreateTime>1</CreateTime>"
              "<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
    "attributed": "<xml><ToUserName>a</ToUserName><FromUserName>oA</FromUserName><CreateTime>1</CreateTime>"
                  '<MsgType kind="x">text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>',
    "mixed": "<xml>hello<ToUserName>a</ToUserName><FromUserName>oA</FromUserName><MsgType>text</MsgType></xml>",
}


@pytest.mark.parametrize("shape", sorted(HOSTILE_SHAPES))
def test_parse_xml_refuses_non_flat_documents(shape):
    with pytest.raises(RequestRejected) as error:
        parse_xml(HOSTILE_SHAPES[shape])
    assert error.value.status == 400


@pytest.mark.parametrize("shape", sorted(HOSTILE_SHAPES))
@pytest.mark.parametrize("mode", ["wechat_plain", "wechat_safe", "wecom"])
def test_non_flat_messages_are_400(mode, shape, request):
    platform, bot, _, _ = request.getfixturevalue(mode)
    xml = HOSTILE_SHAPES[shape]
    if platform.wecom:
        xml = xml.replace("</xml>", f"<AgentID>{AGENT_ID}</AgentID></xml>")
    assert platform.post(xml).status_code == 400
    assert bot.received == []


def test_wecom_non_numeric_agent_id_is_400(wecom):
    platform, bot, _, _ = wecom
    xml = platform.text_xml("zhang", "你好").replace(f"<AgentID>{AGENT_ID}</AgentID>", "<AgentID>abc</AgentID>")
    assert platform.post(xml).status_code == 400
    assert bot.received == []


# ---- timestamps and nonces ---------------------------------------------------------------------

def _other_digits(text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in text)


@pytest.mark.parametrize("zero", ["０", "٠", "०"], ids=["fullwidth", "arabic-indic", "devanagari"])
def test_non_ascii_digit_timestamp_is_rejected(zero):
    now = int(time.time())
    with pytest.raises(RequestRejected) as error:
        check_timestamp(_other_digits(str(now), zero), now=now)
    assert error.value.status == 403


@pytest.mark.parametrize("mode", ["wechat_plain", "wechat_safe", "wecom"])
def test_signed_request_with_fullwidth_timestamp_is_403(mode, request):
    platform, bot, _, _ = request.getfixturevalue(mode)
    stamp = _other_digits(str(int(time.time())), "０")
    assert platform.post(platform.text_xml("oDigits", "你好"), timestamp=stamp).status_code == 403
    assert bot.received == []


def test_plaintext_mode_accepts_each_nonce_once(wechat_plain):
    platform, bot, _, _ = wechat_plain
    stamp = str(int(time.time()))
    assert platform.post(platform.text_xml("oNonce", "第一条"), timestamp=stamp, nonce_value="4711").status_code == 200
    # The captured signature with another body, and the identical request again: both replays.
    forged = platform.post(platform.text_xml("oNonce", "伪造"), timestamp=stamp, nonce_value="4711")
    assert forged.status_code == 403
    again = platform.post(platform.text_xml("oNonce", "第一条"), timestamp=stamp, nonce_value="4711")
    assert again.status_code == 403
    assert bot.texts() == ["第一条"]


def test_plaintext_mode_warns_at_start_up(caplog):
    caplog.set_level(logging.WARNING, logger="bot.channels.wechat")
    WeChatInput(token=TOKEN, app_id=APP_ID, store=MemoryStore())
    assert "plaintext mode" in caplog.text
    caplog.clear()
    WeChatInput(token=TOKEN, app_id=APP_ID, encoding_aes_key=new_aes_key(), store=MemoryStore())
    WeComInput(corp_id=CORP_ID, token=TOKEN, encoding_aes_key=new_aes_key(), store=MemoryStore())
    assert "plaintext mode" not in caplog.text
