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

import re
from typing import Any, Dict, Optional, Text, Tuple

from sanic.request import Request
from wechatpy.enterprise.replies import TextReply

from bot.channels.wx_core import Inbound, WxInputBase, query
from bot.channels.wx_security import (
    RequestRejected, check_nonce, check_timestamp, parse_xml, verify_signature,
)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"


class WeComInput(WxInputBase):
    reply_class = TextReply
    default_api_base = DEFAULT_API_BASE

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
        **options: Any,  # store, reply_deadline, max_clock_skew, welcome_payload: see WxInputBase
    ) -> None:
        missing = [name for name, value in (("WECOM_CORP_ID", corp_id), ("WECOM_TOKEN", token),
                                            ("WECOM_ENCODING_AES_KEY", encoding_aes_key)) if not value]
        if agent_id and not agent_id.isdigit():
            missing.append("a numeric WECOM_AGENT_ID")
        super().__init__(token=token, missing=missing, receive_id=corp_id, encoding_aes_key=encoding_aes_key,
                         aes_key_name="WECOM_ENCODING_AES_KEY", **options)
        self.agent_id = agent_id or ""
        if corp_id and secret and self.agent_id.isdigit():
            agent = int(self.agent_id)
            self.use_api(
                base_url=api_base, token_path="/cgi-bin/gettoken",
                token_params={"corpid": corp_id, "corpsecret": secret},
                send_path="/cgi-bin/message/send",
                build_body=lambda user, content: {
                    "touser": user, "msgtype": "text", "agentid": agent, "text": {"content": content}, "safe": 0,
                },
                cache_key=f"wecom:{corp_id}:{agent}",
            )

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeComInput":
        env, common = cls.settings(credentials)
        return cls(corp_id=env.get("CORP_ID"), token=env.get("TOKEN"),
                   encoding_aes_key=env.get("ENCODING_AES_KEY"), agent_id=env.get("AGENT_ID"),
                   secret=env.get("SECRET"), **common)

    # ---- protocol -----------------------------------------------------------------------
    def _verified_decrypt(self, request: Request, encrypted: Optional[str]) -> Tuple[str, str]:
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
        return self.build_inbound(parse_xml(xml), nonce, encrypted=True)

    def check_fields(self, fields: Dict[str, str]) -> None:
        agent = fields.get("AgentID", "")
        if agent and not re.fullmatch(r"[0-9]{1,12}", agent):  # the reply carries it as a number
            raise RequestRejected(400, "malformed AgentID")
        if self.agent_id and (agent or self.agent_id) != self.agent_id:
            raise RequestRejected(403, "message for another AgentID")

    def reply_fields(self, fields: Dict[str, str]) -> Dict[str, Any]:
        return {**super().reply_fields(fields), "agent": int(fields.get("AgentID") or self.agent_id or 0)}
