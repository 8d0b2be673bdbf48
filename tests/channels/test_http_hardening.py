"""Issue 14 items 1-4 and 6 without a server: API and production settings, limits,
sessions, sender rules, never a silent turn, and the bounded tracker store."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot import cli, paths
from bot.channels import sessions
from bot.channels.guarded import (
    BAD_TEXT_REPLY, FOREIGN_SENDER_ERROR, SESSION_TOKEN_ERROR, guard, sender_problem,
)
from bot.channels.http_guard import FALLBACK_REPLY, Limits, WindowLimiter, allowed_metadata, is_channel_path
from bot.trackers import BoundedDict, BoundedInMemoryTrackerStore

# ---- item 1: the HTTP API -----------------------------------------------------------


def test_api_is_off_unless_asked_for_and_then_needs_a_token():
    assert cli.api_problem("0.0.0.0", {}) is None  # off: nothing to protect
    assert "RASA_AUTH_TOKEN" in cli.api_problem("127.0.0.1", {"YUEFA_ENABLE_API": "1"})
    public = cli.api_problem("0.0.0.0", {"YUEFA_ENABLE_API": "1"})
    assert "public" in public and "RASA_AUTH_TOKEN" in public
    assert cli.api_problem("0.0.0.0", {"YUEFA_ENABLE_API": "1", "RASA_AUTH_TOKEN": "s3cret-long"}) is None


def test_rasa_is_started_without_api_or_cors_unless_a_token_is_given():
    _, rasa = cli.server_commands("127.0.0.1", 1, 2, "endpoints.yml")
    assert "--enable-api" not in rasa and "--cors" not in rasa and "--auth-token" not in rasa
    _, rasa = cli.server_commands("127.0.0.1", 1, 2, "endpoints.yml", "tok")
    assert rasa[rasa.index("--enable-api") + 1] == "--auth-token=tok"
    # a token that starts with "-" stays the token's value, not an option
    _, dashed = cli.server_commands("127.0.0.1", 5005, 5055, None, "-abc")
    assert "--auth-token=-abc" in dashed
    assert "--cors" not in rasa


def test_action_server_stays_on_loopback_unless_told():
    assert cli.server_env({"YUEFA_HOST": "0.0.0.0"})["SANIC_HOST"] == "127.0.0.1"
    assert cli.server_env({"YUEFA_ACTION_HOST": "10.0.0.5"})["SANIC_HOST"] == "10.0.0.5"


def test_cors_covers_only_the_channel_routes():
    for path in ("/webhooks/rest/webhook", "/webhooks/rest/", "/socket.io/", "/widget/history"):
        assert is_channel_path(path), path
    for path in ("/conversations/x/tracker", "/model", "/status", "/webhooks/wechat/webhook", "/widgetx"):
        assert not is_channel_path(path), path
    limits = Limits.from_env({"YUEFA_CORS": "https://sfj.example.gov.cn, https://b.example/"})
    assert limits.origin_allowed("https://sfj.example.gov.cn") and limits.origin_allowed("https://b.example")
    assert not limits.origin_allowed("https://evil.example") and not limits.origin_allowed(None)
    assert Limits.from_env({}).origin_allowed("https://any.example")


# ---- item 6: production settings ----------------------------------------------------

PRODUCTION = str(paths.ROOT / "endpoints.production.yml")


def test_production_needs_one_redis_url_and_the_sender_salt():
    problem = cli.production_problem(PRODUCTION, {})
    assert "REDIS_URL" in problem and "YUEFA_SENDER_SALT" in problem
    assert "YUEFA_SENDER_SALT" in cli.production_problem(PRODUCTION, {"REDIS_URL": "redis://r:6379/0"})
    assert cli.production_problem(PRODUCTION, {"REDIS_URL": "redis://r/0", "YUEFA_SENDER_SALT": "x"}) is None
    assert cli.production_problem(str(paths.ENDPOINTS), {}) is None


def test_cmd_run_refuses_unsafe_settings_before_starting_anything(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(cli.subprocess, "Popen", lambda *a, **k: started.append(a))
    monkeypatch.setenv("YUEFA_ENDPOINTS", PRODUCTION)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("YUEFA_SENDER_SALT", raising=False)
    assert cli.main(["run"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err
    monkeypatch.setenv("YUEFA_ENDPOINTS", str(paths.ENDPOINTS))
    monkeypatch.setenv("YUEFA_ENABLE_API", "1")
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    assert cli.main(["run", "--host", "0.0.0.0"]) == 2
    assert "RASA_AUTH_TOKEN" in capsys.readouterr().err
    assert started == []


def test_redis_password_and_tls_come_from_redis_url():
    settings = cli.redis_env({"REDIS_URL": "rediss://:p%40ss@redis.internal:6380/3"})
    assert settings == {"REDIS_HOST": "redis.internal", "REDIS_PORT": "6380", "REDIS_DB": "3",
                        "REDIS_PASSWORD": "p@ss", "REDIS_USE_SSL": "true"}
    plain = cli.redis_env({"REDIS_URL": "redis://127.0.0.1:6379/14"})
    assert plain["REDIS_PASSWORD"] == "" and plain["REDIS_USE_SSL"] == "" and plain["REDIS_DB"] == "14"


@pytest.mark.parametrize("url, ssl", [("rediss://:pw@127.0.0.1:6380/2", True), ("redis://127.0.0.1:6379/0", False)])
def test_production_endpoints_pass_password_and_tls_to_rasas_redis_stores(monkeypatch, url, ssl):
    import redis
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    for name, value in cli.server_env({"REDIS_URL": url}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    endpoints = AvailableEndpoints.read_endpoints(PRODUCTION)
    tracker_store = TrackerStore.create(endpoints.tracker_store)
    lock_store = LockStore.create(endpoints.lock_store)
    for client in (tracker_store._tracker_store.red if hasattr(tracker_store, "_tracker_store") else tracker_store.red,
                   lock_store.red):
        pool = client.connection_pool
        assert (pool.connection_kwargs.get("password") or None) == ("pw" if ssl else None)
        assert (pool.connection_class is redis.SSLConnection) == ssl


# ---- item 2: memory -----------------------------------------------------------------


def test_rate_limiter_limits_and_stays_bounded():
    limiter = WindowLimiter(limit=3, window=60, max_keys=100)
    assert [limiter.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("a", now=61)  # a new window
    for i in range(10_000):
        limiter.allow(f"sender-{i}", now=1)
    assert len(limiter.windows) == 100
    assert all(WindowLimiter(limit=0).allow("x") for _ in range(1000))  # 0 = off


def test_only_small_allow_listed_metadata_is_kept():
    kept = allowed_metadata({"locale": "zh-CN", "page": "/sfj", "junk": "x" * 5_000_000,
                             "referrer": "y" * 201, "client": {"nested": 1}})
    assert kept == {"locale": "zh-CN", "page": "/sfj"}
    assert allowed_metadata("not a dict") == {} and allowed_metadata({"locale": "\ud800"}) == {}


def test_bounded_dict_evicts_least_recently_used_and_idle_entries():
    now = [0.0]
    store = BoundedDict(max_items=3, idle_seconds=100, clock=lambda: now[0])
    for key in "abc":
        store[key] = key
    _ = store["a"]  # a is used again, so b is the oldest
    store["d"] = "d"
    assert set(store) == {"a", "c", "d"}
    now[0] = 150  # nothing touched for 150 s > 100 s
    store["e"] = "e"
    assert set(store) == {"e"} and "a" not in store


def test_endpoints_yml_tracker_store_stays_within_its_bound(monkeypatch):
    """Many new senders through the store endpoints.yml configures: never more than the bound."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.events import UserUttered

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("YUEFA_TRACKER_MAX", "50")
    store = TrackerStore.create(AvailableEndpoints.read_endpoints(str(paths.ENDPOINTS)).tracker_store)
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, BoundedInMemoryTrackerStore)

    async def flood():
        for i in range(1000):
            tracker = DialogueStateTracker(f"citizen-{i}", slots=[])
            tracker.update(UserUttered("你好"))
            await store.save(tracker)
        return len(inner.store), await store.retrieve("citizen-999"), await store.retrieve("citizen-0")

    size, newest, oldest = asyncio.run(flood())
    assert size == 50 and newest is not None and oldest is None


# ---- item 3: session ownership ------------------------------------------------------


def test_sessions_are_128_bit_and_need_their_token():
    session_id, token = sessions.new_session()
    assert sessions.SESSION_ID.match(session_id) and len(session_id) * 4 == 128
    assert sessions.owns(session_id, token)
    assert not sessions.owns(session_id, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not sessions.owns(session_id, None) and not sessions.owns("../x", token)
    other, _ = sessions.new_session()
    assert other != session_id and not sessions.owns(other, token)


def test_rest_senders_cannot_use_other_channels_or_widget_sessions():
    for foreign in ("wechat:oTEST", "wecom:zhangsan", "socketio:abc", "WeChat:o1"):
        assert sender_problem(foreign) == FOREIGN_SENDER_ERROR, foreign
    session_id, token = sessions.new_session()
    assert sender_problem(session_id) == SESSION_TOKEN_ERROR
    assert sender_problem(session_id, "f" * 64) == SESSION_TOKEN_ERROR
    assert sender_problem(session_id, token) is None
    assert sender_problem("test-case[a:b]") is None and sender_problem("bench-1") is None
    assert sender_problem("a\ud800") and sender_problem("a\nb") and sender_problem("")


# ---- item 4: never a silent turn ----------------------------------------------------


def run_turn(bot, text="你好"):
    out = CollectingOutputChannel()
    asyncio.run(guard(bot)(UserMessage(text, out, "s1", input_channel="rest")))
    return [m.get("text") for m in out.messages]


def test_a_turn_that_fails_or_sends_nothing_gets_the_12348_answer():
    async def raises(message):
        raise ConnectionError("action server down")

    async def silent(message):
        return None

    async def answers(message):
        await message.output_channel.send_text_message(message.sender_id, "您好")

    assert run_turn(raises) == [FALLBACK_REPLY] and "12348" in FALLBACK_REPLY
    assert run_turn(silent) == [FALLBACK_REPLY]
    assert run_turn(answers) == ["您好"]


def test_a_lone_surrogate_is_answered_with_the_hotline():
    reached = []

    async def bot(message):
        reached.append(message.text)

    assert run_turn(bot, "\ud800") == [BAD_TEXT_REPLY] and "12348" in BAD_TEXT_REPLY
    assert run_turn(bot, "劳动\x00仲裁") == [BAD_TEXT_REPLY]
    assert reached == []
