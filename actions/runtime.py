"""Every action runs in a worker thread, not on the action server's event loop.

rasa_sdk awaits `Action.run` on its single Sanic event loop, and our actions call the
knowledge base synchronously (SQLAlchemy). On that loop one slow query would stall every
other conversation. `install()` wraps rasa_sdk's ActionExecutor.run (the one place every
action call, forms included, goes through) so each call runs on a worker thread with
that thread's own event loop; the server's loop only waits for the result.
Called from actions/__init__.py, which rasa_sdk imports before it serves a request.

    YUEFA_ACTION_THREADS   concurrent action calls (default 8; below the database pool's 15)
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import threading
from typing import Any, Coroutine

from rasa_sdk import executor as sdk_executor

THREADS_ENV = "YUEFA_ACTION_THREADS"
DEFAULT_THREADS = 8

_local = threading.local()
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _workers() -> concurrent.futures.ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            raw = os.environ.get(THREADS_ENV, "").strip()
            threads = int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_THREADS
            _pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="action")
        return _pool


def _run_here(coroutine: Coroutine) -> Any:
    """Run `coroutine` to completion on this worker thread's own event loop."""
    loop = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


async def run_off_loop(coroutine: Coroutine) -> Any:
    """Await `coroutine` on a worker thread (exceptions propagate to the caller)."""
    return await asyncio.get_running_loop().run_in_executor(_workers(), _run_here, coroutine)


def install() -> None:
    """Make rasa_sdk run each action call off the event loop (idempotent)."""
    original = sdk_executor.ActionExecutor.run
    if getattr(original, "runs_off_loop", False):
        return

    @functools.wraps(original)
    async def run(self, action_call):
        return await run_off_loop(original(self, action_call))

    run.runs_off_loop = True
    sdk_executor.ActionExecutor.run = run
