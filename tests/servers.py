"""Start the action server and Rasa server(s) on free loopback ports, for tests and tools.

One implementation serves the session's `bot_server` fixture, the two-replica production
test and the widget screenshot script.
"""
from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests

from bot import modelstate, paths
from bot.cli import server_commands, server_env


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


def wait_for_model(base: str, token: str, timeout: float = 120) -> None:
    """/status answers before the model is loaded on some versions; wait until it is."""
    deadline = time.monotonic() + timeout
    while not requests.get(f"{base}/status", params={"token": token}, timeout=5).json().get("model_file"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} did not load the model in {timeout} s")
        time.sleep(0.5)


@dataclass
class RunningBot:
    bases: list[str]  # one base URL per Rasa server
    action_port: int
    logs: Path
    api_token: str  # the test servers run the HTTP API with this token (a fresh one per run)
    procs: list[subprocess.Popen]  # [action server, Rasa server(s)]


@contextlib.contextmanager
def running_bot(
    logs: Path, env: dict[str, str], replicas: int = 1, endpoints: str | None = None
) -> Iterator[RunningBot]:
    """One action server and `replicas` Rasa servers sharing it, until the block ends.

    `env` is added to Rasa's environment (DATABASE_URL, Redis settings …); each server's
    output goes to logs/<name>.log and is printed if start-up fails. The HTTP API is on
    (the tests read trackers through it) with a random token only this run knows.
    """
    action_port = free_port()
    ports = [free_port() for _ in range(replicas)]
    token = secrets.token_urlsafe(24)
    full_env = modelstate.rasa_env()
    full_env.update(env)
    full_env = server_env(full_env)
    full_env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    actions_cmd, _ = server_commands("127.0.0.1", ports[0], action_port, endpoints, token)
    commands = [("actions", actions_cmd)] + [
        ("rasa" if replicas == 1 else f"rasa{i}", server_commands("127.0.0.1", port, action_port, endpoints, token)[1])
        for i, port in enumerate(ports)
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    procs: list[subprocess.Popen] = []
    try:
        for name, cmd in commands:
            with open(logs / f"{name}.log", "wb") as log:
                procs.append(subprocess.Popen(cmd, cwd=paths.ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT))
        try:
            wait_for(f"http://127.0.0.1:{action_port}/health", procs)
            for base in bases:
                wait_for(f"{base}/", procs)
                wait_for_model(base, token)
        except Exception:
            for name, _ in commands:
                sys.stderr.write((logs / f"{name}.log").read_text(errors="replace")[-5000:])
            raise
        yield RunningBot(bases, action_port, logs, token, procs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
