"""Two Rasa replicas behind one Redis tracker/lock store and a PostgreSQL knowledge DB.

This is the deployment the agency runs at scale: any replica may receive any turn,
so a conversation started on one replica must continue on the other.
"""
from __future__ import annotations

import uuid

import pytest

from bot import paths
from tests.conftest import BotServer
from tests.servers import running_bot

pytestmark = [pytest.mark.model, pytest.mark.servers, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def replicas(trained_model, postgres_url, redis_client, tmp_path_factory):
    from knowledge.loader import build_database

    build_database(postgres_url)
    redis = redis_client.connection_pool.connection_kwargs
    env = {
        "DATABASE_URL": postgres_url,
        # The one Redis setting: tracker and lock store settings are derived from it.
        "REDIS_URL": f"redis://127.0.0.1:{redis['port']}/{redis['db']}",
        "YUEFA_SENDER_SALT": "replica-test-salt",
    }
    production = str(paths.ROOT / "endpoints.production.yml")
    logs = tmp_path_factory.mktemp("replica-logs")
    with running_bot(logs, env, replicas=2, endpoints=production) as bot:
        yield [BotServer(base, bot.action_port, logs, bot.api_token) for base in bot.bases]


def test_conversation_continues_on_the_other_replica(replicas, redis_client):
    first, second = replicas
    sender = f"replica-{uuid.uuid4().hex[:8]}"
    first.say(sender, "你好", timeout=60)
    first.say(sender, "佛山的公共法律服务中心在哪里", timeout=60)
    # The second replica sees the slot the first one set: the tracker lives in Redis.
    tracker = second.tracker(sender)
    assert tracker["slots"].get("city") == "佛山市"
    assert any(sender in key.decode() for key in redis_client.keys("yuefa*"))
    replies = second.say(sender, "谢谢", timeout=60)
    assert replies, "the second replica answered nothing"
    texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert "佛山的公共法律服务中心在哪里" in texts


def test_database_gone_mid_conversation_gets_the_12348_answer(replicas, postgres_url):
    # Runs last in this module: it takes the knowledge database away under the running servers.
    import psycopg2
    import requests

    from tests.production.conftest import PG_ADMIN_URL

    first, second = replicas
    sender = f"replica-db-{uuid.uuid4().hex[:8]}"
    assert first.say(sender, "申请法律援助要带什么材料？", timeout=60)
    name = postgres_url.rsplit("/", 1)[1]
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:  # connections killed, then the database itself removed
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
    for base in (first, second):
        for question in ("佛山的公共法律服务中心在哪里", "办学历公证要带什么"):
            response = requests.post(f"{base}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": question}, timeout=60)
            assert response.status_code == 200, response.text
            texts = [m.get("text") or "" for m in response.json()]
            assert any("12348" in t for t in texts), texts
