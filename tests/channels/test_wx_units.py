"""Fast unit tests of the shared WeChat/WeCom pieces (no server, no model)."""
from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from bot.channels.wx_replies import (
    MAX_TEXT_BYTES, TRUNCATED_NOTE, fit_messages, option_choice, render_messages, split_text,
)
from bot.channels.wx_security import (
    AesCodec, RequestRejected, check_nonce, check_timestamp, parse_xml, sha1_signature, verify_signature,
)
from bot.channels.wx_store import FallbackStore, MemoryStore, RedisStore, store_from_env
from tests.channels.wx_platform import decrypt, encrypt, new_aes_key, sign


# ---- signatures, timestamps, nonces -------------------------------------------------------

def test_signature_matches_independent_implementation():
    assert sha1_signature("tok", "1700000000", "nonce", "ENC") == sign("tok", "1700000000", "nonce", "ENC")
    verify_signature(sign("tok", "1", "2"), "tok", "1", "2")
    verify_signature(sign("tok", "1", "2").upper(), "tok", "1", "2")  # hex case does not matter


@pytest.mark.parametrize("signature", [None, "", "0" * 40, "zz", sign("other", "1", "2")])
def test_wrong_or_missing_signature_is_rejected(signature):
    with pytest.raises(RequestRejected) as error:
        verify_signature(signature, "tok", "1", "2")
    assert error.value.status == 403


def test_missing_signed_part_is_rejected():
    with pytest.raises(RequestRejected):
        verify_signature(sign("tok", "1", "2"), "tok", None, "2")


@pytest.mark.parametrize("timestamp", [None, "", "abc", "-5", "1" * 20])
def test_malformed_timestamp_is_rejected(timestamp):
    with pytest.raises(RequestRejected):
        check_timestamp(timestamp)


def test_timestamp_window_both_ways():
    now = 1_800_000_000
    check_timestamp(str(now - 299), 300, now=now)
    check_timestamp(str(now + 299), 300, now=now)
    for stale in (now - 301, now + 301):
        with pytest.raises(RequestRejected):
            check_timestamp(str(stale), 300, now=now)


@pytest.mark.parametrize("nonce", [None, "", "]]><x>", "a" * 65, "12 34"])
def test_unsafe_nonce_is_rejected(nonce):
    with pytest.raises(RequestRejected):
        check_nonce(nonce)


# ---- XML --------------------------------------------------------------------------------

def test_parse_xml_returns_flat_fields():
    assert parse_xml("<xml><A><![CDATA[一]]></A><B>2</B></xml>") == {"A": "一", "B": "2"}


@pytest.mark.parametrize("body", [
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>',
    b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><xml><A>&a;</A></xml>',
    b'<!DOCTYPE x SYSTEM "http://example.org/x.dtd"><xml><A>1</A></xml>',
    b"<xml><A>1</A>",
    b"<root><A>1</A></root>",
    b"",
    b"<xml>" + b"x" * (65 * 1024) + b"</xml>",
])
def test_parse_xml_refuses_hostile_or_broken_input(body):
    with pytest.raises(RequestRejected) as error:
        parse_xml(body)
    assert error.value.status == 400


# ---- AES codec --------------------------------------------------------------------------

def test_codec_decrypts_what_the_independent_platform_encrypted():
    key = new_aes_key()
    codec = AesCodec(key, "wxappid")
    message = "<xml><Content><![CDATA[你好，法律援助]]></Content></xml>"
    assert codec.decrypt(encrypt(key, "wxappid", message)) == message


def test_platform_decrypts_what_the_codec_encrypted():
    key = new_aes_key()
    assert decrypt(key, AesCodec(key, "wwcorp").encrypt("回复内容")) == ("回复内容", "wwcorp")


def test_codec_refuses_other_appid_and_garbage():
    key = new_aes_key()
    codec = AesCodec(key, "wxappid")
    for bad in (encrypt(key, "wxother", "<xml/>"), "not base64!!", "", "QUJD",
                encrypt(new_aes_key(), "wxappid", "<xml/>")):
        with pytest.raises(RequestRejected) as error:
            codec.decrypt(bad)
        assert error.value.status == 403


@pytest.mark.parametrize("key", ["", "short", "!" * 43, "a" * 44])
def test_codec_refuses_invalid_keys(key):
    with pytest.raises(ValueError):
        AesCodec(key, "wx")


# ---- rendering ----------------------------------------------------------------------------

def test_buttons_become_numbered_options_across_messages():
    rendered = render_messages([
        {"text": "请选择：", "buttons": [{"title": "法律援助", "payload": "/legal_aid_apply"},
                                      {"title": "公证", "payload": "/notarization"}]},
        {"text": "或者", "buttons": [{"title": "调解", "payload": "/mediation"}]},
        {"image": "https://example.org/a.png"},
    ])
    assert rendered.texts == ["请选择：\n\n回复 1：法律援助\n回复 2：公证\n\n或者\n\n回复 3：调解\n\n"
                              "图片：https://example.org/a.png"]
    assert [o["payload"] for o in rendered.options] == ["/legal_aid_apply", "/notarization", "/mediation"]


def test_nothing_to_say_renders_nothing():
    assert render_messages([]).texts == []
    assert render_messages([{"text": "  "}]).texts == []


@pytest.mark.parametrize("text,expected", [
    ("1", 1), (" 2 ", 2), ("３", 3), ("回复1", 1), ("回复 4", 4), ("第2个", 2), ("12", 12),
    ("1个人", None), ("我有1个问题", None), ("", None), ("一", None), (None, None), ("123", None),
])
def test_option_choice(text, expected):
    assert option_choice(text) == expected


def test_split_text_respects_byte_limit_and_keeps_everything():
    text = "\n\n".join(f"第{i}段" + "法" * 400 for i in range(6))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_split_text_cuts_a_single_huge_line_on_character_boundaries():
    pieces = split_text("粤" * 2000)
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)
    assert "".join(pieces) == "粤" * 2000


def test_fit_messages_caps_the_count_and_says_so():
    pieces = fit_messages(["\n\n".join("法" * 600 for _ in range(10))], max_messages=3)
    assert len(pieces) == 3
    assert pieces[-1].endswith(TRUNCATED_NOTE)
    assert all(len(p.encode()) <= MAX_TEXT_BYTES for p in pieces)


# ---- stores ------------------------------------------------------------------------------

def test_memory_store_add_is_exclusive_and_expires():
    now = [1000.0]
    store = MemoryStore(clock=lambda: now[0])

    async def scenario():
        assert await store.add("k", "1", 10)
        assert not await store.add("k", "2", 10)
        assert await store.get("k") == "1"
        now[0] += 11
        assert await store.get("k") is None
        assert await store.add("k", "3", 10)
        await store.delete("k")
        assert await store.get("k") is None

    asyncio.run(scenario())


def test_memory_store_claims_once_under_concurrency():
    store = MemoryStore()

    async def scenario():
        results = await asyncio.gather(*(store.add("msg:1", str(i), 60) for i in range(50)))
        return sum(results)

    assert asyncio.run(scenario()) == 1


def test_store_from_env_picks_redis_only_with_url():
    assert isinstance(store_from_env({}), MemoryStore)
    store = store_from_env({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert isinstance(store, FallbackStore) and isinstance(store.primary, RedisStore)


@pytest.mark.redis
def test_redis_store_claims_once_across_clients():
    url = os.environ.get("YUEFA_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")  # as test_wx_redis.py
    replicas = [RedisStore(url, prefix=f"yuefa-test-{uuid.uuid4().hex}:")]
    replicas.append(RedisStore(url, prefix=replicas[0].prefix))  # a second replica, same Redis

    async def scenario():
        claims = await asyncio.gather(*(replicas[i % 2].add("seen:msg:1", str(i), 5) for i in range(40)))
        assert sum(claims) == 1
        await replicas[0].put("token", "T1", 0.3)
        assert await replicas[1].get("token") == "T1"
        await asyncio.sleep(0.5)
        assert await replicas[1].get("token") is None
        await replicas[1].delete("seen:msg:1")
        assert await replicas[0].add("seen:msg:1", "again", 5)
        await replicas[0].delete("seen:msg:1")

    asyncio.run(scenario())
