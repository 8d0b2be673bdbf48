"""Small key-value store with expiry for the WeChat/WeCom channels.

Holds what must be shared by every request and, in production, every replica:
seen MsgIds (dedup of the platform's retries), the access token and its refresh
lock, and each user's numbered options. With REDIS_URL set it is Redis (SET NX
with TTL is atomic across replicas); otherwise an in-process dict, which is
correct for one process because asyncio runs one coroutine at a time.
When Redis cannot be reached, FallbackStore serves from this process's memory
for a few seconds at a time (a citizen gets an answer; dedup is then per replica).
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Dict, Optional, Protocol, Tuple

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# The in-process store drops expired keys once it grows past this many entries.
MEMORY_STORE_MAX_KEYS = 100_000
# Never evicted to make room: the access token and its lock (wx_api.py). Dropping the token
# means fetching a new one, which on an Official Account invalidates the one other replicas use.
PINNED_KEY_PREFIXES = ("wx:token",)
# A Redis call normally takes a millisecond; it must never eat the 4 s passive-reply budget.
REDIS_TIMEOUT = 1.0
STORE_DOWN_RETRY_AFTER = 5.0  # after a failure, use memory this long before trying Redis again
STORE_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


class KeyValueStore(Protocol):
    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Set key only if absent; True when this call created it."""

    async def get(self, key: str) -> Optional[str]:
        ...

    async def put(self, key: str, value: str, ttl: float) -> None:
        ...

    async def delete(self, key: str) -> None:
        ...


class MemoryStore:
    def __init__(self, clock=time.monotonic, max_keys: int = MEMORY_STORE_MAX_KEYS) -> None:
        self._data: Dict[str, Tuple[str, float]] = {}
        self._clock = clock
        self.max_keys = max_keys

    def _live(self, key: str) -> Optional[str]:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        return item[0]

    def _prune(self) -> None:
        if len(self._data) < self.max_keys:
            return
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[key]
        while len(self._data) >= self.max_keys:  # still full: drop the oldest unpinned entries
            victim = next((k for k in self._data if not k.startswith(PINNED_KEY_PREFIXES)), None)
            if victim is None:
                return
            del self._data[victim]

    async def add(self, key: str, value: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._prune()
        self._data[key] = (value, self._clock() + ttl)
        return True

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        self._prune()
        self._data.pop(key, None)
        self._data[key] = (value, self._clock() + ttl)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)


class RedisStore:
    """The same operations on Redis (redis-py's asyncio client, one per event loop)."""

    def __init__(self, url: str, prefix: str = "yuefa:", password: Optional[str] = None) -> None:
        self.url = url  # redis://… or rediss://… (TLS); a password may be in the URL
        self.prefix = prefix
        self.password = password  # REDIS_PASSWORD, when it is not in the URL
        self._clients: Dict[int, object] = {}

    def _client(self):
        import asyncio

        import redis.asyncio as aioredis

        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            client = aioredis.from_url(self.url, decode_responses=True, password=self.password,
                                       socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
            self._clients[loop_id] = client
        return client

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, int(ttl * 1000))

    async def add(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._client().set(self.prefix + key, value, nx=True, px=self._ms(ttl)))

    async def get(self, key: str) -> Optional[str]:
        return await self._client().get(self.prefix + key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._client().set(self.prefix + key, value, px=self._ms(ttl))

    async def delete(self, key: str) -> None:
        await self._client().delete(self.prefix + key)


class FallbackStore:
    """The primary store (Redis), or `fallback` (memory) while the primary fails.

    Redis down must not turn a citizen's message into a 500: the message is then
    de-duplicated per process only, which at worst answers a retry twice.
    """

    def __init__(self, primary: KeyValueStore, fallback: Optional[KeyValueStore] = None,
                 retry_after: float = STORE_DOWN_RETRY_AFTER, clock=time.monotonic) -> None:
        self.primary = primary
        self.fallback = fallback if fallback is not None else MemoryStore()
        self.retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0

    async def _call(self, operation: str, *args):
        if self._clock() >= self._down_until:
            try:
                return await getattr(self.primary, operation)(*args)
            except STORE_ERRORS as error:
                self._down_until = self._clock() + self.retry_after
                log.warning("shared store unreachable (%s); using this process's memory for %.0f s",
                            type(error).__name__, self.retry_after)
        return await getattr(self.fallback, operation)(*args)

    # What was written to memory during an outage still counts after Redis is back: a message
    # claimed then must not be claimed again in Redis by its own retry a moment later.
    async def add(self, key: str, value: str, ttl: float) -> bool:
        if await self.fallback.get(key) is not None:
            return False
        return await self._call("add", key, value, ttl)

    async def get(self, key: str) -> Optional[str]:
        value = await self._call("get", key)
        return value if value is not None else await self.fallback.get(key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._call("put", key, value, ttl)

    async def delete(self, key: str) -> None:
        await self.fallback.delete(key)
        await self._call("delete", key)


def store_from_env(env: Optional[dict] = None) -> KeyValueStore:
    """Redis when REDIS_URL is set (memory while it is down), else the in-process store.

    REDIS_URL is the one Redis setting shared with the tracker store and the lock store;
    rediss:// enables TLS, REDIS_PASSWORD is used when the URL carries no password.
    """
    env = os.environ if env is None else env
    url = (env.get("REDIS_URL") or "").strip()
    if url:
        return FallbackStore(RedisStore(url, password=(env.get("REDIS_PASSWORD") or "").strip() or None))
    log.info("REDIS_URL not set: WeChat/WeCom dedup and tokens are kept in this process only")
    return MemoryStore()
