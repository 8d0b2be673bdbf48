"""Widget session ids the server issues, and the token that proves a browser owns one.

A session id is 128 random bits; its token is an HMAC of the id under a server key. The
widget keeps both in sessionStorage: after a reload it presents them again and is let back
into its conversation; an id without its token (guessed, copied from a log, chosen by a
client) opens nothing. The key is $YUEFA_SESSION_SECRET, else derived from
$YUEFA_SENDER_SALT (both the same on every replica), else random per process (sessions
then end when the server restarts).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from functools import lru_cache
from typing import Any, Tuple

log = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_PROCESS_KEY = secrets.token_bytes(32)


@lru_cache(maxsize=4)
def _key(secret: str, salt: str) -> bytes:
    if secret:
        return secret.encode()
    if salt:  # domain-separated, so the session key is not the salt itself
        return hmac.new(salt.encode(), b"yuefa widget sessions", hashlib.sha256).digest()
    log.warning("YUEFA_SESSION_SECRET and YUEFA_SENDER_SALT unset: widget sessions end on restart")
    return _PROCESS_KEY


def token_for(session_id: str) -> str:
    key = _key(os.environ.get("YUEFA_SESSION_SECRET", ""), os.environ.get("YUEFA_SENDER_SALT", ""))
    return hmac.new(key, b"widget-session:" + session_id.encode(), hashlib.sha256).hexdigest()


def new_session() -> Tuple[str, str]:
    session_id = secrets.token_hex(16)
    return session_id, token_for(session_id)


def owns(session_id: Any, token: Any) -> bool:
    """True when `token` was issued for `session_id`."""
    if not isinstance(session_id, str) or not isinstance(token, str) or not SESSION_ID.match(session_id):
        return False
    return hmac.compare_digest(token_for(session_id), token)


def confirmation(session_id: str) -> dict:
    """What the server sends the widget: Rasa webchat clients read `session_id`."""
    return {"session_id": session_id, "session_token": token_for(session_id)}
