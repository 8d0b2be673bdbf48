"""Two Rasa replicas behind one Redis tracker/lock store and a PostgreSQL knowledge DB.

This is the deployment the agency runs at scale: any replica may receive any turn,
so a conversation started on one replica must continue on the other.
"""
from __future__ import annotations

import subprocess
import uuid

import pytest
import requests

from bot import modelstate, paths
from bot.cli import server_commands
from tests.conftest import ROOT, free_port, wait_for

pytestmark = [pytest.mark.model, pytest.mark.servers, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def replicas(trained_model, postgres_url, redis_client, tmp_path_factory):
    from knowledge.loader import build_database

    build_database(postgres_url)
    logs = tmp_path_factory.mktemp("replica-logs")
    action_port = free_port()
    ports = [free_port(), free_port()]
    env = modelstate.rasa_env()
    env.update(
        DATABASE_URL=postgres_url,
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        YUEFA_ENDPOINTS=str(paths.ROOT / "endpoints.production.yml"),
        REDIS_HOST="127.0.0.1",
        REDIS_PORT=str(redis_client.connection_pool.connection_kwargs["port"]),
        REDIS_DB=str(redis_client.connection_pool.connection_kwargs["db"]),
        REDIS_URL=f"redis://127.0.0.1:{redis_client.connection_pool.connection_kwargs['port']}"
        f"/{redis_client.connection_pool.connection_kwargs['db']}",
    )
    procs = []
    production = env["YUEFA_ENDPOINTS"]
    actions_cmd, _ = server_commands("127.0.0.1", ports[0], action_port, production)
    commands = [("actions", actions_cmd)] + [
        (f"rasa{i}", server_commands("127.0.0.1", port, action_port, production)[1])
        for i, port in enumerate(ports)
    ]
    for name, cmd in commands:
        log = open(logs / f"{name}.log", "wb")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", procs)
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/status", procs)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def say(base: str, sender: str, text: str) -> list[dict]:
    response = requests.post(
        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def test_conversation_continues_on_the_other_replica(replicas, redis_client):
    first, second = replicas
    sender = f"replica-{uuid.uuid4().hex[:8]}"
    say(first, sender, "你好")
    say(first, sender, "佛山的公共法律服务中心在哪里")
    # The second replica sees the slot the first one set: the tracker lives in Redis.
    tracker = requests.get(f"{second}/conversations/{sender}/tracker", timeout=10).json()
    assert tracker["slots"].get("city") == "佛山市"
    assert any(sender in key.decode() for key in redis_client.keys("yuefa*"))
    replies = say(second, sender, "谢谢")
    assert replies, "the second replica answered nothing"
    texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert "佛山的公共法律服务中心在哪里" in texts
