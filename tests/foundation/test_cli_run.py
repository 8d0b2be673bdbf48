"""`make run`'s last step: `python -m bot.cli run` starts both servers, says where to talk
to the bot, and Ctrl-C stops both cleanly (issue 2)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from bot import modelstate
from tests.conftest import ROOT
from tests.servers import free_port

pytestmark = [pytest.mark.model, pytest.mark.servers]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def listening_addresses(port: int) -> set[str]:
    """IPv4 addresses listening on `port`, from /proc/net/tcp (state 0A = LISTEN)."""
    found = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_run_prints_where_to_talk_and_ctrl_c_stops_both(trained_model, test_database_url):
    port, action_port = free_port(), free_port()
    env = modelstate.rasa_env()
    env.pop("YUEFA_ENABLE_API", None)
    env["DATABASE_URL"] = test_database_url
    cmd = [sys.executable, "-m", "bot.cli", "run", "--port", str(port), "--action-port", str(action_port)]
    # Own process group, like a terminal: Ctrl-C sends SIGINT to the whole group. Started with
    # SIGINT ignored, as a shell starts background jobs (CI scripts, `make test &`): the CLI
    # must still stop cleanly on it.
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 300
        while not any("Press Ctrl-C to stop" in line for line in lines):
            assert proc.poll() is None, "bot.cli run exited early:\n" + "".join(lines[-50:])
            assert time.monotonic() < deadline, "no start-up message:\n" + "".join(lines[-50:])
            time.sleep(0.5)
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/widget/" in output
        assert f"POST http://127.0.0.1:{port}/webhooks/rest/webhook" in output

        reply = requests.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            json={"sender": "cli-run-test", "message": "你好"}, timeout=60,
        )
        assert reply.status_code == 200 and reply.json(), reply.text
        # The HTTP API is off unless YUEFA_ENABLE_API=1 (with a token): no tracker to read.
        assert "HTTP API           : off" in output
        assert requests.get(f"http://127.0.0.1:{port}/conversations/cli-run-test/tracker", timeout=10).status_code == 404
        # Both servers listen on loopback only (the HTTP API and the actions are private).
        assert listening_addresses(port) == {"127.0.0.1"}
        assert listening_addresses(action_port) == {"127.0.0.1"}

        # The action server crashes: the supervisor starts it again and the bot keeps answering.
        pids = subprocess.run(["pgrep", "-f", f"rasa_sdk --actions actions --port {action_port}"],
                              capture_output=True, text=True).stdout.split()
        assert pids, "action server process not found"
        for pid in pids:
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 120
        while not any("restarting it" in line for line in lines) or not port_is_open(action_port):
            assert proc.poll() is None, "bot.cli run stopped with the action server:\n" + "".join(lines[-50:])
            assert time.monotonic() < deadline, "action server not restarted:\n" + "".join(lines[-50:])
            time.sleep(0.5)
        reply = requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                              json={"sender": "cli-run-test-2", "message": "怎么申请法律援助"}, timeout=60)
        assert reply.status_code == 200 and "系统暂时繁忙" not in reply.text, reply.text

        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 0, "".join(lines[-50:])
        # Both servers are gone: nothing listens on either port any more.
        deadline = time.monotonic() + 20
        while (port_is_open(port) or port_is_open(action_port)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not port_is_open(port) and not port_is_open(action_port)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_action_restarts_are_limited():
    from bot.cli import ActionRestarts
    restarts = ActionRestarts(limit=2, window=60)
    assert restarts.allowed(0) and restarts.allowed(1) and not restarts.allowed(2)
    assert restarts.allowed(61.5)  # the window moved on
