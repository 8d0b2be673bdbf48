"""What the Official Account and WeCom channels share: one message, handled once.

A platform callback goes: checks (signature, timestamp, decryption, strict XML)
→ dedup claim → what to tell Rasa → Rasa, raced against the passive-reply budget
(counted from the request's arrival) → passive XML reply, or "success" now and the
platform API later. A retry of a message still being answered takes the answer
over (wx_delivery.py). Nothing here answers with a 5xx or stays silent: failures
become the 12348 text. The subclasses only know their protocol details (which
signature, which crypto, which reply class, which API).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import time
import traceback
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.guarded import OncePerTurn, input_problem
from bot.channels.wx_api import WxApiClient
from bot.channels.wx_delivery import POLL_SECONDS, Budget, Ledger
from bot.channels.wx_replies import (
    MAX_TEXT_BYTES, PASSIVE_ONLY_NOTE, Rendered, fit_messages, option_choice, render_messages,
)
from bot.channels.wx_security import DEFAULT_MAX_CLOCK_SKEW, AesCodec, RequestRejected
from bot.channels.wx_store import KeyValueStore, store_from_env

log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

DEFAULT_REPLY_DEADLINE = 4.0  # the platform gives up after 5 s and retries
# Without API credentials a slow answer can only ride on one of the platform's retries
# (about 5, 10 and 15 s after the message): the first attempt then holds its connection
# past the platform's timeout instead of saying "success" (which would stop the retries).
PLATFORM_GRACE = 1.5
NO_API_WAIT = 20.0
OPTIONS_TTL = 24 * 3600
MAX_MESSAGES_PER_USER_MESSAGE = 5
SUCCESS = "success"  # tells the platform "received, no passive reply"

UNSUPPORTED_REPLY = (
    "抱歉，我暂时只能看懂文字消息，还不能识别图片、语音、视频或位置。"
    "请用文字简单说明您遇到的问题，例如“欠薪怎么申请法律援助”；也可以拨打12348公共法律服务热线咨询。"
)
BOT_ERROR_REPLY = "抱歉，系统暂时繁忙，请稍后再试，或拨打12348公共法律服务热线咨询。"
NOT_CONFIGURED = "channel not configured"


@dataclass
class Inbound:
    """One authenticated platform callback."""

    user: str  # OpenID / WeCom UserID
    dedup_key: str  # per user: a retry can only ever pick up its own user's answer
    reply_fields: Dict[str, Any]  # source/target (and WeCom's agent) of the passive reply
    nonce: str
    encrypted: bool
    text: Optional[str] = None  # what to send to Rasa
    direct_reply: Optional[str] = None  # answer without asking Rasa
    max_messages: int = MAX_MESSAGES_PER_USER_MESSAGE
    raw_text: bool = False  # True for typed text (numbered options and input checks apply)


def env_float(env: Dict[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, default))
    except (TypeError, ValueError):
        log.warning("%s is not a number; using %s", name, default)
        return default
    return value if value > 0 else default


def short_id(user: str) -> str:
    """A stable pseudonym for logs: never log OpenIDs or message text."""
    return hashlib.sha256(user.encode("utf-8")).hexdigest()[:10]


def hashed(*parts: str) -> str:
    """Store keys without OpenIDs or event keys in them."""
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]


class HideOpenId(logging.Filter):
    """Sanic's access log prints the whole URL, and the platform puts the OpenID in its query."""

    pattern = re.compile(r"([?&])openid=[^&\s]*")

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "openid=" in request:
            record.request = self.pattern.sub(r"\1openid=-", request)
        return True


def hide_openids_in_access_log() -> None:
    access = logging.getLogger("sanic.access")
    if not any(isinstance(f, HideOpenId) for f in access.filters):
        access.addFilter(HideOpenId())


def log_failure(what: str, error: BaseException) -> None:
    """The exception type and where it happened, never its message (it may quote citizen text)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s: %s\n%s", what, type(error).__name__, frames)


def cdata_safe(text: str) -> str:
    """wechatpy puts text in CDATA unescaped; split any "]]>" so the reply XML stays valid."""
    return text.replace("]]>", "]]]]><![CDATA[>")


class WxInputBase(InputChannel):
    """Shared flow; subclasses set the class attributes and implement the protocol hooks."""

    reply_class: Any  # wechatpy's TextReply for this platform
    default_api_base = ""
    welcome_events = frozenset({"subscribe"})  # "subscribe" with or without a QR scene
    click_events = frozenset({"click"})
    event_max_messages = MAX_MESSAGES_PER_USER_MESSAGE  # API messages allowed after an event

    def __init__(
        self,
        *,
        token: Optional[str],
        missing: List[str],
        receive_id: Optional[str] = None,
        encoding_aes_key: Optional[str] = None,
        aes_key_name: str = "EncodingAESKey",
        store: Optional[KeyValueStore] = None,
        reply_deadline: float = DEFAULT_REPLY_DEADLINE,
        max_clock_skew: int = DEFAULT_MAX_CLOCK_SKEW,
        welcome_payload: str = "/greet",
    ) -> None:
        """`missing` lists what the subclass found absent; a bad EncodingAESKey is added here.

        An unconfigured channel is still registered (the server starts); it answers 503.
        """
        self.codec: Optional[AesCodec] = None
        if encoding_aes_key and receive_id:
            try:
                self.codec = AesCodec(encoding_aes_key, receive_id)
            except ValueError as error:
                missing.append(f"a valid {aes_key_name} ({error})")
        if missing:
            log_not_configured(self.name(), missing)
        self.configured = not missing
        self.token = token or ""
        self.store: KeyValueStore = store if store is not None else store_from_env()
        self.ledger = Ledger(self.store, self.key)
        self.api: Optional[WxApiClient] = None
        self.reply_deadline = reply_deadline
        self.max_clock_skew = max_clock_skew
        self.welcome_payload = welcome_payload
        self._background: Set[asyncio.Task] = set()

    def use_api(self, *, base_url: str, token_path: str, token_params: Dict[str, str], send_path: str,
                build_body: Callable[[str, str], Dict[str, Any]], cache_key: str) -> None:
        """Enable sending through the platform API (answers too slow or too long to be passive)."""
        self.api = WxApiClient(base_url=base_url, token_path=token_path, token_params=token_params,
                               send_path=send_path, build_body=build_body, store=self.store,
                               cache_key=cache_key)

    @classmethod
    def settings(cls, credentials: Optional[Dict[Text, Any]]) -> Tuple[Dict[str, str], Dict[str, Any]]:
        """(PREFIX_* variables without the prefix, the constructor arguments both channels share)."""
        credentials = credentials or {}
        env = read_env(credentials.get("env_prefix") or cls.name().upper())
        shared = read_env("WX")
        common = {
            "api_base": env.get("API_BASE") or cls.default_api_base,
            "reply_deadline": env_float(shared, "REPLY_DEADLINE", DEFAULT_REPLY_DEADLINE),
            "max_clock_skew": int(env_float(shared, "MAX_CLOCK_SKEW", DEFAULT_MAX_CLOCK_SKEW)),
            "welcome_payload": credentials.get("welcome_payload") or "/greet",
        }
        return env, common

    # ---- protocol hooks -------------------------------------------------------------
    def verify_url(self, request: Request) -> str:
        """Check a GET verification request; return the body to echo."""
        raise NotImplementedError

    def read_callback(self, request: Request) -> Inbound:
        """Check and decode a POST callback."""
        raise NotImplementedError

    def check_fields(self, fields: Dict[str, str]) -> None:
        """Platform-specific checks of the decoded message (raise RequestRejected)."""

    def reply_fields(self, fields: Dict[str, str]) -> Dict[str, Any]:
        """What the passive reply is addressed with (wechatpy's reply class fields)."""
        return {"source": cdata_safe(fields.get("ToUserName", "")), "target": cdata_safe(fields["FromUserName"])}

    async def check_replay(self, request: Request, inbound: Inbound) -> None:
        """Platform-specific replay checks that need the store (raise RequestRejected)."""

    # ---- decoding and replying -------------------------------------------------------------
    def build_inbound(self, fields: Dict[str, str], nonce: str, encrypted: bool) -> Inbound:
        """The authenticated message (parsed strictly into flat, unique `fields`) → what to do."""
        user = fields.get("FromUserName", "")
        if not user or not fields.get("MsgType"):
            raise RequestRejected(400, "message without FromUserName or MsgType")
        self.check_fields(fields)
        msg_id = fields.get("MsgId")
        if msg_id:
            dedup_key = "msg:" + hashed(user, msg_id)
        else:  # the platform's advice is FromUserName + CreateTime; a subscribe and a click can share both
            dedup_key = "evt:" + hashed(user, fields.get("CreateTime", ""), fields.get("Event", ""),
                                        fields.get("EventKey", ""))
        inbound = Inbound(user=user, dedup_key=dedup_key, reply_fields=self.reply_fields(fields), nonce=nonce,
                          encrypted=encrypted)
        msg_type = fields["MsgType"].lower()
        if msg_type == "text":
            inbound.text, inbound.raw_text = fields.get("Content", ""), True
        elif msg_type == "voice" and fields.get("Recognition", "").strip():
            # Official Accounts with speech recognition switched on get the transcript for free.
            inbound.text, inbound.raw_text = fields["Recognition"], True
        elif msg_type == "event":
            event = fields.get("Event", "").lower()
            inbound.max_messages = self.event_max_messages
            if event in self.welcome_events:
                inbound.text = self.welcome_payload
            elif event in self.click_events and fields.get("EventKey", "").strip():
                inbound.text = fields["EventKey"].strip()
            # other events (unsubscribe, VIEW, LOCATION, enter_agent…) need no answer
        else:
            inbound.direct_reply = UNSUPPORTED_REPLY
        return inbound

    def render_reply(self, inbound: Inbound, content: str) -> str:
        """The passive reply XML, encrypted and signed when the request was encrypted."""
        now = int(time.time())
        xml = self.reply_class(content=content, time=now, **inbound.reply_fields).render()
        if not inbound.encrypted:
            return xml
        return self.codec.encrypted_reply(self.token, xml, inbound.nonce, str(now))  # type: ignore[union-attr]

    # ---- flow -----------------------------------------------------------------------
    def key(self, *parts: str) -> str:
        return ":".join((self.name(),) + parts)

    def sender_id(self, user: str) -> str:
        # Prefixed so a WeChat user never shares a conversation with a REST or WeCom sender.
        return f"{self.name()}:{user}"

    async def resolve_text(self, inbound: Inbound) -> Optional[str]:
        """Map "1" to the stored button payload; answer bad input directly."""
        text = inbound.text or ""
        if not inbound.raw_text:
            return text
        problem = input_problem(text)
        if problem is not None:
            inbound.direct_reply = problem
            return None
        choice = option_choice(text)
        if choice is not None:
            stored = await self.store.get(self.key("opts", inbound.user))
            options = json.loads(stored) if stored else []
            if 1 <= choice <= len(options):
                return options[choice - 1]["payload"]
        return text

    async def ask_bot(self, on_new_message: OnNewMessage, inbound: Inbound, text: str) -> Rendered:
        collector = CollectingOutputChannel()
        message = UserMessage(
            text, OncePerTurn(collector), self.sender_id(inbound.user), input_channel=self.name(),
            metadata={"platform": self.name()},
        )
        try:
            await on_new_message(message)
        except Exception as error:  # the citizen gets an apology, the operator the stack trace
            log_failure(f"the bot failed on a {self.name()} message from {short_id(inbound.user)}", error)
            return Rendered(texts=[BOT_ERROR_REPLY])
        rendered = render_messages(collector.messages)
        options_key = self.key("opts", inbound.user)
        if rendered.options:
            await self.store.put(options_key, json.dumps(rendered.options, ensure_ascii=False), OPTIONS_TTL)
        else:  # a new answer without buttons: an old "1" must not mean an old option
            await self.store.delete(options_key)
        return rendered

    def answer_texts(self, texts: List[str], max_messages: int) -> List[str]:
        """What to send; an empty answer (action server down, nothing predicted) is never silence."""
        return fit_messages(texts, max_messages) or [BOT_ERROR_REPLY]

    def passive_text(self, texts: List[str]) -> Optional[str]:
        """The one passive reply for these texts, or None when only the API can send them."""
        if len(texts) == 1:
            return texts[0]
        if self.api is None:  # the first part, and a note that there was more
            return fit_messages(texts, 1, note=PASSIVE_ONLY_NOTE)[0]
        return None

    async def send_api(self, inbound: Inbound, texts: List[str]) -> None:
        if self.api is None:
            log.warning("[%s] answer too slow for a passive reply and no API credentials are configured; "
                        "%d message(s) dropped", self.name(), len(texts))
            return
        sent = await self.api.send_texts(inbound.user, texts)
        log.info("[%s] sent %d/%d message(s) through the API to %s", self.name(), sent, len(texts),
                 short_id(inbound.user))

    async def hand_over(self, inbound: Inbound, texts: List[str], passive: Optional[str],
                        wait_until: float) -> None:
        """A finished answer whose own connection is gone: a waiting retry or the API delivers it."""
        key = inbound.dedup_key
        try:
            if passive is not None:
                await self.ledger.publish(key, passive)
                if await self.ledger.taken_by_retry(key, wait_until):
                    return
            if await self.ledger.take(key):
                await self.send_api(inbound, texts)
        except Exception as error:
            log_failure(f"[{self.name()}] delivering an answer to {short_id(inbound.user)} failed", error)

    async def deliver_later(self, inbound: Inbound, pending: "asyncio.Future[Rendered]", budget: Budget) -> None:
        try:
            rendered = await pending
        except Exception as error:
            log_failure(f"the bot task failed for {short_id(inbound.user)}", error)
            rendered = Rendered(texts=[BOT_ERROR_REPLY])
        texts = self.answer_texts(rendered.texts, inbound.max_messages)
        # With the API a retry that is waiting may still take it; without, wait for the retries.
        wait_until = budget.started_wall + NO_API_WAIT if self.api is None else time.time()
        await self.hand_over(inbound, texts, self.passive_text(texts), wait_until)

    def spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._background.discard)
        return task

    async def success(self, budget: Budget) -> response.HTTPResponse:
        """ "success" (no passive reply). Without the API, only after the platform gave up on this
        connection: "success" stops its retries, and a retry is then the only way to answer."""
        if self.api is None:
            await asyncio.sleep(max(0.0, budget.left() + PLATFORM_GRACE))
        return response.text(SUCCESS)

    async def handle_callback(self, request: Request, on_new_message: OnNewMessage,
                              budget: Budget) -> response.HTTPResponse:
        inbound = self.read_callback(request)
        await self.check_replay(request, inbound)
        if not await self.ledger.claim(inbound.dedup_key):
            return await self.answer_retry(inbound, budget)
        try:
            return await self.answer_first(inbound, budget, on_new_message)
        except Exception as error:  # claimed but failed: free the claim so a retry can succeed
            log_failure(f"[{self.name()}] a message from {short_id(inbound.user)} failed", error)
            try:
                await self.ledger.release(inbound.dedup_key)
            except Exception as release_error:
                log_failure(f"{self.name()}: releasing the claim failed", release_error)
            return self.reply_text(inbound, BOT_ERROR_REPLY)

    async def answer_first(self, inbound: Inbound, budget: Budget,
                           on_new_message: OnNewMessage) -> response.HTTPResponse:
        text = await self.resolve_text(inbound) if inbound.text is not None else None
        if inbound.direct_reply is not None:
            return await self.finish(inbound, budget, [inbound.direct_reply])
        if text is None:  # an event that needs no answer
            await self.ledger.take(inbound.dedup_key)
            return response.text(SUCCESS)
        pending = self.spawn(self.ask_bot(on_new_message, inbound, text))
        try:
            rendered = await asyncio.wait_for(asyncio.shield(pending), max(0.0, budget.left()))
        except asyncio.TimeoutError:
            self.spawn(self.deliver_later(inbound, pending, budget))
            return await self.success(budget)
        except asyncio.CancelledError:  # Sanic cancels us when the platform drops the connection
            self.spawn(self.deliver_later(inbound, pending, budget))  # a retry or the API answers
            raise
        return await self.finish(inbound, budget, rendered.texts)

    async def finish(self, inbound: Inbound, budget: Budget, texts: List[str]) -> response.HTTPResponse:
        """The first attempt has the answer: passive reply while its budget lasts, unless retried."""
        texts = self.answer_texts(texts, inbound.max_messages)
        passive = self.passive_text(texts)
        key = inbound.dedup_key
        if passive is None:  # several messages: only the API can send them, in order
            if await self.ledger.take(key):
                self.spawn(self.send_api(inbound, texts))
            return response.text(SUCCESS)
        if budget.left() > 0 and not await self.ledger.retry_waiting(key):
            if await self.ledger.take(key):
                return self.reply_text(inbound, passive)
            return response.text(SUCCESS)
        # The platform retried (this connection is dead) or the budget is gone.
        self.spawn(self.hand_over(inbound, texts, passive, wait_until=time.time()))
        return response.text(SUCCESS)

    async def answer_retry(self, inbound: Inbound, budget: Budget) -> response.HTTPResponse:
        """A retry (or duplicate): answered already → "success"; else wait for the answer in budget."""
        key = inbound.dedup_key
        if await self.ledger.delivered(key):
            log.info("[%s] duplicate delivery %s ignored", self.name(), key[-16:])
            return response.text(SUCCESS)
        await self.ledger.note_retry(key, budget.wall_deadline())
        while budget.left() > 0:
            text = await self.ledger.answer(key)
            if text is not None:
                if not await self.ledger.take(key):
                    return response.text(SUCCESS)
                await self.ledger.forget_answer(key)
                return self.reply_text(inbound, text)
            if await self.ledger.delivered(key):
                return response.text(SUCCESS)
            await asyncio.sleep(min(POLL_SECONDS, max(0.0, budget.left())))
        return await self.success(budget)

    def reply_text(self, inbound: Inbound, content: str) -> response.HTTPResponse:
        xml = self.render_reply(inbound, cdata_safe(fit_messages([content], 1, MAX_TEXT_BYTES)[0]))
        return response.text(xml, content_type="application/xml; charset=utf-8")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint(f"{self.name()}_webhook", __name__)
        hide_openids_in_access_log()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @blueprint.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> response.HTTPResponse:
            budget = Budget(self.reply_deadline)  # first: checks, decryption and Redis count too
            if not self.configured:
                return response.text(NOT_CONFIGURED, status=503)
            try:
                if request.method == "GET":
                    return response.text(self.verify_url(request))
                return await self.handle_callback(request, on_new_message, budget)
            except RequestRejected as rejected:
                log.warning("[%s] rejected %s request: %s", self.name(), request.method, rejected.reason)
                return response.text("forbidden" if rejected.status == 403 else "bad request",
                                     status=rejected.status)
            except Exception as error:  # never a 5xx (the platform would only retry into the same fault)
                log_failure(f"{self.name()}: unexpected failure before the message was understood", error)
                return response.text("bad request", status=400)

        return blueprint


def query(request: Request, name: str) -> Optional[str]:
    value = request.args.get(name)
    return value if isinstance(value, str) else None


def read_env(prefix: str, env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """All PREFIX_* variables, stripped, with the prefix removed (WECHAT_TOKEN → TOKEN)."""
    env = os.environ if env is None else env
    head = prefix.rstrip("_").upper() + "_"
    return {k[len(head):]: v.strip() for k, v in env.items() if k.startswith(head) and v and v.strip()}


def log_not_configured(channel: str, missing: List[Text]) -> None:
    log.warning("[%s] channel is registered but NOT configured (missing: %s); its webhook answers 503",
                channel, ", ".join(missing))
