"""Rasa's REST and socket.io channels with input checks in front of the bot.

An empty message, a message far longer than any real question, or a body that is
not what the channel expects gets a clear answer instead of reaching the model
(or producing a stack trace). The conversation itself is untouched.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request

# A real question is a few sentences; 1000 characters leaves room for a long story.
MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 200
EMPTY_REPLY = "您好像没有输入内容。请直接输入您的问题，例如“怎么申请法律援助”。"
TOO_LONG_REPLY = (
    f"您的消息太长了（超过{MAX_MESSAGE_CHARS}字），我无法一次处理。"
    "请分几句简要说明您遇到的问题，或拨打12348公共法律服务热线咨询。"
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def input_problem(text: Any) -> Optional[str]:
    """The reply for unusable input, or None when the text may go to the bot."""
    if not isinstance(text, str) or not text.strip():
        return EMPTY_REPLY
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG_REPLY
    return None


class OncePerTurn(OutputChannel):
    """One turn's output channel that never sends the same text twice: a dialogue loop
    (the same question or fallback predicted again) must not reach the citizen as a
    repeated message. Everything else goes to the wrapped channel unchanged."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent: set[str] = set()

    @classmethod
    def name(cls) -> Text:
        return "once_per_turn"

    def _first_time(self, text: Any) -> bool:
        if not isinstance(text, str) or not text:
            return True
        if text in self.sent:
            return False
        self.sent.add(text)
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
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_elements(self, recipient_id: Text, elements, **kwargs: Any) -> None:
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    async def send_custom_json(self, recipient_id: Text, json_message, **kwargs: Any) -> None:
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    def __getattr__(self, name: str) -> Any:  # channel-specific helpers (socket.io's sid, …)
        return getattr(self.inner, name)


def guard(on_new_message: OnNewMessage) -> OnNewMessage:
    async def guarded(message: UserMessage) -> Any:
        problem = input_problem(message.text)
        if problem is not None:
            await message.output_channel.send_text_message(message.sender_id, problem)
            return None
        message.output_channel = OncePerTurn(message.output_channel)
        return await on_new_message(message)

    return guarded


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook with {"sender": str, "message": str}."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(guard(on_new_message))

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "请求体必须是JSON：{\"sender\": \"…\", \"message\": \"…\"}"}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "请求体必须是JSON对象"}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                # Without a sender every anonymous caller would share one conversation.
                return response.json({"error": "缺少有效的 sender（会话标识）"}, status=400)
            if "message" in body and not isinstance(body["message"], str):
                return response.json({"error": "message 必须是文本"}, status=400)
            return None

        return blueprint


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel used by the web widget, with the same input checks."""

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guard(on_new_message))
