"""Fixtures for the WeChat / WeCom channel tests.

The environment variables below are set when this file is collected, before any
server starts, so the session `bot_server` (tests/conftest.py) opens a configured
wechat channel from credentials.yml. Test values only: tests must never reach the
real platform, so they are overwritten even when set in the shell.
"""
from __future__ import annotations

import os

import pytest

from bot.channels.wechat import WeChatInput
from bot.channels.wecom import WeComInput
from bot.channels.wx_store import MemoryStore
from tests.channels.harness import ChannelServer, FakeBot, FakePlatformApi, free_port
from tests.channels.wx_platform import Platform, new_aes_key

SERVER_WECHAT = {
    "WECHAT_TOKEN": "yuefaServerTestToken",
    "WECHAT_APP_ID": "wx5e1f00000000test",
    "WECHAT_APP_SECRET": "server-test-secret",
    "WECHAT_ENCODING_AES_KEY": new_aes_key(),
    "WECHAT_API_PORT": str(free_port()),  # the fake customer-service API the server test starts
}
SERVER_WECOM = {
    "WECOM_CORP_ID": "ww5e1f0000server",
    "WECOM_TOKEN": "yuefaServerWeComToken",
    "WECOM_ENCODING_AES_KEY": new_aes_key(),
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "server-test-corp-secret",
}
_api_base = f"http://127.0.0.1:{SERVER_WECHAT['WECHAT_API_PORT']}"
os.environ.update({k: v for k, v in SERVER_WECHAT.items() if k != "WECHAT_API_PORT"})
os.environ.update(SERVER_WECOM)
os.environ["WECHAT_API_BASE"] = os.environ["WECOM_API_BASE"] = _api_base

TOKEN = "pamtest"
APP_ID = "wx0123456789abcdef"
CORP_ID = "ww0123456789abcdef"
AGENT_ID = "1000002"
# Passive replies: the fake bot answers in microseconds, but a loaded machine (CI runs the whole
# suite on two shared cores; a gen-2 GC over the in-process Rasa agent holds the GIL) can stall the
# channel's event loop. A 1 s deadline made passive-reply tests flaky; 30 s never expires unless the
# channel is actually broken. The slow path does not race a clock either: "慢…" messages wait for
# the test's FakeBot.release(), and those tests lower the deadline with `slow_path(channel)`.
PASSIVE_DEADLINE = 30.0
SLOW_DEADLINE = 0.2


def slow_path(*channels) -> None:
    """Make "慢…" messages (held by the FakeBot until released) take the API path quickly."""
    for channel in channels:
        channel.reply_deadline = SLOW_DEADLINE


@pytest.fixture
def fake_api():
    api = FakePlatformApi().start()
    yield api
    api.stop()


@pytest.fixture
def bot():
    return FakeBot()


def _serve(channel, bot):
    server = ChannelServer(channel, bot).start()
    return server


@pytest.fixture
def wechat_plain(fake_api, bot):
    """(platform, bot, api, channel): Official Account in plain mode."""
    channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret="s3cret", api_base=fake_api.base,
                          store=MemoryStore(), reply_deadline=PASSIVE_DEADLINE)
    server = _serve(channel, bot)
    yield Platform(server.url, TOKEN, APP_ID), bot, fake_api, channel
    server.stop()


@pytest.fixture
def wechat_safe(fake_api, bot):
    """Official Account in safe (AES) mode."""
    key = new_aes_key()
    channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret="s3cret", encoding_aes_key=key,
                          api_base=fake_api.base, store=MemoryStore(), reply_deadline=PASSIVE_DEADLINE)
    server = _serve(channel, bot)
    yield Platform(server.url, TOKEN, APP_ID, aes_key=key), bot, fake_api, channel
    server.stop()


@pytest.fixture
def wecom(fake_api, bot):
    """WeCom app (always encrypted)."""
    key = new_aes_key()
    channel = WeComInput(corp_id=CORP_ID, token=TOKEN, encoding_aes_key=key, agent_id=AGENT_ID,
                         secret="corp-secret", api_base=fake_api.base, store=MemoryStore(),
                         reply_deadline=PASSIVE_DEADLINE)
    server = _serve(channel, bot)
    yield Platform(server.url, TOKEN, CORP_ID, aes_key=key, wecom=True, agent_id=AGENT_ID), bot, fake_api, channel
    server.stop()
