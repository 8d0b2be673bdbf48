"""The single-machine tracker store: in memory, but bounded.

Rasa's InMemoryTrackerStore keeps every conversation for the life of the process, so a
stream of new senders grows memory without end. This one keeps at most $YUEFA_TRACKER_MAX
conversations (least recently used leave first) and forgets a conversation nobody has
touched for $YUEFA_TRACKER_IDLE_SECONDS. Configured in endpoints.yml.
"""
from __future__ import annotations

import os
import time
from collections import OrderedDict
from typing import Any, Callable, Iterator, MutableMapping, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore

DEFAULT_MAX_TRACKERS = 5000
DEFAULT_IDLE_SECONDS = 6 * 3600


class BoundedDict(MutableMapping):
    """An LRU mapping with a size bound and an idle expiry (checked on every access)."""

    def __init__(self, max_items: int, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items, self.idle_seconds, self.clock = max(1, max_items), idle_seconds, clock
        self._items: "OrderedDict[Any, tuple]" = OrderedDict()

    def _expire(self) -> None:
        cutoff = self.clock() - self.idle_seconds
        while self._items:
            key, (touched, _) = next(iter(self._items.items()))
            if touched >= cutoff:
                break
            del self._items[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        self._expire()
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def __getitem__(self, key: Any) -> Any:
        self._expire()
        touched, value = self._items[key]
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        return value

    def __delitem__(self, key: Any) -> None:
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        self._expire()
        return key in self._items

    def __iter__(self) -> Iterator:
        self._expire()
        return iter(list(self._items))

    def __len__(self) -> int:
        self._expire()
        return len(self._items)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


class BoundedInMemoryTrackerStore(InMemoryTrackerStore):
    def __init__(self, domain: Any, event_broker: Optional[Any] = None, host: Optional[Text] = None,
                 max_trackers: Optional[int] = None, idle_seconds: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.store = BoundedDict(
            int(max_trackers or _env_int("YUEFA_TRACKER_MAX", DEFAULT_MAX_TRACKERS)),
            float(idle_seconds or _env_int("YUEFA_TRACKER_IDLE_SECONDS", DEFAULT_IDLE_SECONDS)),
        )
