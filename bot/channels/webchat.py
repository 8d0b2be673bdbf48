"""Serves the web chat widget from the Rasa server itself (no extra process).

Registered in credentials.yml as ``bot.channels.webchat.WidgetChannel:``. Routes:

- ``GET /widget/``                      demo page embedding the widget
- ``GET /widget/<file>``                widget JS/CSS and the vendored socket.io client
                                        (a fixed allow-list, so no path can leave bot/static)
- ``GET /widget/history/<session_id>``  the visible messages of a widget conversation, so
                                        the conversation survives a page reload

The widget talks to the bot through the socket.io and REST channels; this channel
receives no messages itself.
"""
from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from socketio import AsyncServer

from bot.channels.guarded import GuardedSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SOCKET_IO_CLIENT = "socket.io-4.8.4.min.js"

# Widget session ids are 32 hex characters (what Rasa's socket.io channel hands out and
# what the widget generates for REST). Other channels' sender ids (e.g. WeChat openids)
# never match, so this endpoint cannot read their conversations.
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
WIDGET_INPUT_CHANNELS = {"socketio", "rest"}
MAX_HISTORY_MESSAGES = 200


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    cache_control: str
    etag: str


def _load_static() -> Dict[str, StaticFile]:
    """Reads the allow-listed files once; they are small and never change at run time."""
    # Unversioned names are embedded by other sites: cache briefly, revalidate by ETag.
    short = "public, max-age=300, must-revalidate"
    specs = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "demo.css": ("text/css; charset=utf-8", short),
        "yuefa-widget.js": ("application/javascript; charset=utf-8", short),
        "yuefa-widget.css": ("text/css; charset=utf-8", short),
        # The version is in the name, so the file may be cached for good.
        SOCKET_IO_CLIENT: ("application/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        "socket.io-LICENSE.txt": ("text/plain; charset=utf-8", short),
    }
    files = {}
    for name, (content_type, cache_control) in specs.items():
        body = (STATIC_DIR / name).read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        files[name] = StaticFile(body, content_type, cache_control, etag)
    return files


# The demo page loads only its own files; messages can never run script in it.
DEMO_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def serve_static(request: Request, item: StaticFile) -> HTTPResponse:
    headers = {
        "Cache-Control": item.cache_control,
        "ETag": item.etag,
        "X-Content-Type-Options": "nosniff",
    }
    if item.content_type.startswith("text/html"):
        headers["Content-Security-Policy"] = DEMO_PAGE_CSP
        headers["Referrer-Policy"] = "no-referrer"
    if request.headers.get("if-none-match") == item.etag:
        return HTTPResponse(status=304, headers=headers)
    return HTTPResponse(body=item.body, status=200, headers=headers, content_type=item.content_type)


def _button_titles(buttons: Any) -> Dict[str, str]:
    titles = {}
    for button in buttons or []:
        if isinstance(button, dict) and button.get("payload") and button.get("title"):
            titles[str(button["payload"])] = str(button["title"])
    return titles


def visible_messages(events: List[Dict[str, Any]]) -> Optional[List[Dict[str, Any]]]:
    """What the citizen saw, from tracker events: user texts and bot messages.

    Returns None when the conversation did not come only through the widget's channels.
    A button click is stored as its payload; it is shown again as the button's title.
    Only the part after the last restart is shown, as the widget showed it.
    """
    messages: List[Dict[str, Any]] = []
    last_buttons: Dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "restart":
            messages, last_buttons = [], {}
        elif kind == "user":
            if event.get("input_channel") not in WIDGET_INPUT_CHANNELS:
                return None
            text = event.get("text") or ""
            if text.startswith("/") and text not in last_buttons:
                continue  # an intent command such as the widget's own "/greet" is not conversation
            messages.append({"sender": "user", "text": last_buttons.get(text, text),
                             "timestamp": event.get("timestamp")})
            last_buttons = {}
        elif kind == "bot":
            data = event.get("data") or {}
            message: Dict[str, Any] = {"sender": "bot", "text": event.get("text") or "",
                                       "timestamp": event.get("timestamp")}
            buttons = data.get("buttons") or data.get("quick_replies")
            if buttons:
                message["buttons"] = [
                    {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                    for b in buttons if isinstance(b, dict)
                ]
                last_buttons = _button_titles(buttons)
            if data.get("image"):
                message["image"] = str(data["image"])
            if message["text"] or message.get("buttons") or message.get("image"):
                messages.append(message)
    return messages[-MAX_HISTORY_MESSAGES:]


def handle_session_requests(sio: AsyncServer, namespace: Optional[str]) -> None:
    """Replaces Rasa's ``session_request`` handler so session persistence works.

    Rasa 3.6 calls ``sio.enter_room`` without ``await``; since python-socketio 5.9 that
    is a coroutine, so the socket never joins its session's room and every reply sent to
    the room is lost. This handler awaits it. It also gives a new id to a malformed one.
    """

    @sio.on("session_request", namespace=namespace)
    async def session_request(sid: Text, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
        await sio.enter_room(sid, session_id, namespace=namespace)
        await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)


class WidgetSocketIOInput(GuardedSocketIOInput):
    """The guarded socket.io channel with working session persistence (see above)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        if self.session_persistence and self.sio is not None:
            handle_session_requests(self.sio, self.namespace)
        return blueprint


class WidgetChannel(InputChannel):
    """Serves the web widget's files and its conversation history."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    def url_prefix(self) -> Text:
        # Rasa joins this onto "/webhooks/"; an absolute path replaces it, so the
        # demo page lives at /widget/ as `make run` prints.
        return "/widget"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        files = _load_static()
        widget = Blueprint("yuefa_widget", __name__)

        @widget.route("/", methods=["GET", "HEAD"])
        async def demo_page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page's relative links need the trailing slash.
                return response.redirect(request.path + "/", status=301)
            return serve_static(request, files["index.html"])

        @widget.route("/<name:str>", methods=["GET", "HEAD"])
        async def static_file(request: Request, name: str) -> HTTPResponse:
            if not name:  # "/widget/" itself
                return serve_static(request, files["index.html"])
            item = files.get(name)
            if item is None or name == "index.html":
                return response.text("not found", status=404)
            return serve_static(request, item)

        @widget.route("/history/<session_id:str>", methods=["GET"])
        async def history(request: Request, session_id: str) -> HTTPResponse:
            headers = {"Cache-Control": "no-store"}
            if not SESSION_ID.match(session_id):
                return response.json({"error": "无效的会话标识"}, status=400, headers=headers)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return response.json({"messages": []}, headers=headers)
            try:
                tracker = await agent.tracker_store.retrieve(session_id)
            except Exception:  # a tracker store outage must not become a stack trace
                log.exception("could not read the widget history")
                return response.json({"error": "暂时无法读取对话记录"}, status=503, headers=headers)
            if tracker is None:
                return response.json({"messages": []}, headers=headers)
            events = [event.as_dict() for event in tracker.events]
            messages = visible_messages(events)
            if messages is None:
                return response.json({"error": "无效的会话标识"}, status=400, headers=headers)
            return response.json({"messages": messages}, headers=headers)

        return widget
