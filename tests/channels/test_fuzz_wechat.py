"""Hostile traffic against both WeChat endpoints (Official Account plain + safe mode, WeCom).

Pass criteria, checked over the whole battery: no response ≥ 500; every valid text message
answered exactly once (passive reply or API), to its own sender; no OpenID or message text
in any log record (caplog, including Sanic's access log). Redis "stops" mid-test (a
fault-injecting stand-in behind the real FallbackStore) and the bot raises on "崩溃".
"""
from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.channels.wechat import WeChatInput
from bot.channels.wecom import WeComInput
from bot.channels.wx_store import FallbackStore
from tests.channels.conftest import AGENT_ID, APP_ID, CORP_ID, TOKEN
from tests.channels.harness import ChannelServer, FakeBot, SwitchableRedis, wait_idle
from tests.channels.wx_platform import Platform, cdata, new_aes_key
from tests.channels.test_wechat_channel import BILLION_LAUGHS, EXTERNAL_ENTITY

MODES = ["plain", "safe", "wecom"]
SEED = 20241414
RANDOM_MESSAGES = 40
FUZZ_DEADLINE = 30.0  # the fake bot is instant; a passive reply is expected for every text

GARBAGE_BODIES = [
    b"", b"   ", b"\x00" * 16, b"<xml>", b"<xml></xml>", b"not xml", b"\xff\xfe<\x00x\x00",
    b"<?xml version='1.0' encoding='gbk'?><xml><Content>\xc4\xe3</Content></xml>",
    b"\xef\xbb\xbf<xml><FromUserName>oBom</FromUserName></xml>",
    b"<xml>" + b"<a>" * 20000 + b"</a>" * 20000 + b"</xml>",
    b"<xml><Content>&#0;</Content></xml>", b"<xml><Content>&#xD800;</Content></xml>",
    b"<x:xml xmlns:x='urn:x'><x:A>1</x:A></x:xml>", b"<xml><Content>\xed\xa0\x80</Content></xml>",
    b"<xml><?php evil ?><Content>x</Content></xml>", b"<xml>" + b"A" * (70 * 1024) + b"</xml>",
    b"<xml><Encrypt>" + b"A" * (2 * 1024 * 1024) + b"</Encrypt></xml>",
    BILLION_LAUGHS.encode(), EXTERNAL_ENTITY.encode(),
]
HOSTILE_TEXTS = [
    "\u202e口诀\u202c", "\u200b\u200d\ufeff", "😀" * 300, "e\u0301" * 400, "]]><xml>", "<script>alert(1)</script>",
    "１", "回复９９", "欠" * 1001, " \t\n ", "%00%ff", "\\u0000", "A\u3000B", "崩溃", "沉默", "长篇", "菜单",
    "'; DROP TABLE events; --", "{{7*7}}", "\U0010fffd" * 10,
]
# Characters XML 1.0 may carry (the platform cannot send others); FakeBot's "慢" would wait.
POOL = [(0x20, 0x7E), (0xA0, 0x2FF), (0x4E00, 0x9FFF), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x1F300, 0x1F6FF),
        (0x0600, 0x06FF), (0x0900, 0x097F), (0x200B, 0x202E), (0xE000, 0xE0FF)]


def random_text(rng: random.Random) -> str:
    chars = []
    for _ in range(rng.randint(1, 60)):
        low, high = rng.choice(POOL)
        chars.append(chr(rng.randint(low, high)))
    text = "".join(chars)
    return "问" + text[1:] if text.startswith("慢") else text


@pytest.fixture(params=MODES)
def endpoint(request, fake_api):
    """(platform, bot, api, channel, redis stand-in) with Redis behind the real FallbackStore."""
    redis_like = SwitchableRedis()
    store = FallbackStore(redis_like, retry_after=0.05)
    key = new_aes_key()
    if request.param == "wecom":
        channel = WeComInput(corp_id=CORP_ID, token=TOKEN, encoding_aes_key=key, agent_id=AGENT_ID,
                             secret="corp-secret", api_base=fake_api.base, store=store, reply_deadline=FUZZ_DEADLINE)
        make = lambda url: Platform(url, TOKEN, CORP_ID, aes_key=key, wecom=True, agent_id=AGENT_ID)  # noqa: E731
    else:
        aes = key if request.param == "safe" else None
        channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret="s3cret", encoding_aes_key=aes,
                              api_base=fake_api.base, store=store, reply_deadline=FUZZ_DEADLINE)
        make = lambda url: Platform(url, TOKEN, APP_ID, aes_key=aes)  # noqa: E731
    bot = FakeBot()
    server = ChannelServer(channel, bot).start()
    yield make(server.url), bot, fake_api, channel, redis_like
    server.stop()


class Ledger:
    """Every response, and every text message that must be answered."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.statuses: list[int] = []
        self.passive: dict[str, int] = {}  # user → passive replies received
        self.expected: list[str] = []  # users who sent a valid text message
        self.secrets: set[str] = set()  # OpenIDs and message texts that must not be logged

    def post(self, xml: str = "", **kwargs) -> requests.Response:
        response = self.platform.post(xml, **kwargs)
        self.statuses.append(response.status_code)
        return response

    def message(self, user: str, text: str, msg_id=None) -> requests.Response:
        self.expected.append(user)
        self.secrets.update({user, text} if len(text.strip()) >= 4 else {user})
        response = self.post(self.platform.text_xml(user, text, msg_id=msg_id), openid=user)
        assert response.status_code == 200, response.text[:200]
        if response.text != "success":
            reply = self.platform.reply(response)
            assert reply["ToUserName"] == user, "a passive reply went to the wrong user"
            assert reply["Content"].strip(), "an empty passive reply is a silent turn"
            self.passive[user] = self.passive.get(user, 0) + 1
        return response


def hostile_inner(platform: Platform, user: str) -> list[str]:
    """Validly signed (and encrypted) messages whose XML is hostile."""
    to, who = cdata(platform.receive_id), cdata(user)
    agent = f"<AgentID>{AGENT_ID}</AgentID>" if platform.wecom else ""
    return [
        f"<xml><ToUserName>{to}</ToUserName><FromUserName>{who}</FromUserName><FromUserName>oOther</FromUserName>"
        f"<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId>{agent}</xml>",
        f"<xml><ToUserName>{to}</ToUserName><FromUserName><b>{who}</b></FromUserName><MsgType>text</MsgType>{agent}</xml>",
        f"<xml><ToUserName a='1'>{to}</ToUserName><FromUserName>{who}</FromUserName><MsgType>text</MsgType>{agent}</xml>",
        f"<xml><ToUserName>{to}</ToUserName><FromUserName>{who}</FromUserName><MsgType>{agent}</MsgType></xml>",
        f"<xml><FromUserName>{who}</FromUserName><MsgType>event</MsgType><Event></Event>{agent}</xml>",
        f"<xml><FromUserName>{who}</FromUserName><MsgType>{'x' * 5000}</MsgType>{agent}</xml>",
        BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml/>", "",
    ]


def test_hostile_traffic_never_5xx_never_silent_never_misaddressed_never_logged(endpoint, caplog):
    platform, bot, api, channel, redis_like = endpoint
    caplog.set_level(logging.DEBUG)
    ledger = Ledger(platform)
    rng = random.Random(SEED)

    for body in GARBAGE_BODIES:  # malformed, hostile, oversize
        ledger.post(raw_body=body)
    for i, xml in enumerate(hostile_inner(platform, "oFuzzInner")):
        ledger.post(xml)
    stamp = str(int(time.time()))
    for bad in (str(int(time.time()) - 3600), "１" * 10, "٠" * 10, "", "-1", "1e9", " " + stamp):
        ledger.post(platform.text_xml("oFuzzStale", "你好"), timestamp=bad)
    ledger.post(platform.text_xml("oFuzzSig", "你好"), bad_signature=True)

    for i, text in enumerate(HOSTILE_TEXTS):
        ledger.message(f"oFuzzH{i}", text)
    for i in range(RANDOM_MESSAGES):
        if i == RANDOM_MESSAGES // 2:
            redis_like.down = True  # Redis stops mid-test
        ledger.message(f"oFuzzR{i}x{rng.randint(0, 10 ** 6)}", random_text(rng))
    redis_like.down = False

    # Replays and duplicates: answered once (the first), whatever arrives again.
    xml = platform.text_xml("oFuzzDup", "重复的消息", msg_id="3300000000000000001")
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: platform.post(xml), range(4)))
    ledger.statuses += [r.status_code for r in responses]
    ledger.expected.append("oFuzzDup")
    ledger.secrets.update({"oFuzzDup", "重复的消息"})
    ledger.passive["oFuzzDup"] = sum(r.text != "success" for r in responses)
    if not platform.aes_key:  # plaintext mode: a captured signature with another body
        ledger.post(platform.text_xml("oFuzzNonce", "第一条"), timestamp=stamp, nonce_value="777")
        ledger.post(platform.text_xml("oFuzzEvil", "伪造的"), timestamp=stamp, nonce_value="777")
        ledger.expected.append("oFuzzNonce")
        ledger.passive["oFuzzNonce"] = 1

    wait_idle(channel)
    assert [s for s in ledger.statuses if s >= 500] == []
    by_api: dict[str, int] = {}
    for sent in api.sent:
        by_api[sent["body"]["touser"]] = by_api.get(sent["body"]["touser"], 0) + 1
    assert set(by_api) <= set(ledger.expected), "an API message went to someone who did not write"
    for user in ledger.expected:
        assert ledger.passive.get(user, 0) + min(1, by_api.get(user, 0)) == 1, f"{user}: silent or answered twice"
        assert not (ledger.passive.get(user) and by_api.get(user)), f"{user}: answered both ways"
    assert "oFuzzEvil" not in [r["sender"].split(":", 1)[1] for r in bot.received]

    server_side = [r for r in caplog.records if not r.name.startswith("urllib3")]  # not the test's own client
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'request', '')}" for r in server_side)
    leaks = sorted(s for s in ledger.secrets if s in logged)
    assert leaks == [], f"logged: {leaks[:5]}"
