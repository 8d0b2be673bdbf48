"""Shared fixtures: one trained model per run, one pair of running servers per run."""
from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
import requests

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import modelstate  # noqa: E402
from tests.servers import running_bot  # noqa: E402


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model in models/yuefa.tar.gz, trained at most once per run (only if stale)."""
    return modelstate.train()


@pytest.fixture(scope="session")
def nlu_agent(trained_model):
    """An in-process rasa Agent for NLU parsing (no action server)."""
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model))


@pytest.fixture(scope="session")
def parse(nlu_agent):
    """parse(text) -> Rasa's parse result dict."""
    loop = asyncio.new_event_loop()

    def _parse(text: str) -> dict:
        return loop.run_until_complete(nlu_agent.parse_message(text))

    yield _parse
    loop.close()


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory) -> str:
    """A fresh SQLite knowledge database for this test run."""
    from knowledge.loader import build_database

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yuefa-test.db'}"
    build_database(url)
    return url


@pytest.fixture(scope="session")
def bot_server(trained_model, test_database_url, tmp_path_factory):
    """Base URL of a running Rasa server (all channels in credentials.yml) + action server."""
    logs = tmp_path_factory.mktemp("server-logs")
    with running_bot(logs, {"DATABASE_URL": test_database_url}) as bot:
        yield BotServer(bot.bases[0], bot.action_port, logs, bot.api_token)


class BotServer(str):
    """The base URL (a str) with helpers for REST conversations and the (token-protected)
    HTTP API."""

    def __new__(cls, base: str, action_port: int, logs: Path, api_token: str):
        obj = super().__new__(cls, base)
        obj.action_port = action_port
        obj.logs = logs
        obj.api_token = api_token
        return obj

    def api_get(self, path: str, timeout: float = 10) -> requests.Response:
        return requests.get(f"{self}{path}", params={"token": self.api_token}, timeout=timeout)

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        response = requests.post(
            f"{self}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = self.api_get(f"/conversations/{sender}/tracker")
        response.raise_for_status()
        return response.json()


@pytest.fixture
def sender_id(request) -> str:
    """A conversation id unique to the test."""
    return f"test-{request.node.name}-{time.monotonic_ns()}"[:120]
