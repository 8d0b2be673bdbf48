"""Small key-value store with expiry for the WeChat/WeCom channels.

Holds what must be shared by every request and, in production, every replica:
seen MsgIds (dedup of the platform's retries), the access token and its refresh
lock, and each user's numbered options. With REDIS_URL set it is Redis (SET NX
with TTL is atomic across replicas); otherwise an in-process dict, which is
correct for one process because asyncio runs one coroutine at a time.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Dict, Optional, Protocol, Tuple

log = logging.getLogger(__name__)

# The in-process store drops expired keys once it grows past this many entries.
MEMORY_STORE_MAX_KEYS = 100_000


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
    def __init__(self, clock=time.monotonic) -> None:
        self._data: Dict[str, Tuple[str, float]] = {}
        self._clock = clock

    def _live(self, key: str) -> Optional[str]:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        return item[0]

    def _prune(self) -> None:
        if len(self._data) < MEMORY_STORE_MAX_KEYS:
            return
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[key]
        while len(self._data) >= MEMORY_STORE_MAX_KEYS:  # still full: drop the oldest entries
            del self._data[next(iter(self._data))]

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

    def __init__(self, url: str, prefix: str = "yuefa:") -> None:
        self.url = url
        self.prefix = prefix
        self._clients: Dict[int, object] = {}

    def _client(self):
        import asyncio

        import redis.asyncio as aioredis

        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            client = aioredis.from_url(self.url, decode_responses=True, socket_timeout=3)
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


def store_from_env(env: Optional[dict] = None) -> KeyValueStore:
    """Redis when REDIS_URL is set, else the in-process store (single replica only)."""
    env = os.environ if env is None else env
    url = (env.get("REDIS_URL") or "").strip()
    if url:
        return RedisStore(url)
    log.info("REDIS_URL not set: WeChat/WeCom dedup and tokens are kept in this process only")
    return MemoryStore()
