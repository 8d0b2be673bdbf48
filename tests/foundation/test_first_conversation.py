"""Issue 2's acceptance conversation, over the REST channel with the action server running:
greet → ask about legal aid → answer from the knowledge base → goodbye."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.model, pytest.mark.servers]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_greet_ask_legal_aid_goodbye(bot_server, sender_id):
    greeting = bot_server.say(sender_id, "你好")
    assert greeting and texts(greeting).strip(), "no greeting"

    answer = texts(bot_server.say(sender_id, "申请法律援助要带什么材料？"))
    # The answer comes from the knowledge base: it names the service and cites the law.
    assert "法律援助" in answer
    assert "法律援助法" in answer

    tracker = bot_server.tracker(sender_id)
    actions = [e.get("name") for e in tracker["events"] if e.get("event") == "action"]
    assert any(name and name.startswith("action_") for name in actions), actions

    goodbye = bot_server.say(sender_id, "好的，再见")
    assert goodbye and texts(goodbye).strip()
    last_intent = [e for e in bot_server.tracker(sender_id)["events"] if e.get("event") == "user"][-1]
    assert last_intent["parse_data"]["intent"]["name"] == "goodbye"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"message": "hi"}', b'{"sender": "", "message": "hi"}',
     b'{"sender": "x", "message": 42}'],
)
def test_malformed_rest_body_gets_400_and_a_message(bot_server, body):
    import requests

    response = requests.post(
        f"{bot_server}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"}, timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("message", ["", "   ", "法" * 5000])
def test_empty_and_huge_messages_get_a_clear_reply(bot_server, sender_id, message):
    replies = bot_server.say(sender_id, message)
    assert len(replies) == 1 and ("输入" in replies[0]["text"] or "太长" in replies[0]["text"])
    # Nothing reached the conversation: the next real question is answered normally.
    assert bot_server.say(sender_id, "你好")
