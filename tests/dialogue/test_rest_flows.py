"""End-to-end over the REST channel with the action server: the screening form (first-message
slots, correction, skip, stop), handoff, fallback twice → handoff, and missed-question capture.

Button payloads are what the web chat sends when a citizen taps a button, so most turns use
them; one test sends free text through the NLU."""
from __future__ import annotations

import re
import time

import pytest

pytestmark = [pytest.mark.model, pytest.mark.servers]


@pytest.fixture
def sender_id(sender_id) -> str:
    """The shared id made URL-safe: parametrized test names carry brackets and escapes, and
    /conversations/<sender>/tracker must find the same conversation."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", sender_id)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def payloads(replies: list[dict]) -> list[str]:
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


def slots(bot_server, sender) -> dict:
    return bot_server.tracker(sender)["slots"]


def test_screening_end_to_end_with_correction_and_skip(bot_server, sender_id):
    first = bot_server.say(sender_id, "/legal_aid_eligibility")
    assert "什么问题" in texts(first)
    assert '/inform{"case_type": "labor_pay"}' in payloads(first)

    assert "哪个城市" in texts(bot_server.say(sender_id, '/inform{"case_type": "labor_pay"}'))
    assert "下面的情况" in texts(bot_server.say(sender_id, '/inform{"city": "广州市"}'))
    # Correction in the middle of the form: the city changes, the pending question comes back.
    again = bot_server.say(sender_id, '/inform{"city": "佛山市"}')
    assert "下面的情况" in texts(again)
    assert slots(bot_server, sender_id)["city"] == "佛山市"

    assert "经济状况" in texts(bot_server.say(sender_id, "/deny"))
    verdict = bot_server.say(sender_id, "/skip")
    answer = texts(verdict)
    assert "跳过" in answer
    assert "法律援助法" in answer and "佛山" in answer
    # The verdict says where to apply and what to bring.
    assert "在哪里申请" in answer and "需要准备的材料" in answer and "依据" in answer
    assert payloads(verdict)[-1] == "/request_human"  # every answer ends with next steps

    tracker = bot_server.tracker(sender_id)
    assert tracker["active_loop"] in ({}, None) or tracker["active_loop"].get("name") is None
    assert tracker["slots"]["case_type"] == "labor_pay"
    assert set(tracker["slots"]["screening_skipped"]) == {"person_group", "economic_status"}


def test_slots_in_the_first_message_are_not_asked_again(bot_server, sender_id):
    replies = bot_server.say(sender_id, '/legal_aid_eligibility{"case_type": "domestic_violence", "city": "东莞市"}')
    answer = texts(replies)
    assert "什么问题" not in answer and "哪个城市" not in answer and "经济状况" not in answer
    assert "法律援助法" in answer and "第三十二条" in answer


@pytest.mark.parametrize("stop", ["/stop", "算了"])
def test_stop_leaves_the_screening_and_the_bot_goes_on(bot_server, sender_id, stop):
    bot_server.say(sender_id, "/legal_aid_eligibility")
    assert "已停止" in texts(bot_server.say(sender_id, stop))
    assert "公证" in texts(bot_server.say(sender_id, "/notarization"))


def test_city_is_remembered_across_topics(bot_server, sender_id):
    bot_server.say(sender_id, '/find_office{"city": "佛山市"}')
    answer = texts(bot_server.say(sender_id, '/request_human'))
    assert "12348" in answer and "佛山" in answer


def test_fallback_twice_hands_off_and_both_are_recorded(bot_server, sender_id, test_database_url):
    from bot.review import store

    first = bot_server.say(sender_id, "/nlu_fallback")
    assert "换个说法" in texts(first) and "/request_human" in payloads(first)
    second = texts(bot_server.say(sender_id, "/nlu_fallback"))
    assert "12348" in second and "转人工" in second

    # The action server writes in a background thread: give it a moment.
    deadline = time.monotonic() + 10
    while True:
        # Same salt as the action server: both read $YUEFA_SENDER_SALT or var/sender_salt.
        rows = [r for r in store.recent(100, url=test_database_url)
                if r["sender_hash"] == store.sender_hash(sender_id)]
        if len(rows) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [r["kind"] for r in rows] == ["nlu_fallback", "nlu_fallback"]
    assert sender_id not in str(rows)
    assert all(r["channel"] == "rest" for r in rows)


def test_urgent_danger_puts_110_first(bot_server, sender_id):
    answer = texts(bot_server.say(sender_id, '/urgent_danger{"case_type": "domestic_violence"}'))
    assert answer.index("110") < answer.index("12348")
    assert "人身安全保护令" in answer


# The NLU reads these as deny, affirm or an unsure intent; each must still be a correction.
@pytest.mark.parametrize("correction", ["不是广州，是佛山", "是佛山，不是广州", "不对，是佛山"])
def test_free_text_correction_outside_the_form(bot_server, sender_id, correction):
    assert "广州" in texts(bot_server.say(sender_id, '/find_office{"city": "广州市"}'))
    replies = bot_server.say(sender_id, correction)
    answer = texts(replies)
    assert "佛山" in answer and "还有什么可以帮您" not in answer
    assert payloads(replies)[-1] == "/request_human"
    assert slots(bot_server, sender_id)["city"] == "佛山市"


def test_free_text_correction_inside_the_form(bot_server, sender_id):
    bot_server.say(sender_id, '/legal_aid_eligibility{"case_type": "labor_pay", "city": "广州市"}')
    again = texts(bot_server.say(sender_id, "不是广州，是佛山"))
    assert "下面的情况" in again  # the pending question comes back; the correction is no "都不是"
    tracker = bot_server.tracker(sender_id)
    assert tracker["slots"]["city"] == "佛山市"
    assert "person_group" not in (tracker["slots"]["screening_skipped"] or [])
    assert "经济状况" in texts(bot_server.say(sender_id, "/deny"))
