"""One answer per platform message, even when the platform retries it.

The platform waits 5 s for the passive reply, then drops the connection and sends the
same message again (same MsgId; up to three retries). A retry therefore means "the
earlier connection is dead": an answer still being prepared by the first attempt must
go out through the retry's connection (or the API), not into the dead one.

Per message, in the shared store (Redis across replicas, else memory):
  seen:<k>       the first attempt's claim (1 h); later attempts are retries or duplicates
  retry:<k>      "<attempt id> <wall-clock deadline>" of the newest retry waiting for an answer
  answer:<k>     the finished passive text, published for a waiting retry (seconds only)
  delivered:<k>  SET NX by whoever delivers (passive reply or API): the single arbiter,
                 so no message is ever answered twice
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

from bot.channels.wx_store import KeyValueStore

DEDUP_TTL = 3600  # retries come within ~15 s; an hour also absorbs late duplicates
ANSWER_TTL = 60  # long enough for the last retry; the text is not kept any longer
POLL_SECONDS = 0.05  # how often a waiting retry looks for the answer


@dataclass
class Budget:
    """The passive-reply window of one attempt, counted from the moment the request arrived."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def wall_deadline(self) -> float:
        """The same deadline in wall-clock time (comparable on another replica)."""
        return time.time() + self.left()


class Ledger:
    """The store keys above, for one channel (`key` adds the channel's prefix)."""

    def __init__(self, store: KeyValueStore, key: Callable[..., str]) -> None:
        self.store = store
        self.key = key

    async def claim(self, message: str) -> bool:
        return await self.store.add(self.key("seen", message), str(time.time()), DEDUP_TTL)

    async def release(self, message: str) -> None:
        """Undo a claim after a failure, so the platform's retry is handled afresh."""
        await self.store.delete(self.key("seen", message))

    async def take(self, message: str) -> bool:
        """True for exactly one caller: the one that delivers the answer."""
        return await self.store.add(self.key("delivered", message), "1", DEDUP_TTL)

    async def delivered(self, message: str) -> bool:
        return await self.store.get(self.key("delivered", message)) is not None

    async def publish(self, message: str, text: str) -> None:
        await self.store.put(self.key("answer", message), text, ANSWER_TTL)

    async def answer(self, message: str) -> Optional[str]:
        return await self.store.get(self.key("answer", message))

    async def forget_answer(self, message: str) -> None:
        await self.store.delete(self.key("answer", message))

    async def note_retry(self, message: str, deadline: float) -> str:
        attempt = uuid.uuid4().hex[:12]
        await self.store.put(self.key("retry", message), f"{attempt} {deadline:.3f}", ANSWER_TTL)
        return attempt

    async def newest_retry(self, message: str) -> Optional[Tuple[str, float]]:
        value = await self.store.get(self.key("retry", message))
        try:
            attempt, deadline = (value or "").split(" ")
            return attempt, float(deadline)
        except ValueError:
            return None

    async def retry_waiting(self, message: str) -> bool:
        newest = await self.newest_retry(message)
        return newest is not None and newest[1] > time.time()

    async def taken_by_retry(self, message: str, wait_until: float) -> bool:
        """After `publish`: wait (wall clock) until a retry delivered it, or none can any more.

        Waits while a retry's deadline is ahead, or until `wait_until` for a retry still to come.
        """
        while True:
            if await self.delivered(message):
                return True
            newest = await self.newest_retry(message)
            until = max(wait_until, newest[1] if newest else 0.0)
            if time.time() >= until:
                return False
            await asyncio.sleep(POLL_SECONDS)
