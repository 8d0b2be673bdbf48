"""The widget's socket.io handlers: a socket talks only in the session it proved it owns.

Replaces Rasa 3.6's `connect`, `session_request`, `user_uttered` and `disconnect` handlers:

- `session_request` joins the socket to its session's room only with the session's token
  (bot/channels/sessions.py); otherwise it issues a new session. Rasa 3.6 also forgot to
  await python-socketio 5's `enter_room`, so no reply ever reached the room.
- `user_uttered` is accepted only for the session this socket joined, within the rate
  limits, with only the allow-listed metadata; anything else gets a short answer on the
  socket itself (never a silent turn, never a reply in someone else's room).
- `connect` refuses an Origin that $YUEFA_CORS does not allow (CORS does not cover
  websockets, so the server must check).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from socketio import AsyncServer

from bot.channels import sessions
from bot.channels.guarded import SESSION_TOKEN_ERROR
from bot.channels.http_guard import RATE_LIMITED_REPLY, allowed_metadata, client_address, harden

log = logging.getLogger(__name__)


class SocketState:
    """Per connected socket: its client address and the session it joined (bounded by the
    number of open connections; removed on disconnect)."""

    def __init__(self) -> None:
        self.clients: Dict[str, str] = {}
        self.sessions: Dict[str, str] = {}
        self.rates = None


def _same_origin(origin: str, environ: dict) -> bool:
    return urlsplit(origin).netloc == environ.get("HTTP_HOST", "")


def install(channel: Any, sio: AsyncServer, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketState:
    namespace: Optional[str] = channel.namespace
    ns = namespace or "/"
    state = SocketState()
    original_connect = sio.handlers.get(ns, {}).get("connect")
    original_disconnect = sio.handlers.get(ns, {}).get("disconnect")

    async def say_to_socket(sid: Text, text: str) -> None:
        await sio.emit(channel.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

    @sio.on("connect", namespace=namespace)
    async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
        request = environ.get("sanic.request")
        if request is not None:
            app = harden(request.app)
            origin = environ.get("HTTP_ORIGIN")
            if origin and not app.ctx.yuefa_limits.origin_allowed(origin) and not _same_origin(origin, environ):
                return False
            state.rates = app.ctx.yuefa_rate_limits
            state.clients[sid] = client_address(request)
        if original_connect is None:
            return True
        return await original_connect(sid, environ, auth)

    @sio.on("disconnect", namespace=namespace)
    async def disconnect(sid: Text) -> None:
        state.clients.pop(sid, None)
        state.sessions.pop(sid, None)
        if original_disconnect is not None:
            await original_disconnect(sid)

    @sio.on("session_request", namespace=namespace)
    async def session_request(sid: Text, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        requested = data.get("session_id")
        if sessions.owns(requested, data.get("session_token")):
            session_id = requested
        else:  # new, expired, malformed or someone else's: a fresh session
            session_id, _ = sessions.new_session()
        previous = state.sessions.get(sid)
        if previous and previous != session_id:
            await sio.leave_room(sid, previous, namespace=namespace)
        await sio.enter_room(sid, session_id, namespace=namespace)
        state.sessions[sid] = session_id
        await sio.emit("session_confirm", sessions.confirmation(session_id), room=sid, namespace=namespace)

    @sio.on(channel.user_message_evt, namespace=namespace)
    async def user_uttered(sid: Text, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        if channel.session_persistence:
            sender = data.get("session_id")
            if not isinstance(sender, str) or state.sessions.get(sid) != sender:
                await say_to_socket(sid, SESSION_TOKEN_ERROR)
                return
        else:
            sender = sid
        if state.rates is not None and not state.rates.allow(state.clients.get(sid, "unknown"), "socketio:" + sender):
            await say_to_socket(sid, RATE_LIMITED_REPLY)
            return
        text = data.get("message", "")
        message = UserMessage(
            text if isinstance(text, str) else None,
            SocketIOOutput(sio, channel.bot_message_evt),
            sender,
            input_channel=channel.name(),
            metadata=allowed_metadata(data.get(channel.metadata_key)) or None,
        )
        await on_new_message(message)

    return state
