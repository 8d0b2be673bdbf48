"""Shared fixtures: one trained model per run, one pair of running servers per run."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
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

from bot import modelstate, paths  # noqa: E402
from bot.cli import server_commands  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, procs: list[subprocess.Popen], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early with {proc.returncode}: {proc.args}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout} s")


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
    port, action_port = free_port(), free_port()
    logs = tmp_path_factory.mktemp("server-logs")
    env = modelstate.rasa_env()
    env["DATABASE_URL"] = test_database_url
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    actions_cmd, rasa_cmd = server_commands("127.0.0.1", port, action_port)
    procs = []
    for name, cmd in (("actions", actions_cmd), ("rasa", rasa_cmd)):
        log = open(logs / f"{name}.log", "wb")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", procs)
        wait_for(f"{base}/status", procs)
        # /status answers before the model is loaded on some versions; wait until it parses.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = requests.get(f"{base}/status", timeout=5).json()
            if status.get("model_file"):
                break
            time.sleep(0.5)
    except Exception:
        for proc in procs:
            proc.kill()
        for name in ("actions", "rasa"):
            sys.stderr.write((logs / f"{name}.log").read_text(errors="replace")[-5000:])
        raise
    server = BotServer(base, action_port, logs)
    yield server
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


class BotServer(str):
    """The base URL (a str) with helpers for REST conversations."""

    def __new__(cls, base: str, action_port: int, logs: Path):
        obj = super().__new__(cls, base)
        obj.action_port = action_port
        obj.logs = logs
        return obj

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        response = requests.post(
            f"{self}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        return requests.get(f"{self}/conversations/{sender}/tracker", timeout=10).json()


@pytest.fixture
def sender_id(request) -> str:
    """A conversation id unique to the test."""
    return f"test-{request.node.name}-{time.monotonic_ns()}"[:120]
