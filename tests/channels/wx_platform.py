"""A simulated WeChat / WeCom server side, written from the published protocol.

Independent of wechatpy and of bot.channels: signing and AES are done here with
hashlib and `cryptography` directly, so a shared bug cannot make both sides agree.
Algorithm (公众平台 / 企业微信 "消息加解密说明"):
  key     = base64decode(EncodingAESKey + "=")            (32 bytes, AES-256)
  plain   = random(16) + len(msg) as 4 bytes big-endian + msg + AppID/CorpID
  cipher  = AES-256-CBC(key, iv=key[:16], PKCS#7 padding to a 32-byte block)
  Encrypt = base64(cipher)
  sign    = sha1("".join(sorted([token, timestamp, nonce, Encrypt])))
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import os
import random
import string
import struct
import time
import xml.etree.ElementTree as ET
from typing import Dict, Optional

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def nonce() -> str:
    return "".join(random.choices(string.digits, k=10))


def encrypt(aes_key: str, receive_id: str, message: str, prefix: Optional[bytes] = None) -> str:
    key = base64.b64decode(aes_key + "=")
    body = message.encode("utf-8")
    plain = (prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(aes_key: str, encrypted: str) -> tuple[str, str]:
    """(message, receive_id) — what the platform does with an encrypted passive reply."""
    key = base64.b64decode(aes_key + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20 : 20 + length].decode("utf-8"), plain[20 + length :].decode()


def xml_fields(text: str) -> Dict[str, str]:
    root = ET.fromstring(text)
    return {child.tag: child.text or "" for child in root}


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


_MSG_IDS = itertools.count(int(time.time() * 1000) * 1000)


class Platform:
    """Sends callbacks like the platform. `receive_id` is the AppID (公众号) or CorpID (WeCom)."""

    def __init__(self, url: str, token: str, receive_id: str, aes_key: Optional[str] = None,
                 wecom: bool = False, agent_id: str = "1000002") -> None:
        self.url, self.token, self.receive_id = url, token, receive_id
        self.aes_key, self.wecom, self.agent_id = aes_key, wecom, agent_id

    @staticmethod
    def next_msg_id() -> str:
        # One counter for every Platform in the process: two simulated platforms in front of
        # replicas sharing one Redis must never send the same MsgId by chance.
        return str(next(_MSG_IDS))

    # ---- message bodies -------------------------------------------------------------
    def text_xml(self, user: str, content: str, msg_id: Optional[str] = None) -> str:
        agent = f"<AgentID>{self.agent_id}</AgentID>" if self.wecom else ""
        return (f"<xml><ToUserName>{cdata(self.receive_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata('text')}</MsgType>"
                f"<Content>{cdata(content)}</Content><MsgId>{msg_id or self.next_msg_id()}</MsgId>{agent}</xml>")

    def event_xml(self, user: str, event: str, key: str = "", create_time: Optional[int] = None) -> str:
        agent = f"<AgentID>{self.agent_id}</AgentID>" if self.wecom else ""
        return (f"<xml><ToUserName>{cdata(self.receive_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
                f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType>{cdata('event')}</MsgType>"
                f"<Event>{cdata(event)}</Event><EventKey>{cdata(key)}</EventKey>{agent}</xml>")

    def media_xml(self, user: str, msg_type: str) -> str:
        agent = f"<AgentID>{self.agent_id}</AgentID>" if self.wecom else ""
        return (f"<xml><ToUserName>{cdata(self.receive_id)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>"
                f"<PicUrl>{cdata('http://mmbiz.example/p.jpg')}</PicUrl><MediaId>{cdata('media1')}</MediaId>"
                f"<Format>{cdata('amr')}</Format><MsgId>{self.next_msg_id()}</MsgId>{agent}</xml>")

    # ---- requests -------------------------------------------------------------------
    def verify(self, echostr: str = "echo-4711", timestamp: Optional[str] = None,
               bad_signature: bool = False) -> requests.Response:
        ts, n = timestamp or str(int(time.time())), nonce()
        if self.wecom:
            encrypted = encrypt(self.aes_key, self.receive_id, echostr)
            params = {"msg_signature": sign(self.token, ts, n, encrypted), "timestamp": ts, "nonce": n,
                      "echostr": encrypted}
            key = "msg_signature"
        else:
            params = {"signature": sign(self.token, ts, n), "timestamp": ts, "nonce": n, "echostr": echostr}
            key = "signature"
        if bad_signature:
            params[key] = "0" * 40
        return requests.get(self.url, params=params, timeout=15)

    def post(self, message_xml: str, *, encrypted: Optional[bool] = None, timestamp: Optional[str] = None,
             bad_signature: bool = False, raw_body: Optional[bytes] = None, receive_id: Optional[str] = None,
             timeout: float = 15, nonce_value: Optional[str] = None, openid: str = "ignored") -> requests.Response:
        """POST a callback; encrypted by default when an EncodingAESKey is set (always for WeCom)."""
        encrypted = (self.aes_key is not None) if encrypted is None else encrypted
        ts, n = timestamp or str(int(time.time())), nonce_value or nonce()
        params = {"timestamp": ts, "nonce": n}
        if not self.wecom:
            params["signature"] = sign(self.token, ts, n)
            params["openid"] = openid  # the real platform puts the sender's OpenID here
        body = message_xml.encode("utf-8")
        if encrypted:
            enc = encrypt(self.aes_key, receive_id or self.receive_id, message_xml)
            params["msg_signature"] = sign(self.token, ts, n, enc)
            if not self.wecom:
                params["encrypt_type"] = "aes"
            agent = f"<AgentID>{cdata(self.agent_id)}</AgentID>" if self.wecom else ""
            body = (f"<xml><ToUserName>{cdata(self.receive_id)}</ToUserName>{agent}"
                    f"<Encrypt>{cdata(enc)}</Encrypt></xml>").encode()
        if bad_signature:
            for key in ("signature", "msg_signature"):
                if key in params:
                    params[key] = "f" * 40
        return requests.post(self.url, params=params, data=raw_body if raw_body is not None else body,
                             headers={"Content-Type": "text/xml"}, timeout=timeout)

    def reply(self, response: requests.Response) -> Dict[str, str]:
        """The passive reply's fields, after checking its signature and decrypting it if needed."""
        assert response.status_code == 200, response.text
        assert response.text != "success", "no passive reply: the channel went to the API path"
        fields = xml_fields(response.text)
        if "Encrypt" not in fields:
            return fields
        expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
        assert fields["MsgSignature"] == expected, "reply signature does not verify"
        message, receive_id = decrypt(self.aes_key, fields["Encrypt"])
        assert receive_id == self.receive_id
        return xml_fields(message)
