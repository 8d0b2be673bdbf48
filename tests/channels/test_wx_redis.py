"""Two channel replicas sharing the real Redis at 127.0.0.1:6379 (REDIS_URL path)."""
from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from bot.channels.wechat import WeChatInput
from bot.channels.wx_store import RedisStore
from tests.channels.conftest import APP_ID, PASSIVE_DEADLINE, TOKEN, slow_path
from tests.channels.harness import ChannelServer, FakeBot
from tests.channels.wx_platform import Platform, new_aes_key

pytestmark = pytest.mark.redis
# A database of its own (tests/production uses 14), and a random key prefix per test on top.
REDIS_URL = os.environ.get("YUEFA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def replicas(fake_api):
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is required for this test: {error}")
    prefix = f"yuefa-test-{uuid.uuid4().hex}:"
    key = new_aes_key()
    bot = FakeBot()
    servers, channels = [], []
    for _ in range(2):
        channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret="s3cret", encoding_aes_key=key,
                              api_base=fake_api.base, store=RedisStore(REDIS_URL, prefix=prefix),
                              reply_deadline=PASSIVE_DEADLINE)
        channels.append(channel)
        servers.append(ChannelServer(channel, bot).start())
    yield [Platform(s.url, TOKEN, APP_ID, aes_key=key) for s in servers], bot, fake_api, channels
    for server in servers:
        server.stop()
    client = redis.Redis.from_url(REDIS_URL)
    for stale in client.scan_iter(f"{prefix}*"):
        client.delete(stale)


def test_duplicate_msgid_across_replicas_is_handled_once(replicas):
    platforms, bot, _, _ = replicas
    xml = platforms[0].text_xml("oRedisA", "两台服务器", msg_id="9900000000000000001")
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda i: platforms[i % 2].post(xml), range(6)))
    assert sum(r.text != "success" for r in responses) == 1
    assert bot.texts() == ["两台服务器"]


def test_numbered_options_survive_a_change_of_replica(replicas):
    platforms, bot, _, _ = replicas
    platforms[0].reply(platforms[0].post(platforms[0].text_xml("oRedisB", "菜单")))
    platforms[1].reply(platforms[1].post(platforms[1].text_xml("oRedisB", "1")))
    assert bot.texts() == ["菜单", "/legal_aid_eligibility"]


def test_access_token_is_shared_between_replicas(replicas):
    platforms, bot, api, channels = replicas
    slow_path(*channels)
    for count, (platform, text) in enumerate(zip(platforms, ("慢一", "慢二")), start=1):
        assert platform.post(platform.text_xml("oRedisC", text)).text == "success"
        bot.release()
        api.wait_for_sent(count)
    assert [s["body"]["text"]["content"].split("\n")[0] for s in api.sent] == ["收到：慢一", "收到：慢二"]
    assert len(api.token_requests) == 1  # the second replica used the token the first one stored
