"""Actions run off the action server's event loop (issue 14, item 8): a slow knowledge
query in one conversation does not hold up another."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionNotFoundException

from actions import runtime
from knowledge import api

SLOW_QUERY_S = 1.0


def action_call(name: str, sender: str, slots: dict | None = None) -> dict:
    return {"next_action": name, "sender_id": sender, "version": "3.6.2", "domain": {},
            "tracker": {"sender_id": sender, "slots": dict(slots or {}), "events": [], "paused": False,
                        "latest_message": {"text": "", "intent": {}, "entities": []},
                        "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"}}


@pytest.fixture
def executor(actions_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", actions_db_url)
    runtime.install()  # what importing the actions package does in the server
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def test_two_action_calls_overlap_when_one_query_is_slow(executor, monkeypatch):
    real_guide = api.mediation_guide
    threads = {}

    def slow_guide(*args, **kwargs):  # a synchronous database call that takes a second
        threads["slow"] = threading.current_thread().name
        time.sleep(SLOW_QUERY_S)
        return real_guide(*args, **kwargs)

    monkeypatch.setattr(api, "mediation_guide", slow_guide)

    async def both():
        started = time.monotonic()
        slow = asyncio.create_task(executor.run(action_call("action_mediation_guide", "citizen-a")))
        await asyncio.sleep(0.05)  # the slow one is inside its query now
        fast = await executor.run(action_call("action_find_office", "citizen-b", {"city": "佛山市"}))
        fast_elapsed = time.monotonic() - started
        return fast, fast_elapsed, await slow, time.monotonic() - started

    fast, fast_elapsed, slow, total = asyncio.run(both())
    assert fast_elapsed < SLOW_QUERY_S * 0.6, f"the fast action waited {fast_elapsed:.2f} s for the slow one"
    assert total >= SLOW_QUERY_S
    assert "佛山" in fast["responses"][0]["text"] and slow["responses"][0]["text"]
    assert threads["slow"].startswith("action") and threads["slow"] != threading.current_thread().name


def test_errors_still_reach_rasa_sdk(executor):
    with pytest.raises(ActionNotFoundException):
        asyncio.run(executor.run(action_call("action_that_does_not_exist", "citizen-c")))


def test_install_is_idempotent():
    runtime.install()
    wrapped = ActionExecutor.run
    runtime.install()
    assert ActionExecutor.run is wrapped and wrapped.runs_off_loop
