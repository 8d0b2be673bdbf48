"""Server-wide limits for the citizen-facing HTTP routes (REST, socket.io, widget).

Installed on the Rasa app by our channels when Rasa registers their blueprints (see
`harden_on_register`), so `rasa run` needs no patch:

- request bodies above $YUEFA_MAX_BODY_BYTES (64 KB) get a 413 with a Chinese JSON message;
- CORS ($YUEFA_CORS, default "*") only on the channel routes: the widget is embedded by
  other sites, the HTTP API is not (Rasa itself is started without --cors);
- rate limits per sender and per client address (bounded, in memory);
- an exception nobody handled on a channel route becomes a 12348 answer, never a 5xx.
"""
from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Tuple, Union

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

# The same wording as the WeChat channels' fallback: the hotline is the human way out.
FALLBACK_REPLY = "抱歉，系统暂时繁忙，请稍后再试，或拨打12348公共法律服务热线咨询。"
TOO_LARGE_REPLY = "请求内容太大了。请简要输入您的问题，或拨打12348公共法律服务热线咨询。"
RATE_LIMITED_REPLY = "您发送消息太频繁了，请稍等一分钟再试。急需帮助请拨打12348公共法律服务热线。"

CHANNEL_PREFIXES = ("/webhooks/rest", "/socket.io", "/widget")
REST_WEBHOOK = "/webhooks/rest/webhook"


def is_channel_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in CHANNEL_PREFIXES)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, "") or default)
    except ValueError:
        raise SystemExit(f"error: {name} must be a whole number, not {env.get(name)!r}")


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 64 * 1024
    cors_origins: Union[str, Tuple[str, ...]] = "*"
    # A person types a few messages a minute; an office behind one NAT address sends more.
    per_sender_per_minute: int = 60
    per_client_per_minute: int = 1200
    max_tracked_keys: int = 50_000

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Limits":
        env = os.environ if env is None else env
        cors = (env.get("YUEFA_CORS") or "*").strip()
        origins: Union[str, Tuple[str, ...]] = "*" if cors == "*" else tuple(
            o.strip().rstrip("/") for o in cors.replace(",", " ").split() if o.strip()
        )
        return cls(
            max_body_bytes=_int(env, "YUEFA_MAX_BODY_BYTES", cls.max_body_bytes),
            cors_origins=origins,
            per_sender_per_minute=_int(env, "YUEFA_RATE_PER_SENDER", cls.per_sender_per_minute),
            per_client_per_minute=_int(env, "YUEFA_RATE_PER_CLIENT", cls.per_client_per_minute),
        )

    def origin_allowed(self, origin: Optional[str]) -> bool:
        if not origin:
            return False
        return self.cors_origins == "*" or origin.rstrip("/") in self.cors_origins


class WindowLimiter:
    """At most `limit` hits per key per window (0 = unlimited). Keys are kept in LRU order
    and at most `max_keys` of them, so a flood of new senders cannot grow memory."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 50_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self.windows: "OrderedDict[str, list]" = OrderedDict()

    def allow(self, key: str, now: Optional[float] = None) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        entry = self.windows.get(key)
        if entry is None or now - entry[0] >= self.window:
            entry = [now, 0]
        entry[1] += 1
        self.windows[key] = entry
        self.windows.move_to_end(key)
        while len(self.windows) > self.max_keys:
            self.windows.popitem(last=False)
        return entry[1] <= self.limit


class RateLimits:
    def __init__(self, limits: Limits) -> None:
        self.senders = WindowLimiter(limits.per_sender_per_minute, max_keys=limits.max_tracked_keys)
        self.clients = WindowLimiter(limits.per_client_per_minute, max_keys=limits.max_tracked_keys)

    def allow(self, client: str, sender: str) -> bool:
        # Both are counted, so a flood from one address cannot hide behind new senders.
        client_ok = self.clients.allow(client)
        sender_ok = self.senders.allow(sender)
        return client_ok and sender_ok


def client_address(request: Request) -> str:
    """The caller's address; behind a proxy set SANIC_PROXIES_COUNT / SANIC_REAL_IP_HEADER."""
    return request.remote_addr or request.ip or "unknown"


def rate_limits(app: Sanic) -> RateLimits:
    return harden(app).ctx.yuefa_rate_limits


def json_error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers={"Cache-Control": "no-store"})


def _cors_headers(request: Request, resp: HTTPResponse, limits: Limits) -> None:
    origin = request.headers.get("origin")
    if not limits.origin_allowed(origin):
        return
    resp.headers["Access-Control-Allow-Origin"] = "*" if limits.cors_origins == "*" else origin
    resp.headers["Vary"] = "Origin"
    if request.method == "OPTIONS":
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
        resp.headers["Access-Control-Max-Age"] = "600"


def _strip_cors(resp: HTTPResponse) -> None:
    for name in [n for n in resp.headers.keys() if n.lower().startswith("access-control-")]:
        del resp.headers[name]


def harden(app: Sanic, limits: Optional[Limits] = None) -> Sanic:
    """Installs the limits on `app` once (every channel calls this; the first one wins)."""
    if getattr(app.ctx, "yuefa_limits", None) is not None:
        return app
    limits = limits or Limits.from_env()
    app.ctx.yuefa_limits = limits
    app.ctx.yuefa_rate_limits = RateLimits(limits)
    # Sanic checks this while reading the body, before any handler allocates it.
    app.config.REQUEST_MAX_SIZE = limits.max_body_bytes

    async def cors(request: Request, resp: HTTPResponse) -> None:
        if resp is None or not hasattr(resp, "headers"):
            return
        if is_channel_path(request.path):
            _cors_headers(request, resp, limits)
        else:  # the HTTP API never answers another origin, whatever else configured CORS
            _strip_cors(resp)

    app.register_middleware(cors, "response")
    # sanic_cors wraps Rasa's error handler; the plain one renders Sanic's usual errors.
    default_handler = getattr(app.error_handler, "orig_handler", app.error_handler).default

    def on_error(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, PayloadTooLarge):
            return json_error(TOO_LARGE_REPLY, 413)
        path = getattr(request, "path", "") if request is not None else ""
        if not is_channel_path(path) or path.startswith("/socket.io"):
            return default_handler(request, exception)
        if isinstance(exception, SanicException) and getattr(exception, "status_code", 500) < 500:
            return json_error(str(exception) or "请求无效", exception.status_code)
        log.error("unhandled %s on %s", type(exception).__name__, path)
        if path == REST_WEBHOOK:
            return response.json([{"recipient_id": "", "text": FALLBACK_REPLY}])
        return json_error(FALLBACK_REPLY, 400)

    app.error_handler.add(Exception, on_error)
    return app


class _HardeningBlueprint(Blueprint):
    """Same layout as Blueprint (no new slots), so an existing blueprint can become one."""

    __slots__ = ()

    def register(self, app, options):
        harden(app)
        return super().register(app, options)


def harden_on_register(blueprint: Blueprint) -> Blueprint:
    """Makes Rasa's `app.blueprint(...)` of this channel also install the limits."""
    if type(blueprint) is Blueprint:
        blueprint.__class__ = _HardeningBlueprint
    else:  # a subclass with its own register (socket.io's SocketBlueprint)
        original = type(blueprint)

        class Hardening(original):  # type: ignore[misc, valid-type]
            __slots__ = ()

            def register(self, app, options):
                harden(app)
                return original.register(self, app, options)

        blueprint.__class__ = Hardening
    return blueprint


def allowed_metadata(raw: object, keys: Iterable[str] = ("locale", "page", "referrer", "client"),
                     max_value_chars: int = 200) -> dict:
    """The small client metadata worth keeping; anything else the client sent is dropped."""
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for key in keys:
        value = raw.get(key)
        if isinstance(value, bool) or isinstance(value, int) and abs(value) < 10**12:
            kept[key] = value
        elif isinstance(value, str) and len(value) <= max_value_chars and has_clean_text(value):
            kept[key] = value
    return kept


def has_clean_text(text: str) -> bool:
    """False for lone UTF-16 surrogates (they cannot be encoded) and NUL characters."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
