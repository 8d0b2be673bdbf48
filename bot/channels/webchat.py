"""Serves the web chat widget from the Rasa server itself (no extra process).

Registered in credentials.yml as ``bot.channels.webchat.WidgetChannel:``. Routes:

- ``GET /widget/``                      demo page embedding the widget
- ``GET /widget/<file>``                widget JS/CSS and the vendored socket.io client
                                        (a fixed allow-list, so no path can leave bot/static)
- ``POST /widget/session``              {session_id?, session_token?} → the same session if
                                        the token matches, else a new server-issued one
- ``POST /widget/history``              {session_id, session_token} → the visible messages
                                        of that conversation, so it survives a page reload
                                        (POST: the id never appears in a URL or proxy log)

The widget talks to the bot through the socket.io and REST channels; this channel
receives no messages itself.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage

from bot.channels import sessions, widget_socket
from bot.channels.guarded import GuardedSocketIOInput, guard
from bot.channels.http_guard import harden_on_register, json_error
from bot.channels.sessions import SESSION_ID
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SOCKET_IO_CLIENT = "socket.io-4.8.4.min.js"

# Widget session ids are server-issued (bot/channels/sessions.py); other channels' sender
# ids (e.g. wechat:<OpenID>) never match SESSION_ID, and visible_messages refuses any
# conversation that did not come only through the widget's channels.
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


class WidgetSocketIOInput(GuardedSocketIOInput):
    """The guarded socket.io channel where a socket only talks in a session it owns."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        if self.sio is not None:
            widget_socket.install(self, self.sio, guard(on_new_message))
        return blueprint


def _session_body(request: Request) -> Dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


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

        @widget.route("/session", methods=["POST", "OPTIONS"])
        async def session(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()  # the CORS headers come from http_guard
            body = _session_body(request)
            session_id = body.get("session_id")
            if not sessions.owns(session_id, body.get("session_token")):
                session_id, _ = sessions.new_session()
            return response.json(sessions.confirmation(session_id), headers={"Cache-Control": "no-store"})

        @widget.route("/history", methods=["POST", "OPTIONS"])
        async def history(request: Request) -> HTTPResponse:
            if request.method == "OPTIONS":
                return response.empty()
            headers = {"Cache-Control": "no-store"}
            body = _session_body(request)
            session_id = body.get("session_id")
            if not sessions.owns(session_id, body.get("session_token")):
                return json_error("无效的会话标识", 403)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.tracker_store is None:
                return response.json({"messages": []}, headers=headers)
            try:
                tracker = await agent.tracker_store.retrieve(session_id)
            except Exception as error:  # a tracker store outage must not become a stack trace
                log.error("could not read the widget history: %s", type(error).__name__)
                return response.json({"messages": [], "error": "暂时无法读取对话记录"}, headers=headers)
            if tracker is None:
                return response.json({"messages": []}, headers=headers)
            events = [event.as_dict() for event in tracker.events]
            messages = visible_messages(events)
            if messages is None:
                return json_error("无效的会话标识", 403)
            return response.json({"messages": messages}, headers=headers)

        return harden_on_register(widget)
