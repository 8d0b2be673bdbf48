"""credentials.yml as `rasa run` reads it, with no WeChat/WeCom variables set at all.

The server must start (every channel registered) and the two platform webhooks must
refuse requests clearly (503) instead of crashing startup or half-working.
"""
from __future__ import annotations

import os

import requests
from rasa.core.run import create_http_input_channels

from bot import paths
from bot.channels.wechat import WeChatInput
from bot.channels.wecom import WeComInput
from bot.channels.wx_core import NOT_CONFIGURED
from tests.channels.harness import ChannelServer, FakeBot
from tests.channels.wx_platform import Platform


def test_server_starts_from_credentials_yml_without_env_and_refuses_clearly(monkeypatch, caplog):
    for name in list(os.environ):
        if name.startswith(("WECHAT_", "WECOM_", "WX_")) or name == "REDIS_URL":
            monkeypatch.delenv(name)
    caplog.set_level("WARNING", logger="bot.channels.wx_core")
    channels = create_http_input_channels(None, str(paths.CREDENTIALS))
    by_name = {channel.name(): channel for channel in channels}
    assert isinstance(by_name["wechat"], WeChatInput) and isinstance(by_name["wecom"], WeComInput)
    assert not by_name["wechat"].configured and not by_name["wecom"].configured
    assert "rest" in by_name  # the other channels are unaffected
    # The operator is told exactly what is missing.
    assert "missing: WECHAT_TOKEN" in caplog.text
    assert "WECOM_CORP_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY" in caplog.text

    bot = FakeBot()
    server = ChannelServer(by_name["wechat"], bot, channels=channels).start()
    try:
        for name in ("wechat", "wecom"):
            health = requests.get(f"{server.base}/webhooks/{name}/", timeout=10)
            assert health.json() == {"status": "ok", "configured": False}
            url = f"{server.base}/webhooks/{name}/webhook"
            platform = Platform(url, "any-token", "wxany", wecom=name == "wecom",
                                aes_key="a" * 43 if name == "wecom" else None)
            for response in (platform.verify(), platform.post(platform.text_xml("oNoEnv", "你好"))):
                assert response.status_code == 503
                assert response.text == NOT_CONFIGURED
        assert bot.received == []
    finally:
        server.stop()
