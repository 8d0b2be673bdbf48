"""Hostile input against the real REST, socket.io and widget routes (issue 14).

Pass criteria, for every request: no response ≥ 500, no silent turn (a 200 from the REST
webhook always carries at least one text), no answer in the wrong conversation. One extra
server pair (low limits) proves the rate limit, the tracker bound and the action server
stopping mid-conversation.
"""
from __future__ import annotations

import concurrent.futures
import json
import time
import uuid

import pytest
import requests
import socketio

from bot.channels import sessions
from tests.servers import running_bot

pytestmark = [pytest.mark.model, pytest.mark.servers]

HOTLINE = "12348"


def post_raw(base: str, body: bytes, path: str = "/webhooks/rest/webhook", **kwargs) -> requests.Response:
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    response = requests.post(f"{base}{path}", data=body, headers=headers, timeout=60, **kwargs)
    assert response.status_code < 500, (body[:200], response.status_code, response.text[:300])
    return response


def say(base: str, sender: str, message, **extra) -> requests.Response:
    body = json.dumps({"sender": sender, "message": message, **extra}).encode()
    return post_raw(base, body)


def texts_of_a_real_turn(response: requests.Response, sender: str) -> list[str]:
    """A 200 turn: at least one text, every message addressed to `sender`."""
    assert response.status_code == 200, response.text[:300]
    messages = response.json()
    assert messages, "silent turn"
    assert {m.get("recipient_id") for m in messages} == {sender}
    texts = [m.get("text") for m in messages if m.get("text")]
    assert texts, messages
    return texts


def new_sender(tag: str) -> str:
    return f"fuzz-{tag}-{uuid.uuid4().hex[:12]}"


# ---- REST: malformed bodies ---------------------------------------------------------

MALFORMED = [
    b"", b"not json", b"{", b"[1, 2]", b"null", b"42", b'"string"', b"\xff\xfe\x00", b"\xc0\xaf",
    b'{"sender": null, "message": "hi"}', b'{"sender": ["a"], "message": "hi"}', b'{"sender": {"$ne": 1}}',
    b'{"sender": "x", "message": {"text": "hi"}}', b'{"sender": "x", "message": 1e999}',
    b'{"sender": "' + b"s" * 300 + b'", "message": "hi"}',
    b"[" * 60_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    b'{"sender": "x", "message": "hi", "metadata": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
    b'{"sender": "x", "message": "\\ud800"' + b" " * 10 + b"}",  # a lone surrogate as a JSON escape
    b'{"sender": "x\\u0000y", "message": "hi"}', b'{"sender": "\\udfff", "message": "hi"}',
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_bodies_never_5xx_and_never_a_silent_200(bot_server, body):
    response = post_raw(bot_server, body)
    if response.status_code == 200:
        texts_of_a_real_turn(response, "x")
    else:
        assert response.status_code in (400, 403, 413) and "error" in response.json()


def test_oversize_bodies_get_413_in_chinese(bot_server):
    for size in (65 * 1024, 1024 * 1024, 5 * 1024 * 1024):
        body = json.dumps({"sender": "big", "message": "hi", "metadata": {"junk": "x" * size}}).encode()
        response = post_raw(bot_server, body)
        assert response.status_code == 413 and HOTLINE in response.json()["error"]
    assert post_raw(bot_server, b"[" * 100_000).status_code == 413  # the probe that gave a 500


HOSTILE_TEXTS = [
    "\ud800", "a\udfffb", "\x00", "劳动\x00仲裁", "\u202e工资\u202c", "\u200b\u200b", "🧑‍⚖️" * 50, "\ufeff你好",
    "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x}", "\r\n\r\nHTTP/1.1 200 OK",
    "/restart", "/nlu_fallback", "/greet{\"city\": \"" + "x" * 500 + "\"}", "/" + "a" * 900, "我" * 1001,
    " ", "\t\n", "１２３４５", "؟" * 10,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_hostile_text_always_gets_an_answer_in_its_own_conversation(bot_server, text):
    sender = new_sender("text")
    texts = texts_of_a_real_turn(say(bot_server, sender, text), sender)
    if "\ud800" in text or "\udfff" in text or "\x00" in text:
        assert any(HOTLINE in t for t in texts), texts


def test_stream_mode_is_guarded_too(bot_server):
    response = requests.post(f"{bot_server}/webhooks/rest/webhook?stream=true",
                             json={"sender": new_sender("stream"), "message": "\ud800"}, timeout=60)
    assert response.status_code == 200 and HOTLINE in response.text


# ---- REST: spoofed senders and channels ---------------------------------------------

@pytest.mark.parametrize("sender", ["wechat:oTEST", "wecom:zhangsan", "socketio:x", "wechat:" + "o" * 28])
def test_rest_cannot_speak_as_another_channels_user(bot_server, sender):
    response = say(bot_server, sender, "你好")
    assert response.status_code == 403 and "recipient_id" not in response.text


def test_rest_cannot_use_a_widget_session_without_its_token(bot_server):
    session_id, token = sessions.new_session()  # the test process has no server key: a foreign token
    assert say(bot_server, session_id, "你好").status_code == 403
    assert say(bot_server, session_id, "你好", session_token=token).status_code == 403
    issued = requests.post(f"{bot_server}/widget/session", json={}, timeout=10).json()
    ok = say(bot_server, issued["session_id"], "/greet", session_token=issued["session_token"])
    texts_of_a_real_turn(ok, issued["session_id"])


def test_rest_cannot_pose_as_another_channel_or_store_big_metadata(bot_server):
    sender = new_sender("meta")
    metadata = {"locale": "zh-CN", "junk": "x" * 50_000, "client": "y" * 1000}
    texts_of_a_real_turn(say(bot_server, sender, "/greet", input_channel="wechat", metadata=metadata), sender)
    user = [e for e in bot_server.tracker(sender)["events"] if e.get("event") == "user"][-1]
    assert user["input_channel"] == "rest"
    assert user["metadata"].get("locale") == "zh-CN"
    assert "junk" not in user["metadata"] and "client" not in user["metadata"]


def test_duplicate_and_concurrent_messages_each_answered_to_their_sender(bot_server):
    senders = [new_sender("dup") for _ in range(4)]
    jobs = [(s, "/greet") for s in senders for _ in range(2)]  # every message twice, at once
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda job: (job[0], say(bot_server, *job)), jobs))
    for sender, response in results:
        texts_of_a_real_turn(response, sender)


# ---- the HTTP API -------------------------------------------------------------------

def test_api_needs_the_token_and_never_answers_another_origin(bot_server):
    origin = {"Origin": "https://evil.example"}
    for method, path in (("GET", "/conversations/x/tracker"), ("GET", "/status"), ("PUT", "/model"),
                         ("DELETE", "/model"), ("POST", "/model/train"), ("POST", "/conversations/x/messages")):
        response = requests.request(method, f"{bot_server}{path}", headers=origin, timeout=10)
        assert response.status_code in (401, 403), (method, path, response.status_code)
        assert "access-control-allow-origin" not in {k.lower() for k in response.headers}
    preflight = requests.options(f"{bot_server}/model", headers={**origin, "Access-Control-Request-Method": "PUT"},
                                 timeout=10)
    assert "access-control-allow-origin" not in {k.lower() for k in preflight.headers}
    with_token = bot_server.api_get("/status", timeout=10)
    assert with_token.status_code == 200
    assert "access-control-allow-origin" not in {k.lower() for k in with_token.headers}


def test_channel_routes_answer_the_embedding_site(bot_server):
    headers = {"Origin": "https://sfj.example.gov.cn", "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    for path in ("/webhooks/rest/webhook", "/widget/history", "/widget/session"):
        preflight = requests.options(f"{bot_server}{path}", headers=headers, timeout=10)
        assert preflight.status_code < 300 and preflight.headers.get("Access-Control-Allow-Origin") == "*", path
        assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", ""), path


# ---- widget endpoints ---------------------------------------------------------------

@pytest.mark.parametrize("body", [b"", b"[]", b"{", b"[" * 60_000, b'{"session_id": "' + b"a" * 32 + b'"}',
                                  b'{"session_id": "../../etc", "session_token": "x"}', b'{"session_id": 1}'])
def test_widget_endpoints_take_any_body(bot_server, body):
    history = post_raw(bot_server, body, path="/widget/history")
    assert history.status_code == 403
    session = post_raw(bot_server, body, path="/widget/session")
    assert session.status_code == 200 and sessions.SESSION_ID.match(session.json()["session_id"])


# ---- socket.io ----------------------------------------------------------------------

class Socket:
    def __init__(self, base: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.received: list[dict] = []
        self.confirmed: list[dict] = []
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", self.confirmed.append)
        self.client.connect(base, socketio_path="/socket.io", transports=["polling"])

    def session(self, request: object = None) -> dict:
        before = len(self.confirmed)
        self.client.emit("session_request", request if request is not None else {})
        wait(lambda: len(self.confirmed) > before)
        return self.confirmed[-1]

    def utter(self, data: object, timeout: float = 45) -> list[dict]:
        before = len(self.received)
        self.client.emit("user_uttered", data)
        wait(lambda: len(self.received) > before, timeout)
        time.sleep(0.5)  # the rest of the turn
        return self.received[before:]

    def close(self) -> None:
        self.client.disconnect()


def wait(condition, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "nothing arrived"
        time.sleep(0.1)


@pytest.fixture
def sockets(bot_server):
    opened = []

    def open_socket() -> Socket:
        opened.append(Socket(bot_server))
        return opened[-1]

    yield open_socket
    for sock in opened:
        sock.close()


def test_socket_cannot_join_or_speak_in_another_citizens_session(sockets):
    victim, attacker = sockets(), sockets()
    session = victim.session()
    assert victim.utter({"message": "/greet", "session_id": session["session_id"]})
    heard = len(victim.received)
    # Joining with the id alone (seen over a shoulder, in a log …) gives a different session.
    stolen = attacker.session({"session_id": session["session_id"]})
    assert stolen["session_id"] != session["session_id"]
    answer = attacker.utter({"message": "我的案子怎么样了", "session_id": session["session_id"]})
    assert answer and all("recipient_id" not in m for m in answer)  # told on its own socket
    time.sleep(2)
    assert len(victim.received) == heard, "the attacker's message reached the victim's room"
    # With its token the victim's reloaded page gets its own session back.
    reloaded = sockets()
    assert reloaded.session(session)["session_id"] == session["session_id"]


HOSTILE_EVENTS = [None, "text", 42, [1, 2], {"message": None}, {"message": {"a": 1}}, {"message": "\ud800"},
                  {"message": "我" * 5000}, {"message": "/greet", "metadata": "{not json"},
                  {"message": "/greet", "metadata": {"junk": "x" * 20_000}}, {"message": "", "session_id": None}]


def test_hostile_socket_events_always_get_an_answer(sockets):
    sock = sockets()
    session = sock.session({"session_id": ["not", "a", "string"], "session_token": {"x": 1}})
    for event in HOSTILE_EVENTS:
        data = dict(event, session_id=event.get("session_id", session["session_id"])) if isinstance(event, dict) else event
        assert sock.utter(data), f"silent turn for {str(event)[:80]}"
    for garbage in (None, "x", 1, [1], {"session_id": "A" * 10_000}):
        assert sessions.SESSION_ID.match(sock.session(garbage)["session_id"])


# ---- a dedicated pair: limits, tracker bound, action server stopped -----------------

@pytest.fixture(scope="module")
def strict_bot(trained_model, test_database_url, tmp_path_factory):
    env = {"DATABASE_URL": test_database_url, "YUEFA_RATE_PER_SENDER": "5", "YUEFA_TRACKER_MAX": "20"}
    with running_bot(tmp_path_factory.mktemp("strict-logs"), env) as bot:
        yield bot


def tracker_has_user_events(base: str, token: str, sender: str) -> bool:
    tracker = requests.get(f"{base}/conversations/{sender}/tracker", params={"token": token}, timeout=10).json()
    return any(e.get("event") == "user" for e in tracker["events"])


def test_rate_limit_answers_429_in_chinese(strict_bot):
    base, sender = strict_bot.bases[0], new_sender("rate")
    codes = [say(base, sender, "/greet").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    limited = say(base, sender, "/greet").json()
    assert "频繁" in limited["error"] and HOTLINE in limited["error"]
    other = new_sender("rate-other")  # another citizen is not limited by this one
    texts_of_a_real_turn(say(base, other, "/greet"), other)


def test_tracker_store_keeps_at_most_its_bound(strict_bot):
    base, token = strict_bot.bases[0], strict_bot.api_token
    first = new_sender("bound")
    say(base, first, "/greet")
    assert tracker_has_user_events(base, token, first)
    for i in range(25):  # more new senders than YUEFA_TRACKER_MAX=20
        say(base, new_sender(f"bound{i}"), "/greet")
    assert not tracker_has_user_events(base, token, first), "the oldest conversation was not evicted"


def test_action_server_stopped_mid_conversation_gets_the_12348_answer(strict_bot):
    base, sender = strict_bot.bases[0], new_sender("actions-down")
    texts_of_a_real_turn(say(base, sender, "你好"), sender)
    actions = strict_bot.procs[0]
    actions.terminate()
    actions.wait(timeout=20)
    # Questions whose answers come from custom actions (the knowledge database).
    for question in ("佛山的公共法律服务中心在哪里", "我被拖欠工资怎么办", "申请法律援助要带什么材料？"):
        texts = texts_of_a_real_turn(say(base, sender, question), sender)
        assert any(HOTLINE in t for t in texts), texts
