"""Dialogue action tests: rasa_sdk Tracker + CollectingDispatcher, fresh SQLite databases."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dialogue_db_url(tmp_path_factory) -> str:
    from knowledge.loader import build_database

    url = f"sqlite:///{tmp_path_factory.mktemp('dialogue-db') / 'kb.db'}"
    build_database(url)
    return url


@pytest.fixture(scope="session")
def domain() -> dict:
    """The slots and forms of domain/ as the action server receives them."""
    merged: dict = {}
    for name in ("slots.yml", "forms.yml"):
        merged.update({k: v for k, v in yaml.safe_load((ROOT / "domain" / name).read_text()).items()
                       if k != "version"})
    return merged


def user_event(text: str, intent: str | None, entities: list[dict] = (), ranking: list[dict] | None = None) -> dict:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9} if intent else {},
             "entities": list(entities), "intent_ranking": ranking or ([{"name": intent, "confidence": 0.9}]
                                                                       if intent else [])}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}


def entity(text: str, name: str, word: str, value: str | None = None) -> dict:
    """An entity as the NLU returns it, with its position in `text`."""
    start = text.index(word)
    return {"entity": name, "value": value or word, "start": start, "end": start + len(word)}


def make_tracker(slots: dict | None = None, *, text: str = "", intent: str | None = None,
                 entities: list[dict] = (), history: list[dict] = (), extracted: dict | None = None,
                 active_loop: str | None = None, ranking: list[dict] | None = None) -> Tracker:
    """A tracker whose latest user message is (text, intent, entities); `extracted` are the
    slots action_extract_slots set from it (they are "to validate" for a form)."""
    slots = dict(slots or {})
    slots.update(extracted or {})
    latest = user_event(text, intent, entities, ranking)
    events = list(history) + [latest] + [
        {"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker("test-user", slots, latest["parse_data"], events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


@pytest.fixture
def run(dialogue_db_url, domain, monkeypatch):
    """run(action, tracker) -> (messages, events) with DATABASE_URL set to the test database."""
    monkeypatch.setenv("DATABASE_URL", dialogue_db_url)

    def _run(action, tracker: Tracker):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain))
        return dispatcher.messages, events

    return _run


def slot_events(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def all_text(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)
