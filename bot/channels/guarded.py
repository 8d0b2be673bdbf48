"""Rasa's REST and socket.io channels with input checks in front of the bot.

An empty message, a message far longer than any real question, or a body that is
not what the channel expects gets a clear answer instead of reaching the model
(or producing a stack trace). A turn that would end with no answer at all (action
server down, no model, an exception in an action) ends with the 12348 fallback.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import logsafe
from bot.channels import sessions
from bot.channels.http_guard import (
    FALLBACK_REPLY, RATE_LIMITED_REPLY, allowed_metadata, client_address, harden_on_register,
    has_clean_text, json_error, rate_limits,
)

# The Rasa server loads the channels (credentials.yml) before anything else of ours: scrub its
# log records from here on, start-up and model-loading failures included.
logsafe.install()

log = logging.getLogger(__name__)

# A real question is a few sentences; 1000 characters leaves room for a long story.
MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 200
EMPTY_REPLY = "您好像没有输入内容。请直接输入您的问题，例如“怎么申请法律援助”。"
TOO_LONG_REPLY = (
    f"您的消息太长了（超过{MAX_MESSAGE_CHARS}字），我无法一次处理。"
    "请分几句简要说明您遇到的问题，或拨打12348公共法律服务热线咨询。"
)
BAD_TEXT_REPLY = "抱歉，您的消息中含有无法识别的字符。请重新输入您的问题，或拨打12348公共法律服务热线咨询。"
# Other channels address their users as "<channel>:<id>" (wechat:<OpenID>, wecom:<UserId>);
# a REST caller must never post into, or read the replies of, such a conversation.
CHANNEL_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:")
FOREIGN_SENDER_ERROR = "sender 不能使用其他渠道的会话标识（如 wechat: 或 wecom: 开头）"
SESSION_TOKEN_ERROR = "会话已失效，请刷新页面后重试"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def input_problem(text: Any) -> Optional[str]:
    """The reply for unusable input, or None when the text may go to the bot."""
    if not isinstance(text, str) or not text.strip():
        return EMPTY_REPLY
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG_REPLY
    if not has_clean_text(text):
        return BAD_TEXT_REPLY
    return None


def sender_problem(sender: Any, session_token: Any = None) -> Optional[str]:
    """Why a REST sender id may not be used, or None."""
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        # Without a sender every anonymous caller would share one conversation.
        return "缺少有效的 sender（会话标识）"
    if not has_clean_text(sender) or any(ord(ch) < 32 for ch in sender):
        return "sender 含有无效字符"
    if CHANNEL_PREFIX.match(sender):
        return FOREIGN_SENDER_ERROR
    # A widget session (a server-issued id) is usable only with the token issued with it.
    if sessions.SESSION_ID.match(sender) and not sessions.owns(sender, session_token):
        return SESSION_TOKEN_ERROR
    return None


class OncePerTurn(OutputChannel):
    """One turn's output channel that never sends the same text twice: a dialogue loop
    (the same question or fallback predicted again) must not reach the citizen as a
    repeated message. Everything else goes to the wrapped channel unchanged. It counts
    what it passed on, so a turn that sent nothing can be told apart."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent: set[str] = set()
        self.delivered = 0

    @classmethod
    def name(cls) -> Text:
        return "once_per_turn"

    def _first_time(self, text: Any) -> bool:
        if isinstance(text, str) and text:
            if text in self.sent:
                return False
            self.sent.add(text)
        self.delivered += 1
        return True

    async def send_response(self, recipient_id: Text, message: dict) -> None:
        if self._first_time(message.get("text")):
            await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        if self._first_time(text):
            await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons, **kwargs: Any) -> None:
        if self._first_time(text):
            await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies, **kwargs: Any) -> None:
        if self._first_time(text):
            await self.inner.send_quick_replies(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        self.delivered += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        self.delivered += 1
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_elements(self, recipient_id: Text, elements, **kwargs: Any) -> None:
        self.delivered += 1
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    async def send_custom_json(self, recipient_id: Text, json_message, **kwargs: Any) -> None:
        self.delivered += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    def __getattr__(self, name: str) -> Any:  # channel-specific helpers (socket.io's sid, …)
        return getattr(self.inner, name)


def guard(on_new_message: OnNewMessage) -> OnNewMessage:
    async def guarded(message: UserMessage) -> Any:
        problem = input_problem(message.text)
        if problem is not None:
            await message.output_channel.send_text_message(message.sender_id, problem)
            return None
        turn = OncePerTurn(message.output_channel)
        message.output_channel = turn
        try:
            await on_new_message(message)
        except Exception as error:  # an action, a store or the model failed: answer anyway
            # The type only: the text and the sender id are the citizen's.
            log.error("a %s turn failed: %s", message.input_channel, type(error).__name__)
        if not turn.delivered:  # nothing at all reached the citizen in this turn
            try:
                await turn.inner.send_text_message(message.sender_id, FALLBACK_REPLY)
            except Exception as error:  # e.g. the socket went away meanwhile
                log.warning("could not send the fallback reply: %s", type(error).__name__)
        return None

    return guarded


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender": str, "message": str}."""

    def _extract_input_channel(self, req: Request) -> Text:
        # Never the caller's "input_channel": it would let REST pose as another channel.
        return self.name()

    def get_metadata(self, request: Request) -> Optional[dict]:
        return allowed_metadata(request.json.get("metadata")) or None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(guard(on_new_message))

        @blueprint.route("/webhook", methods=["OPTIONS"])
        async def preflight(_: Request) -> response.HTTPResponse:
            return response.empty()  # the CORS headers come from http_guard

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
                return json_error("请求体必须是JSON：{\"sender\": \"…\", \"message\": \"…\"}", 400)
            if not isinstance(body, dict):
                return json_error("请求体必须是JSON对象", 400)
            problem = sender_problem(body.get("sender"), body.get("session_token"))
            if problem is not None:
                forbidden = problem in (FOREIGN_SENDER_ERROR, SESSION_TOKEN_ERROR)
                return json_error(problem, 403 if forbidden else 400)
            if "message" in body and not isinstance(body["message"], str):
                return json_error("message 必须是文本", 400)
            if not rate_limits(request.app).allow(client_address(request), "rest:" + body["sender"]):
                return json_error(RATE_LIMITED_REPLY, 429)
            request.parsed_json = body  # Rasa reads request.json: parse it once
            return None

        return harden_on_register(blueprint)


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel used by the web widget, with the same input checks."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return harden_on_register(super().blueprint(guard(on_new_message)))
