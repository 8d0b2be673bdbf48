"""Action tests: rasa_sdk Tracker + CollectingDispatcher against a fresh SQLite knowledge DB."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture(scope="session")
def actions_db_url(tmp_path_factory) -> str:
    from knowledge.loader import build_database

    url = f"sqlite:///{tmp_path_factory.mktemp('actions-db') / 'kb.db'}"
    build_database(url)
    return url


@pytest.fixture
def run_action(actions_db_url, monkeypatch):
    """run_action(action, slots=..., intent=..., entities=[names in the latest message]) -> (messages, events)."""
    monkeypatch.setenv("DATABASE_URL", actions_db_url)

    def _run(action, slots: dict | None = None, intent: str | None = None, entities: list[str] = ()):
        latest = {"intent": {"name": intent, "confidence": 0.99} if intent else {}, "text": "",
                  "entities": [{"entity": name, "value": (slots or {}).get(name)} for name in entities]}
        tracker = Tracker("test-user", dict(slots or {}), latest, [], False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        return dispatcher.messages, events

    return _run
