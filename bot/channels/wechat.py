"""WeChat Official Account (公众号) channel: POST/GET /webhooks/wechat/webhook.

Configuration (environment; credentials.yml names only the prefix):
  WECHAT_TOKEN              the Token set in the 公众平台 server configuration (required)
  WECHAT_APP_ID             AppID (required for safe mode and for the customer-service API)
  WECHAT_APP_SECRET         AppSecret (customer-service API for answers slower than ~4 s)
  WECHAT_ENCODING_AES_KEY   EncodingAESKey; set = safe mode (plaintext callbacks refused)
  WECHAT_API_BASE           default https://api.weixin.qq.com (tests point it to a fake)
  WX_REPLY_DEADLINE         seconds to wait for a passive reply (default 4)
  WX_MAX_CLOCK_SKEW         accepted timestamp age in seconds (default 300)
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any, Dict, Optional, Text

from sanic.request import Request
from wechatpy.replies import TextReply

from bot.channels.wx_core import Inbound, WxInputBase, query
from bot.channels.wx_security import (
    RequestRejected, check_nonce, check_timestamp, parse_xml, verify_signature,
)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
log = logging.getLogger(__name__)


def custom_send_body(user: str, content: str) -> Dict[str, Any]:
    return {"touser": user, "msgtype": "text", "text": {"content": content}}


class WeChatInput(WxInputBase):
    reply_class = TextReply
    default_api_base = DEFAULT_API_BASE
    # Customer-service quota per trigger (公众号 sendCustomMessage rules): 5 messages after a
    # user message, 3 after a menu click or a subscription.
    event_max_messages = 3

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(
        self,
        *,
        token: Optional[str],
        app_id: Optional[str] = None,
        app_secret: Optional[str] = None,
        encoding_aes_key: Optional[str] = None,
        api_base: str = DEFAULT_API_BASE,
        **options: Any,  # store, reply_deadline, max_clock_skew, welcome_payload: see WxInputBase
    ) -> None:
        missing = [] if token else ["WECHAT_TOKEN"]
        if encoding_aes_key and not app_id:
            missing.append("WECHAT_APP_ID (needed with WECHAT_ENCODING_AES_KEY)")
        super().__init__(token=token, missing=missing, receive_id=app_id, encoding_aes_key=encoding_aes_key,
                         aes_key_name="WECHAT_ENCODING_AES_KEY", **options)
        self.app_id = app_id or ""
        if self.configured and self.codec is None:
            log.warning("[wechat] plaintext mode: the signature does not cover the message body, "
                        "so a captured signature could carry another body; each nonce is accepted once "
                        "within the replay window. Set WECHAT_ENCODING_AES_KEY (safe mode) in production")
        if app_id and app_secret:
            self.use_api(
                base_url=api_base, token_path="/cgi-bin/token",
                token_params={"grant_type": "client_credential", "appid": app_id, "secret": app_secret},
                send_path="/cgi-bin/message/custom/send", build_body=custom_send_body,
                cache_key=f"wechat:{app_id}",
            )

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        env, common = cls.settings(credentials)
        return cls(token=env.get("TOKEN"), app_id=env.get("APP_ID"), app_secret=env.get("APP_SECRET"),
                   encoding_aes_key=env.get("ENCODING_AES_KEY"), **common)

    # ---- protocol -----------------------------------------------------------------------
    def _check_plain_signature(self, request: Request) -> str:
        timestamp, nonce = query(request, "timestamp"), check_nonce(query(request, "nonce"))
        verify_signature(query(request, "signature"), self.token, timestamp, nonce)
        check_timestamp(timestamp, self.max_clock_skew)
        return nonce

    def verify_url(self, request: Request) -> str:
        # The same in plain and safe mode: signature over token, timestamp, nonce; echo echostr.
        self._check_plain_signature(request)
        echostr = query(request, "echostr")
        if not echostr:
            raise RequestRejected(400, "missing echostr")
        return echostr

    def _decrypt(self, request: Request, envelope: Dict[str, str]) -> str:
        encrypt = envelope.get("Encrypt")
        if not encrypt:
            raise RequestRejected(400, "encrypted callback without <Encrypt>")
        timestamp, nonce = query(request, "timestamp"), query(request, "nonce")
        verify_signature(query(request, "msg_signature"), self.token, timestamp, nonce, encrypt)
        return self.codec.decrypt(encrypt)  # type: ignore[union-attr]

    def read_callback(self, request: Request) -> Inbound:
        nonce = self._check_plain_signature(request)
        envelope = parse_xml(request.body)
        encrypted = query(request, "encrypt_type") == "aes"
        if self.codec is not None and not encrypted:
            # In plain mode the signature does not cover the body; safe mode must not accept it.
            raise RequestRejected(403, "plaintext callback while safe mode is configured")
        if encrypted:
            if self.codec is None:
                raise RequestRejected(400, "encrypted callback but no EncodingAESKey configured")
            fields = parse_xml(self._decrypt(request, envelope))
        else:
            fields = envelope
        return self.build_inbound(fields, nonce, encrypted)

    async def check_replay(self, request: Request, inbound: Inbound) -> None:
        """Plaintext mode: a (timestamp, nonce) pair is accepted once within the replay window.

        The signature covers only token, timestamp and nonce, so without this a captured
        query string could be sent again with any body for five minutes. (Safe mode signs
        the ciphertext; its replays are identical messages, which de-duplication absorbs.)
        """
        if inbound.encrypted:
            return
        pair = hashlib.sha256(f"{query(request, 'timestamp')}:{inbound.nonce}".encode()).hexdigest()[:24]
        if not await self.store.add(self.key("nonce", pair), "1", 2 * self.max_clock_skew):
            raise RequestRejected(403, "nonce already used")
