"""The Official Account channel over real HTTP, driven by the simulated platform."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.channels.wx_core import UNSUPPORTED_REPLY
from bot.channels.wx_replies import MAX_TEXT_BYTES
from bot.channels.wechat import WeChatInput
from tests.channels.conftest import slow_path
from tests.channels.harness import ChannelServer, FakeBot, wait_idle
from tests.channels.wx_platform import Platform, cdata, encrypt, sign

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>a</ToUserName><FromUserName>oEvil</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>42</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>oEvil</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>43</MsgId></xml>"""


# ---- URL verification -------------------------------------------------------------------

def test_url_verification_echoes_echostr(wechat_plain):
    platform, *_ = wechat_plain
    response = platform.verify(echostr="1234567890abc")
    assert response.status_code == 200
    assert response.text == "1234567890abc"


def test_url_verification_with_bad_signature_is_403(wechat_plain):
    platform, *_ = wechat_plain
    response = platform.verify(bad_signature=True)
    assert response.status_code == 403
    assert "echo" not in response.text


def test_url_verification_with_stale_timestamp_is_403(wechat_plain):
    platform, *_ = wechat_plain
    assert platform.verify(timestamp=str(int(time.time()) - 3600)).status_code == 403


# ---- plain and safe mode ------------------------------------------------------------------

def test_plain_text_message_gets_passive_reply(wechat_plain):
    platform, bot, api, _ = wechat_plain
    reply = platform.reply(platform.post(platform.text_xml("oUserA", "我被拖欠工资")))
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == "oUserA" and reply["FromUserName"] == platform.receive_id
    # The bot's two messages are merged into the single passive reply.
    assert reply["Content"] == "收到：我被拖欠工资\n\n还有什么可以帮您？"
    assert bot.received == [{"text": "我被拖欠工资", "sender": "wechat:oUserA", "channel": "wechat"}]
    assert api.sent == []


def test_encrypted_message_gets_encrypted_reply(wechat_safe):
    platform, bot, _, _ = wechat_safe
    response = platform.post(platform.text_xml("oUserB", "公证怎么办"))
    assert "<Encrypt>" in response.text and "公证" not in response.text  # nothing in the clear
    reply = platform.reply(response)  # checks MsgSignature and the AppID in the plaintext
    assert reply["Content"].startswith("收到：公证怎么办")
    assert bot.texts() == ["公证怎么办"]


def test_safe_mode_refuses_plaintext_callback(wechat_safe):
    platform, bot, _, _ = wechat_safe
    response = platform.post(platform.text_xml("oUserC", "你好"), encrypted=False)
    assert response.status_code == 403
    assert bot.received == []


def test_message_encrypted_for_another_appid_is_403(wechat_safe):
    platform, bot, _, _ = wechat_safe
    response = platform.post(platform.text_xml("oUserD", "你好"), receive_id="wxSomebodyElse00")
    assert response.status_code == 403
    assert bot.received == []


def test_tampered_ciphertext_is_403(wechat_safe):
    platform, bot, _, _ = wechat_safe
    ts, nonce = str(int(time.time())), "12345"
    garbage = encrypt(platform.aes_key, platform.receive_id, "x")[:-8] + "AAAAAAA="
    body = f"<xml><ToUserName>{cdata(platform.receive_id)}</ToUserName><Encrypt>{cdata(garbage)}</Encrypt></xml>"
    import requests

    response = requests.post(platform.url, params={
        "timestamp": ts, "nonce": nonce, "signature": sign(platform.token, ts, nonce),
        "encrypt_type": "aes", "msg_signature": sign(platform.token, ts, nonce, garbage)}, data=body, timeout=10)
    assert response.status_code == 403
    assert bot.received == []


# ---- signature and replay ---------------------------------------------------------------

@pytest.mark.parametrize("mode", ["wechat_plain", "wechat_safe"])
def test_bad_signature_is_403_and_never_processed(mode, request):
    platform, bot, _, _ = request.getfixturevalue(mode)
    response = platform.post(platform.text_xml("oUserE", "你好"), bad_signature=True)
    assert response.status_code == 403
    assert bot.received == []


@pytest.mark.parametrize("mode", ["wechat_plain", "wechat_safe"])
def test_replayed_request_with_stale_timestamp_is_403(mode, request):
    platform, bot, _, _ = request.getfixturevalue(mode)
    old = str(int(time.time()) - 600)  # correctly signed, but ten minutes old
    response = platform.post(platform.text_xml("oUserF", "你好"), timestamp=old)
    assert response.status_code == 403
    assert bot.received == []


# ---- retries ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["wechat_plain", "wechat_safe"])
def test_duplicate_msgid_under_concurrency_is_handled_once(mode, request):
    platform, bot, api, channel = request.getfixturevalue(mode)
    xml = platform.text_xml("oUserG", "同一条消息", msg_id="7700000000000000001")
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: platform.post(xml), range(6)))
    assert all(r.status_code == 200 for r in responses)
    replies = [r for r in responses if r.text != "success"]
    assert len(replies) == 1, [r.text for r in responses]
    assert platform.reply(replies[0])["Content"].startswith("收到：同一条消息")
    assert bot.texts() == ["同一条消息"]
    wait_idle(channel)
    assert api.sent == []  # and not a second time through the API


def test_duplicate_event_is_handled_once(wechat_plain):
    platform, bot, _, _ = wechat_plain
    xml = platform.event_xml("oUserH", "subscribe", create_time=1700000000 + int(time.time()) % 1000)
    first, second = platform.post(xml), platform.post(xml)
    assert first.text != "success" and second.text == "success"
    assert bot.texts() == ["/greet"]


# ---- slow bot: customer-service API -------------------------------------------------------

def test_slow_bot_answers_success_then_customer_service_message(wechat_plain):
    platform, bot, api, channel = wechat_plain
    slow_path(channel)
    response = platform.post(platform.text_xml("oUserI", "慢慢说"))
    # The bot is held until release(): "success" came without waiting for it.
    assert response.status_code == 200 and response.text == "success"
    assert bot.answered == 0 and api.sent == []
    bot.release()
    sent = api.wait_for_sent(1)
    assert len(sent) == 1
    assert sent[0]["path"] == "/cgi-bin/message/custom/send"
    assert sent[0]["body"] == {"touser": "oUserI", "msgtype": "text",
                               "text": {"content": "收到：慢慢说\n\n还有什么可以帮您？"}}
    assert api.token_requests[0]["appid"] == [platform.receive_id]
    assert api.token_requests[0]["grant_type"] == ["client_credential"]
    assert api.token_requests[0]["secret"] == ["s3cret"]


def test_access_token_is_cached_and_refreshed_when_invalid(wechat_plain):
    platform, bot, api, channel = wechat_plain
    slow_path(channel)
    for count, text in enumerate(("慢一", "慢二"), start=1):
        assert platform.post(platform.text_xml("oUserJ", text)).text == "success"
        bot.release()
        api.wait_for_sent(count)
    assert len(api.token_requests) == 1  # the second send reused the cached token
    api.expire_next_send = True  # the platform now says the token is invalid (40001)
    assert platform.post(platform.text_xml("oUserJ", "慢三")).text == "success"
    bot.release()
    sent = api.wait_for_sent(3)
    assert len(sent) == 3
    assert len(api.token_requests) == 2
    assert sent[-1]["token"] == "TOKEN-2"
    assert sent[-1]["body"]["text"]["content"].startswith("收到：慢三")


def test_long_answer_is_split_under_byte_limit_and_capped_at_five(wechat_plain):
    platform, _, api, channel = wechat_plain
    response = platform.post(platform.text_xml("oUserK", "长篇"))
    assert response.text == "success"  # more than one message cannot be a passive reply
    wait_idle(channel)  # every API message of this answer has been sent
    contents = [s["body"]["text"]["content"] for s in api.sent]
    assert 2 <= len(contents) <= 5
    assert all(len(c.encode("utf-8")) <= MAX_TEXT_BYTES for c in contents)
    assert contents[0].startswith("第1段")
    joined = "\n\n".join(contents)
    assert "第8段" in joined or "未能全部显示" in contents[-1]


# ---- buttons as numbered options ---------------------------------------------------------

def test_numbered_options_round_trip(wechat_plain):
    platform, bot, _, _ = wechat_plain
    reply = platform.reply(platform.post(platform.text_xml("oUserL", "菜单")))
    assert "回复 1：法律援助初筛" in reply["Content"]
    assert "回复 3：查办理地点" in reply["Content"]
    platform.reply(platform.post(platform.text_xml("oUserL", "３")))  # full-width digit
    platform.reply(platform.post(platform.text_xml("oUserOther", "1")))  # another user has no options
    assert bot.texts() == ["菜单", '/find_office{"city": "广州市"}', "1"]
    # After an answer without buttons the old numbers mean nothing any more.
    platform.reply(platform.post(platform.text_xml("oUserL", "1")))
    assert bot.texts()[-1] == "1"


def test_number_out_of_range_goes_to_the_bot_as_text(wechat_plain):
    platform, bot, _, _ = wechat_plain
    platform.post(platform.text_xml("oUserM", "菜单"))
    platform.post(platform.text_xml("oUserM", "9"))
    assert bot.texts() == ["菜单", "9"]


# ---- events and message types -------------------------------------------------------------

def test_subscribe_event_gets_the_welcome(wechat_safe):
    platform, bot, _, _ = wechat_safe
    reply = platform.reply(platform.post(platform.event_xml("oUserN", "subscribe")))
    assert bot.texts() == ["/greet"]
    assert reply["Content"].startswith("收到：/greet")


def test_menu_click_sends_the_event_key_as_payload(wechat_plain):
    platform, bot, _, _ = wechat_plain
    platform.reply(platform.post(platform.event_xml("oUserO", "CLICK", key="/legal_aid_eligibility")))
    assert bot.received[-1] == {"text": "/legal_aid_eligibility", "sender": "wechat:oUserO", "channel": "wechat"}


def test_unsubscribe_and_view_events_need_no_answer(wechat_plain):
    platform, bot, _, _ = wechat_plain
    assert platform.post(platform.event_xml("oUserP", "unsubscribe")).text == "success"
    assert platform.post(platform.event_xml("oUserP", "VIEW", key="https://example.org",
                                            create_time=int(time.time()) + 1)).text == "success"
    assert bot.received == []


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "location", "link"])
def test_unsupported_types_get_a_polite_text(wechat_safe, msg_type):
    platform, bot, _, _ = wechat_safe
    reply = platform.reply(platform.post(platform.media_xml("oUserQ", msg_type)))
    assert reply["Content"] == UNSUPPORTED_REPLY
    assert bot.received == []


def test_voice_with_recognition_is_treated_as_text(wechat_plain):
    platform, bot, _, _ = wechat_plain
    xml = platform.media_xml("oUserR", "voice").replace(
        "</xml>", "<Recognition><![CDATA[怎么申请法律援助]]></Recognition></xml>")
    platform.reply(platform.post(xml))
    assert bot.texts() == ["怎么申请法律援助"]


def test_empty_and_huge_text_get_a_clear_message_without_the_bot(wechat_plain):
    platform, bot, _, _ = wechat_plain
    assert "没有输入内容" in platform.reply(platform.post(platform.text_xml("oUserS", "   ")))["Content"]
    assert "太长" in platform.reply(platform.post(platform.text_xml("oUserS", "欠薪" * 600)))["Content"]
    assert bot.received == []


def test_bot_failure_gets_an_apology_not_a_stack_trace(wechat_plain):
    platform, _, _, _ = wechat_plain
    reply = platform.reply(platform.post(platform.text_xml("oUserT", "崩溃")))
    assert "12348" in reply["Content"] and "Traceback" not in reply["Content"]


def test_bot_text_with_cdata_terminator_keeps_reply_xml_valid(wechat_plain):
    platform, _, _, _ = wechat_plain
    reply = platform.reply(platform.post(platform.text_xml("oUserU", "a]]>b<c>")))
    assert reply["Content"].startswith("收到：a]]>b<c>")


# ---- hostile or broken bodies ---------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b"<xml><ToUserName>unclosed",
    b"not xml at all",
    b"",
    "<html><body>你好</body></html>".encode(),
    b"<xml><ToUserName>a</ToUserName></xml>",  # no MsgType / FromUserName
])
def test_malformed_xml_is_400(wechat_plain, body):
    platform, bot, _, _ = wechat_plain
    response = platform.post("", encrypted=False, raw_body=body)
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert bot.received == []


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_entity_attacks_are_refused(wechat_plain, attack):
    platform, bot, _, _ = wechat_plain
    response = platform.post(attack, encrypted=False)
    assert response.status_code == 400
    assert "root:" not in response.text
    assert bot.received == []


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_entity_attacks_inside_the_ciphertext_are_refused(wechat_safe, attack):
    platform, bot, _, _ = wechat_safe
    response = platform.post(attack)  # validly encrypted and signed, hostile inside
    assert response.status_code == 400
    assert bot.received == []


def test_oversized_body_is_refused(wechat_plain):
    platform, bot, _, _ = wechat_plain
    huge = platform.text_xml("oUserV", "x" * (70 * 1024))
    assert platform.post(huge, encrypted=False).status_code == 400
    assert bot.received == []


# ---- configuration --------------------------------------------------------------------------

def test_unconfigured_channel_answers_503(monkeypatch):
    for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_ENCODING_AES_KEY", "WECHAT_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    channel = WeChatInput.from_credentials(None)
    assert not channel.configured
    bot = FakeBot()
    server = ChannelServer(channel, bot).start()
    try:
        platform = Platform(server.url, "anything", "wxany")
        assert platform.verify().status_code == 503
        assert platform.post(platform.text_xml("oUserW", "你好")).status_code == 503
        assert bot.received == []
    finally:
        server.stop()


def test_invalid_aes_key_leaves_channel_unconfigured():
    channel = WeChatInput(token="t", app_id="wxapp", encoding_aes_key="too-short")
    assert not channel.configured


def test_from_credentials_reads_env_with_prefix(monkeypatch):
    monkeypatch.setenv("GDSFT_TOKEN", "tok")
    monkeypatch.setenv("GDSFT_APP_ID", "wxprefixed")
    monkeypatch.setenv("GDSFT_APP_SECRET", "sec")
    channel = WeChatInput.from_credentials({"env_prefix": "GDSFT", "welcome_payload": "/greet"})
    assert channel.configured and channel.token == "tok" and channel.app_id == "wxprefixed"
    assert channel.api is not None
