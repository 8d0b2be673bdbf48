"""WeCom (企业微信) self-built app channel: POST/GET /webhooks/wecom/webhook.

WeCom callbacks are always encrypted: the verification echostr too.
Configuration (environment; credentials.yml names only the prefix):
  WECOM_CORP_ID            企业ID (required; checked after every decryption)
  WECOM_TOKEN              Token of the app's "接收消息" API settings (required)
  WECOM_ENCODING_AES_KEY   EncodingAESKey of the same settings (required)
  WECOM_AGENT_ID           AgentId of the app (checked on callbacks; needed for message/send)
  WECOM_SECRET             the app's Secret (message/send for answers slower than ~4 s)
  WECOM_API_BASE           default https://qyapi.weixin.qq.com (tests point it to a fake)
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional, Text

from sanic.request import Request
from wechatpy.enterprise.parser import parse_message
from wechatpy.enterprise.replies import TextReply

from bot.channels.wx_api import WxApiClient
from bot.channels.wx_core import (
    DEFAULT_REPLY_DEADLINE, UNSUPPORTED_REPLY, Inbound, WxInputBase, env_float, log_not_configured,
    query, read_env,
)
from bot.channels.wx_security import (
    DEFAULT_MAX_CLOCK_SKEW, AesCodec, RequestRejected, check_nonce, check_timestamp, parse_xml,
    verify_signature,
)
from bot.channels.wx_store import KeyValueStore

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
WELCOME_EVENTS = {"subscribe"}
CLICK_EVENTS = {"click"}


class WeComInput(WxInputBase):
    @classmethod
    def name(cls) -> Text:
        return "wecom"

    def __init__(
        self,
        *,
        corp_id: Optional[str],
        token: Optional[str],
        encoding_aes_key: Optional[str],
        agent_id: Optional[str] = None,
        secret: Optional[str] = None,
        api_base: str = DEFAULT_API_BASE,
        store: Optional[KeyValueStore] = None,
        reply_deadline: float = DEFAULT_REPLY_DEADLINE,
        max_clock_skew: int = DEFAULT_MAX_CLOCK_SKEW,
        welcome_payload: str = "/greet",
    ) -> None:
        missing = [name for name, value in (("WECOM_CORP_ID", corp_id), ("WECOM_TOKEN", token),
                                            ("WECOM_ENCODING_AES_KEY", encoding_aes_key)) if not value]
        self.codec: Optional[AesCodec] = None
        if not missing:
            try:
                self.codec = AesCodec(encoding_aes_key, corp_id)  # type: ignore[arg-type]
            except ValueError as error:
                missing.append(f"a valid WECOM_ENCODING_AES_KEY ({error})")
        if agent_id and not agent_id.isdigit():
            missing.append("a numeric WECOM_AGENT_ID")
        if missing:
            log_not_configured(self.name(), missing)
        super().__init__(configured=not missing, store=store, reply_deadline=reply_deadline,
                         max_clock_skew=max_clock_skew, welcome_payload=welcome_payload)
        self.token = token or ""
        self.agent_id = agent_id or ""
        if corp_id and secret and self.agent_id.isdigit():
            agent = int(self.agent_id)
            self.api = WxApiClient(
                base_url=api_base, token_path="/cgi-bin/gettoken",
                token_params={"corpid": corp_id, "corpsecret": secret},
                send_path="/cgi-bin/message/send",
                build_body=lambda user, content: {
                    "touser": user, "msgtype": "text", "agentid": agent, "text": {"content": content}, "safe": 0,
                },
                store=self.store, cache_key=f"wecom:{corp_id}:{agent}",
            )

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeComInput":
        credentials = credentials or {}
        env = read_env(credentials.get("env_prefix") or "WECOM")
        shared = read_env("WX")
        return cls(
            corp_id=env.get("CORP_ID"),
            token=env.get("TOKEN"),
            encoding_aes_key=env.get("ENCODING_AES_KEY"),
            agent_id=env.get("AGENT_ID"),
            secret=env.get("SECRET"),
            api_base=env.get("API_BASE") or DEFAULT_API_BASE,
            reply_deadline=env_float(shared, "REPLY_DEADLINE", DEFAULT_REPLY_DEADLINE),
            max_clock_skew=int(env_float(shared, "MAX_CLOCK_SKEW", DEFAULT_MAX_CLOCK_SKEW)),
            welcome_payload=credentials.get("welcome_payload") or "/greet",
        )

    # ---- protocol -----------------------------------------------------------------------
    def _verified_decrypt(self, request: Request, encrypted: Optional[str]) -> tuple[str, str]:
        timestamp, nonce = query(request, "timestamp"), check_nonce(query(request, "nonce"))
        if not encrypted:
            raise RequestRejected(400, "nothing to decrypt")
        verify_signature(query(request, "msg_signature"), self.token, timestamp, nonce, encrypted)
        check_timestamp(timestamp, self.max_clock_skew)
        return self.codec.decrypt(encrypted), nonce  # type: ignore[union-attr]

    def verify_url(self, request: Request) -> str:
        plain, _ = self._verified_decrypt(request, query(request, "echostr"))
        return plain

    def read_callback(self, request: Request) -> Inbound:
        envelope = parse_xml(request.body)
        xml, nonce = self._verified_decrypt(request, envelope.get("Encrypt"))
        fields = parse_xml(xml)
        user = fields.get("FromUserName", "")
        if not user or not fields.get("MsgType"):
            raise RequestRejected(400, "message without FromUserName or MsgType")
        if self.agent_id and fields.get("AgentID", self.agent_id) != self.agent_id:
            raise RequestRejected(403, "message for another AgentID")
        try:
            message = parse_message(xml)  # defusedxml already refused DTDs and entities
        except (KeyError, ValueError, TypeError):
            raise RequestRejected(400, "unparseable message")
        msg_id = fields.get("MsgId")
        dedup_key = f"msg:{msg_id}" if msg_id else f"evt:{user}:{fields.get('CreateTime', '')}"
        inbound = Inbound(user=user, dedup_key=dedup_key, message=message, nonce=nonce, encrypted=True)
        msg_type = fields["MsgType"].lower()
        if msg_type == "text":
            inbound.text, inbound.raw_text = fields.get("Content", ""), True
        elif msg_type == "event":
            event = fields.get("Event", "").lower()
            if event in WELCOME_EVENTS:
                inbound.text = self.welcome_payload
            elif event in CLICK_EVENTS and (fields.get("EventKey") or "").strip():
                inbound.text = fields["EventKey"].strip()
            # enter_agent, view, location… need no answer
        else:
            inbound.direct_reply = UNSUPPORTED_REPLY
        return inbound

    def render_reply(self, inbound: Inbound, content: str) -> str:
        xml = TextReply(message=inbound.message, content=content, time=int(time.time())).render()
        return self.codec.encrypted_reply(  # type: ignore[union-attr]
            self.token, xml, inbound.nonce, str(int(time.time()))
        )
