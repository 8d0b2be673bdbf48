"""The channels inside the real Rasa server (credentials.yml + trained model + actions)."""
from __future__ import annotations

import pytest
import requests

from tests.channels.conftest import SERVER_WECHAT, SERVER_WECOM
from tests.channels.harness import FakePlatformApi
from tests.channels.wx_platform import Platform

pytestmark = [pytest.mark.model, pytest.mark.servers]


@pytest.fixture
def server_api():
    """The fake customer-service API the server's WECHAT_API_BASE points to."""
    api = FakePlatformApi(port=int(SERVER_WECHAT["WECHAT_API_PORT"])).start()
    yield api
    api.stop()


def answer(platform: Platform, response: requests.Response, api: FakePlatformApi, already: int) -> str:
    """The bot's answer, whether it came passively or (when slow) through the API."""
    if response.text != "success":
        return platform.reply(response)["Content"]
    sent = api.wait_for_sent(already + 1, timeout=60)
    assert len(sent) > already, "no passive reply and nothing sent through the API"
    return "\n\n".join(s["body"]["text"]["content"] for s in sent[already:])


def test_wechat_channel_through_the_real_bot(bot_server, server_api, sender_id):
    platform = Platform(f"{bot_server}/webhooks/wechat/webhook", SERVER_WECHAT["WECHAT_TOKEN"],
                        SERVER_WECHAT["WECHAT_APP_ID"], aes_key=SERVER_WECHAT["WECHAT_ENCODING_AES_KEY"])
    assert platform.verify(echostr="real-server").text == "real-server"
    assert platform.post(platform.text_xml("oReal", "你好"), bad_signature=True).status_code == 403

    user = "o" + sender_id[-20:]
    welcome = answer(platform, platform.post(platform.event_xml(user, "subscribe"), timeout=60), server_api, 0)
    assert "粤法助手" in welcome
    assert "回复 1：" in welcome  # the greeting's buttons became numbered options

    before = len(server_api.sent)
    reply = answer(platform, platform.post(platform.text_xml(user, "1"), timeout=60), server_api, before)
    assert reply and "回复 1：" not in reply.split("\n")[0]
    events = bot_server.tracker(f"wechat:{user}")["events"]
    user_texts = [e.get("text") for e in events if e.get("event") == "user"]
    # "1" reached Rasa as the first button's payload, not as the digit.
    assert user_texts == ["/greet", "/legal_aid_eligibility"]


def test_wecom_channel_is_mounted_and_verifies(bot_server):
    platform = Platform(f"{bot_server}/webhooks/wecom/webhook", SERVER_WECOM["WECOM_TOKEN"],
                        SERVER_WECOM["WECOM_CORP_ID"], aes_key=SERVER_WECOM["WECOM_ENCODING_AES_KEY"],
                        wecom=True, agent_id=SERVER_WECOM["WECOM_AGENT_ID"])
    assert platform.verify(echostr="wecom-real").text == "wecom-real"
    assert requests.get(f"{bot_server}/webhooks/wecom/", timeout=10).json() == {"status": "ok", "configured": True}
