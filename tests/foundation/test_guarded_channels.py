"""Unusable input gets a clear reply and never reaches the bot."""
import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guarded import EMPTY_REPLY, MAX_MESSAGE_CHARS, TOO_LONG_REPLY, guard, input_problem


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t", 42])
def test_empty_or_not_text(text):
    assert input_problem(text) == EMPTY_REPLY


def test_too_long():
    assert input_problem("我" * (MAX_MESSAGE_CHARS + 1)) == TOO_LONG_REPLY
    assert input_problem("我" * MAX_MESSAGE_CHARS) is None


def test_guard_answers_without_calling_the_bot():
    reached = []

    async def bot(message):
        reached.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "收到")

    async def run(text):
        out = CollectingOutputChannel()
        await guard(bot)(UserMessage(text, out, "s1"))
        return out.messages

    assert [m["text"] for m in asyncio.run(run(""))] == [EMPTY_REPLY]
    assert [m["text"] for m in asyncio.run(run("x" * 5000))] == [TOO_LONG_REPLY]
    assert [m["text"] for m in asyncio.run(run("你好"))] == ["收到"]
    assert reached == ["你好"]
