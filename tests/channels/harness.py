"""Run a channel blueprint on a real HTTP port with a controllable fake bot, and fake the
platform's server API (access token + customer-service / message/send) on another port."""
from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlparse

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.wx_store import MemoryStore

_app_ids = itertools.count()

MENU_BUTTONS = [
    {"title": "法律援助初筛", "payload": "/legal_aid_eligibility"},
    {"title": "办理公证", "payload": "/notarization"},
    {"title": "查办理地点", "payload": '/find_office{"city": "广州市"}'},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# How long a "慢…" message waits for the test's release before giving up (then the bot fails
# and the channel apologises, so a forgotten release fails the test instead of hanging it).
MAX_HOLD_SECONDS = 30.0


class FakeBot:
    """An on_new_message that answers by rule, and records every message it was given.

    "慢…" waits until the test calls `release()` (one release per message): the test decides
    when the bot finishes, so the slow path never depends on how fast the machine is.
    "菜单" answers with buttons; "长…" answers with a long text; "崩溃" raises; "沉默" answers
    nothing (as Rasa does when the action server is down); anything else is echoed as
    "收到：<text>" plus a second message.
    """

    def __init__(self, max_hold: float = MAX_HOLD_SECONDS) -> None:
        self.received: List[Dict[str, Any]] = []
        self.answered = 0  # messages the bot has finished answering
        self.max_hold = max_hold
        self._gate = threading.Semaphore(0)
        self._lock = threading.Lock()

    def release(self, count: int = 1) -> None:
        """Let `count` held "慢…" messages finish."""
        self._gate.release(count)

    async def _hold(self) -> None:
        deadline = time.monotonic() + self.max_hold
        while not self._gate.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise RuntimeError("a slow message was never released by the test")
            await asyncio.sleep(0.01)

    async def __call__(self, message: UserMessage) -> None:
        with self._lock:
            self.received.append({"text": message.text, "sender": message.sender_id,
                                  "channel": message.input_channel})
        out, to = message.output_channel, message.sender_id
        text = message.text or ""
        if text.startswith("慢"):
            await self._hold()
        if text == "菜单":
            await out.send_text_with_buttons(to, "请问您想办理哪项业务？", MENU_BUTTONS)
        elif text.startswith("长"):
            paragraph = "法律援助是国家建立的为经济困难公民和符合法定条件的其他当事人无偿提供法律服务的制度。" * 6
            await out.send_text_message(to, "\n\n".join(f"第{i + 1}段：{paragraph}" for i in range(8)))
        elif text == "崩溃":
            raise RuntimeError("boom")
        elif text == "沉默":
            pass
        else:
            await out.send_text_message(to, f"收到：{text}")
            await out.send_text_message(to, "还有什么可以帮您？")
        with self._lock:
            self.answered += 1

    def texts(self) -> List[str]:
        with self._lock:
            return [r["text"] for r in self.received]


class SwitchableRedis(MemoryStore):
    """Stands in for Redis (fault and fuzz tests); `down = True` fails every call like a stopped server."""

    down = False

    async def _check(self):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")

    async def add(self, key, value, ttl):
        await self._check()
        return await super().add(key, value, ttl)

    async def get(self, key):
        await self._check()
        return await super().get(key)

    async def put(self, key, value, ttl):
        await self._check()
        await super().put(key, value, ttl)

    async def delete(self, key):
        await self._check()
        await super().delete(key)


class ChannelServer:
    """Mount `channel.blueprint(bot)` at /webhooks/<name>/ on a Sanic app in a thread.

    With `channels=[...]` instead, all of them are registered the way `rasa run` does
    (rasa.core.channels.channel.register; `channel` then only names the webhook URL).
    """

    def __init__(self, channel, bot, channels=None) -> None:
        self.channel, self.bot, self.channels = channel, bot, channels
        # Bound here and handed to Sanic: no window in which another process can take the port.
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/webhooks/{channel.name()}/webhook"
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        # Test mode lets several Sanic apps start in one process (TouchUp re-runs safely).
        Sanic.test_mode = True
        app = Sanic(f"wxtest{next(_app_ids)}")
        if self.channels is None:
            app.blueprint(self.channel.blueprint(self.bot), url_prefix=f"/webhooks/{self.channel.name()}")
        else:
            from rasa.core.channels.channel import register

            register(self.channels, app, route="/webhooks/")
        server = self.loop.run_until_complete(
            app.create_server(sock=self.sock, return_asyncio_server=True)
        )
        self.loop.run_until_complete(server.startup())
        self._server = server
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> "ChannelServer":
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("channel test server did not start")
        return self

    def stop(self) -> None:
        async def close():
            self._server.close()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.sock.close()


def wait_for_key(store, prefix: str, timeout: float = 15) -> None:
    """Wait until the channel's MemoryStore holds a key starting with `prefix` (e.g. a retry's mark)."""
    deadline = time.monotonic() + timeout
    while not any(key.startswith(prefix) for key in list(store._data)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {prefix}* key appeared")
        time.sleep(0.01)


def wait_idle(channel, timeout: float = 15) -> None:
    """Wait until the channel has no background work left (API deliveries finished)."""
    deadline = time.monotonic() + timeout
    while channel._background:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(channel._background)} background task(s) still running")
        time.sleep(0.02)


class FakePlatformApi:
    """api.weixin.qq.com / qyapi.weixin.qq.com stand-in: issues tokens, records sent messages."""

    def __init__(self, port: int = 0) -> None:
        self.token_requests: List[Dict[str, List[str]]] = []
        self.sent: List[Dict[str, Any]] = []
        self.expire_next_send = False  # answer the next send with errcode 40001 (token invalid)
        self.token_counter = 0
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, data: Dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                if url.path in ("/cgi-bin/token", "/cgi-bin/gettoken"):
                    with api._lock:
                        api.token_requests.append(parse_qs(url.query))
                        api.token_counter += 1
                        token = f"TOKEN-{api.token_counter}"
                    return self._json({"access_token": token, "expires_in": 7200})
                self.send_response(404)
                self.end_headers()

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                token = parse_qs(url.query).get("access_token", [""])[0]
                with api._lock:
                    if api.expire_next_send:
                        api.expire_next_send = False
                        return self._json({"errcode": 40001, "errmsg": "invalid credential"})
                    if token != f"TOKEN-{api.token_counter}":
                        return self._json({"errcode": 40014, "errmsg": "invalid access_token"})
                    api.sent.append({"path": url.path, "token": token, "body": body, "at": time.monotonic()})
                return self._json({"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakePlatformApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for_sent(self, count: int, timeout: float = 15) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.sent) >= count:
                    return list(self.sent)
            time.sleep(0.05)
        with self._lock:
            return list(self.sent)
