"""The WeCom app channel over real HTTP: always encrypted, CorpID and AgentID checked."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.channels.wecom import WeComInput
from bot.channels.wx_core import UNSUPPORTED_REPLY
from bot.channels.wx_security import DEFAULT_MAX_CLOCK_SKEW
from bot.channels.wx_store import MemoryStore
from tests.channels.conftest import PASSIVE_DEADLINE, slow_path
from tests.channels.harness import ChannelServer, FakeBot
from tests.channels.wx_platform import Platform, decrypt


def test_url_verification_decrypts_echostr(wecom):
    platform, *_ = wecom
    response = platform.verify(echostr="5927782489442352469")
    assert response.status_code == 200
    assert response.text == "5927782489442352469"


def test_url_verification_with_bad_signature_is_403(wecom):
    platform, *_ = wecom
    assert platform.verify(bad_signature=True).status_code == 403


def test_url_verification_with_stale_timestamp_is_403(wecom):
    platform, *_ = wecom
    assert platform.verify(timestamp=str(int(time.time()) - 900)).status_code == 403


def test_text_message_gets_encrypted_passive_reply(wecom):
    platform, bot, api, _ = wecom
    response = platform.post(platform.text_xml("zhangsan", "劳动仲裁去哪里"))
    assert "劳动仲裁" not in response.text
    reply = platform.reply(response)  # verifies MsgSignature and the CorpID
    assert reply["Content"].startswith("收到：劳动仲裁去哪里")
    assert reply["ToUserName"] == "zhangsan"
    assert bot.received == [{"text": "劳动仲裁去哪里", "sender": "wecom:zhangsan", "channel": "wecom"}]
    assert api.sent == []


def test_message_for_another_corp_is_403(wecom):
    platform, bot, _, _ = wecom
    assert platform.post(platform.text_xml("lisi", "你好"), receive_id="wwOtherCorp0000").status_code == 403
    assert bot.received == []


def test_message_for_another_agent_is_403(wecom):
    platform, bot, _, _ = wecom
    xml = platform.text_xml("lisi", "你好").replace(f"<AgentID>{platform.agent_id}</AgentID>",
                                                   "<AgentID>9999999</AgentID>")
    assert platform.post(xml).status_code == 403
    assert bot.received == []


def test_bad_signature_and_replay_are_403(wecom):
    platform, bot, _, _ = wecom
    assert platform.post(platform.text_xml("wangwu", "你好"), bad_signature=True).status_code == 403
    assert platform.post(platform.text_xml("wangwu", "你好"),
                         timestamp=str(int(time.time()) - 600)).status_code == 403
    assert bot.received == []


def test_duplicate_msgid_under_concurrency_is_handled_once(wecom):
    platform, bot, _, _ = wecom
    xml = platform.text_xml("zhaoliu", "重复", msg_id="8800000000000000001")
    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _: platform.post(xml), range(5)))
    assert sum(r.text != "success" for r in responses) == 1
    assert bot.texts() == ["重复"]


def test_slow_bot_goes_through_message_send_with_agentid(wecom):
    platform, bot, api, channel = wecom
    slow_path(channel)
    assert platform.post(platform.text_xml("sunqi", "慢慢来")).text == "success"
    assert bot.answered == 0 and api.sent == []
    bot.release()
    sent = api.wait_for_sent(1)
    assert sent[0]["path"] == "/cgi-bin/message/send"
    assert sent[0]["body"]["touser"] == "sunqi"
    assert sent[0]["body"]["agentid"] == int(platform.agent_id)
    assert sent[0]["body"]["text"]["content"].startswith("收到：慢慢来")
    assert api.token_requests[0]["corpid"] == [platform.receive_id]
    assert api.token_requests[0]["corpsecret"] == ["corp-secret"]


def test_numbered_options_round_trip(wecom):
    platform, bot, _, _ = wecom
    content = platform.reply(platform.post(platform.text_xml("zhouba", "菜单")))["Content"]
    assert "回复 2：办理公证" in content
    platform.reply(platform.post(platform.text_xml("zhouba", "2")))
    assert bot.texts() == ["菜单", "/notarization"]


def test_subscribe_click_and_enter_agent(wecom):
    platform, bot, _, _ = wecom
    platform.reply(platform.post(platform.event_xml("wujiu", "subscribe")))
    platform.reply(platform.post(platform.event_xml("wujiu", "click", key="/mediation",
                                                    create_time=int(time.time()) + 1)))
    assert platform.post(platform.event_xml("wujiu", "enter_agent",
                                            create_time=int(time.time()) + 2)).text == "success"
    assert bot.texts() == ["/greet", "/mediation"]


def test_image_gets_a_polite_text(wecom):
    platform, bot, _, _ = wecom
    assert platform.reply(platform.post(platform.media_xml("zhengshi", "image")))["Content"] == UNSUPPORTED_REPLY
    assert bot.received == []


def test_malformed_envelope_is_400(wecom):
    platform, bot, _, _ = wecom
    assert platform.post("", raw_body=b"<xml><Encrypt>").status_code == 400
    assert platform.post("", raw_body=b"<xml><ToUserName>x</ToUserName></xml>").status_code == 400
    assert bot.received == []


def test_entity_attack_in_the_envelope_is_400(wecom):
    platform, bot, _, _ = wecom
    body = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
            b"<xml><Encrypt>&e;</Encrypt></xml>")
    assert platform.post("", raw_body=body).status_code == 400
    assert bot.received == []


def test_reply_is_encrypted_for_our_corp(wecom):
    platform, _, _, _ = wecom
    from tests.channels.wx_platform import xml_fields

    envelope = xml_fields(platform.post(platform.text_xml("qianshi", "你好")).text)
    _, receive_id = decrypt(platform.aes_key, envelope["Encrypt"])
    assert receive_id == platform.receive_id


@pytest.mark.parametrize("missing", ["corp_id", "token", "encoding_aes_key"])
def test_missing_required_setting_leaves_channel_unconfigured(missing):
    settings = {"corp_id": "wwx", "token": "t", "encoding_aes_key": "a" * 43}
    settings[missing] = None
    assert not WeComInput(**settings).configured
    assert WeComInput(corp_id="wwx", token="t", encoding_aes_key="a" * 43).configured


# ---- the platform's published sample (企业微信 "加解密方案说明", developer.work.weixin.qq.com/document/path/90968)

SAMPLE = {
    "token": "QDG6eK", "corp_id": "wx5823bf96d3bd56c7", "aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "params": {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813",
               "nonce": "1372623149"},
    "encrypt": (
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJ"
        "Ts3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2"
        "hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4"
        "EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ"
        "2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    ),
}


def _sample_server(bot, max_clock_skew):
    channel = WeComInput(corp_id=SAMPLE["corp_id"], token=SAMPLE["token"], encoding_aes_key=SAMPLE["aes_key"],
                         agent_id="218", store=MemoryStore(), reply_deadline=PASSIVE_DEADLINE,
                         max_clock_skew=max_clock_skew)
    return ChannelServer(channel, bot).start()


def _post_sample(server):
    body = (f"<xml><ToUserName><![CDATA[{SAMPLE['corp_id']}]]></ToUserName>"
            f"<Encrypt><![CDATA[{SAMPLE['encrypt']}]]></Encrypt></xml>")
    return requests.post(server.url, params=SAMPLE["params"], data=body.encode(), timeout=15)


def test_published_sample_message_is_decrypted_and_answered():
    # The sample is from 2014: accepted only with the replay window opened wide for this test.
    bot = FakeBot()
    server = _sample_server(bot, max_clock_skew=100 * 365 * 24 * 3600)
    try:
        platform = Platform(server.url, SAMPLE["token"], SAMPLE["corp_id"], aes_key=SAMPLE["aes_key"], wecom=True)
        reply = platform.reply(_post_sample(server))  # the reply is checked with the independent code
        assert reply["ToUserName"] == "mycreate" and reply["Content"].startswith("收到：hello")
        assert bot.received == [{"text": "hello", "sender": "wecom:mycreate", "channel": "wecom"}]
    finally:
        server.stop()


def test_published_sample_replayed_today_is_403():
    bot = FakeBot()
    server = _sample_server(bot, max_clock_skew=DEFAULT_MAX_CLOCK_SKEW)
    try:
        assert _post_sample(server).status_code == 403  # correctly signed, but years old
        assert bot.received == []
    finally:
        server.stop()
