"""The WeCom app channel over real HTTP: always encrypted, CorpID and AgentID checked."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.wx_core import UNSUPPORTED_REPLY
from bot.channels.wecom import WeComInput
from tests.channels.conftest import slow_path
from tests.channels.wx_platform import decrypt


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
