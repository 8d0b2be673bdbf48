"""The platform's server API: access token and text messages sent outside a reply.

Used when the bot needs longer than the passive-reply window (customer-service
message API for an Official Account, message/send for a WeCom app). The access
token is shared through the store: Official Account tokens are invalidated a few
minutes after a new one is fetched, so replicas must not each fetch their own.
One replica refreshes under a short lock; the others wait for its result.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Dict, List, Optional

import aiohttp

from bot.channels.wx_store import KeyValueStore

log = logging.getLogger(__name__)

# errcodes meaning "this access token is no longer valid": fetch a new one and retry once.
TOKEN_ERRCODES = {40001, 40014, 42001}
TOKEN_SAFETY_MARGIN = 300  # refresh five minutes before the platform's expiry
REFRESH_LOCK_TTL = 15
REQUEST_TIMEOUT = 10


class WxApiError(Exception):
    def __init__(self, errcode: Any, errmsg: str) -> None:
        super().__init__(f"errcode={errcode} errmsg={errmsg}")
        self.errcode = errcode


class WxApiClient:
    """token_path/token_params: how to get a token; send_path + build_body: how to send text."""

    def __init__(
        self,
        *,
        base_url: str,
        token_path: str,
        token_params: Dict[str, str],
        send_path: str,
        build_body: Callable[[str, str], Dict[str, Any]],
        store: KeyValueStore,
        cache_key: str,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_path = token_path
        self.token_params = token_params
        self.send_path = send_path
        self.build_body = build_body
        self.store = store
        self.token_key = f"wx:token:{cache_key}"
        self.lock_key = f"wx:token-lock:{cache_key}"
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._local_lock: Optional[asyncio.Lock] = None

    async def _get_json(self, session: aiohttp.ClientSession, method: str, path: str, **kwargs) -> Dict[str, Any]:
        async with session.request(method, self.base_url + path, **kwargs) as response:
            if response.status != 200:
                raise WxApiError(f"http-{response.status}", "unexpected HTTP status")
            data = await response.json(content_type=None)
        if not isinstance(data, dict):
            raise WxApiError("bad-json", "response is not a JSON object")
        return data

    async def _fetch_token(self, session: aiohttp.ClientSession) -> str:
        data = await self._get_json(session, "GET", self.token_path, params=self.token_params)
        token = data.get("access_token")
        if data.get("errcode") or not isinstance(token, str) or not token:
            raise WxApiError(data.get("errcode"), str(data.get("errmsg", "no access_token")))
        try:
            expires_in = int(data.get("expires_in", 7200))
        except (TypeError, ValueError):
            expires_in = 7200
        await self.store.put(self.token_key, token, max(60, expires_in - TOKEN_SAFETY_MARGIN))
        log.info("fetched a new access token (valid %s s)", expires_in)
        return token

    async def access_token(self, session: aiohttp.ClientSession) -> str:
        cached = await self.store.get(self.token_key)
        if cached:
            return cached
        if self._local_lock is None:
            self._local_lock = asyncio.Lock()
        async with self._local_lock:  # one refresh per process...
            cached = await self.store.get(self.token_key)
            if cached:
                return cached
            if await self.store.add(self.lock_key, "1", REFRESH_LOCK_TTL):  # ...and per cluster
                try:
                    return await self._fetch_token(session)
                finally:
                    await self.store.delete(self.lock_key)
            for _ in range(int(REFRESH_LOCK_TTL / 0.2)):  # another replica is refreshing
                await asyncio.sleep(0.2)
                cached = await self.store.get(self.token_key)
                if cached:
                    return cached
            return await self._fetch_token(session)

    async def _invalidate(self, token: str) -> None:
        if await self.store.get(self.token_key) == token:
            await self.store.delete(self.token_key)

    async def _send_one(self, session: aiohttp.ClientSession, user_id: str, content: str) -> None:
        body = json.dumps(self.build_body(user_id, content), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        for attempt in (1, 2):
            token = await self.access_token(session)
            data = await self._get_json(
                session, "POST", self.send_path, params={"access_token": token}, data=body, headers=headers
            )
            errcode = data.get("errcode", 0)
            if not errcode:
                return
            if errcode in TOKEN_ERRCODES and attempt == 1:
                await self._invalidate(token)
                continue
            raise WxApiError(errcode, str(data.get("errmsg", "")))

    async def send_texts(self, user_id: str, contents: List[str]) -> int:
        """Send the texts in order; returns how many were accepted (stops at the first failure)."""
        sent = 0
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            for content in contents:
                try:
                    await self._send_one(session, user_id, content)
                except WxApiError as error:
                    log.warning("the platform refused a message: %s", error)
                    break
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    # Only the class name: aiohttp messages can carry the URL with the token.
                    log.warning("the platform API could not be reached: %s", type(error).__name__)
                    break
                sent += 1
        return sent
