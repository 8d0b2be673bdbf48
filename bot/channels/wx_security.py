"""Request checks shared by the WeChat and WeCom channels.

wechatpy does the protocol work (signing, AES, message classes); this module closes
its gaps: signatures are compared in constant time, stale timestamps are refused
(a captured request cannot be replayed later), XML is size-limited and parsed with
defusedxml before wechatpy sees it (no DTD, no entity expansion), and every crypto
failure becomes one exception type instead of a stack trace.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
import time
from typing import Dict, Optional

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy.crypto.base import BasePrpCrypto
from wechatpy.crypto.pkcs7 import PKCS7Encoder
from xml.etree.ElementTree import ParseError

# Platform messages are a few hundred bytes; 64 KB leaves room for any real event.
MAX_BODY_BYTES = 64 * 1024
# WeChat and WeCom both allow about five minutes of clock difference in practice.
DEFAULT_MAX_CLOCK_SKEW = 300


class RequestRejected(Exception):
    """The request must not be processed. `status` is the HTTP answer (403 or 400)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sha1_signature(*parts: str) -> str:
    """The platform's signature: sha1 over the sorted, concatenated parts."""
    data = sorted(p.encode("utf-8") for p in parts)
    return hashlib.sha1(b"".join(data)).hexdigest()


def verify_signature(signature: Optional[str], *parts: Optional[str]) -> None:
    if not signature or any(p is None for p in parts):
        raise RequestRejected(403, "missing signature parameters")
    expected = sha1_signature(*parts)  # type: ignore[arg-type]
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise RequestRejected(403, "bad signature")


_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


def check_timestamp(
    timestamp: Optional[str], max_skew: int = DEFAULT_MAX_CLOCK_SKEW, now: Optional[float] = None
) -> None:
    """Refuse requests whose timestamp is outside the window (replay protection)."""
    # ASCII digits only: str.isdigit() and int() also accept "１２３" and Arabic-Indic digits,
    # so a timestamp the platform never sends would pass and be signed as a different string.
    if not timestamp or not _TIMESTAMP.match(timestamp):
        raise RequestRejected(403, "missing or malformed timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_skew:
        raise RequestRejected(403, "stale timestamp")


_NONCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def check_nonce(nonce: Optional[str]) -> str:
    """The nonce is echoed into reply XML, so only plain tokens are accepted."""
    if not nonce or not _NONCE.match(nonce):
        raise RequestRejected(403, "missing or malformed nonce")
    return nonce


def parse_xml(body: bytes | str) -> Dict[str, str]:
    """A flat <xml> document as {tag: text}; refuses DTDs, entities, oversize and garbage.

    Platform messages are one level of unique, attribute-free tags. Anything else (a
    repeated FromUserName, a nested or attributed tag) is refused: it could mean two
    different things to two readers, and would reach the message classes as a list or dict.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not raw or not raw.strip():
        raise RequestRejected(400, "empty body")
    if len(raw) > MAX_BODY_BYTES:
        raise RequestRejected(400, "body too large")
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise RequestRejected(400, "forbidden XML construct (DTD or entity)")
    except (ParseError, ValueError):
        raise RequestRejected(400, "malformed XML")
    if root.tag != "xml" or root.attrib or (root.text or "").strip():
        raise RequestRejected(400, "root element is not a plain <xml>")
    fields: Dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str) or not _TAG.match(child.tag):
            raise RequestRejected(400, "unexpected tag name")
        if child.attrib or len(child) or (child.tail or "").strip():
            raise RequestRejected(400, "attributed, nested or mixed-content tag")
        if child.tag in fields:
            raise RequestRejected(400, "duplicate tag")
        fields[child.tag] = child.text or ""
    return fields


class AesCodec:
    """The platform's AES-256-CBC message codec, via wechatpy, with strict decoding.

    wechatpy trusts the padding byte and the length prefix; a forged ciphertext then
    fails deep inside with struct or Unicode errors. Here every such case is a 403,
    and the AppID/CorpID at the end of the plaintext is compared in constant time.
    """

    def __init__(self, encoding_aes_key: str, receive_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("EncodingAESKey is not valid base64 (43 characters expected)")
        if len(encoding_aes_key) != 43 or len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 characters (32 bytes once decoded)")
        self.key = key
        self.receive_id = receive_id
        self._prp = BasePrpCrypto(key)

    def encrypt(self, text: str) -> str:
        return self._prp._encrypt(text, self.receive_id).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise RequestRejected(403, "ciphertext is not base64")
        if not data or len(data) % 16:
            raise RequestRejected(403, "ciphertext length is not a multiple of the block size")
        plain = self._prp.cipher.decrypt(data)
        pad = plain[-1]
        if not 1 <= pad <= PKCS7Encoder.block_size or plain[-pad:] != bytes([pad]) * pad:
            raise RequestRejected(403, "bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise RequestRejected(403, "truncated plaintext")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise RequestRejected(403, "bad length prefix")
        message, from_id = content[4 : 4 + length], content[4 + length :]
        if not hmac.compare_digest(from_id, self.receive_id.encode("utf-8")):
            raise RequestRejected(403, "AppID/CorpID mismatch")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestRejected(403, "plaintext is not UTF-8")

    def encrypted_reply(self, token: str, reply_xml: str, nonce: str, timestamp: str) -> str:
        """The envelope the platform expects for an encrypted passive reply."""
        encrypt = self.encrypt(reply_xml)
        signature = sha1_signature(token, timestamp, nonce, encrypt)
        return (
            "<xml>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce>"
            "</xml>"
        )
