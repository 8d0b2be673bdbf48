"""No turn sends the same message twice (bot/channels/guarded.py OncePerTurn), whichever send
method the dialogue or a channel uses."""
from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel

from bot.channels.guarded import OncePerTurn


def test_a_repeated_text_is_sent_once_and_other_texts_pass():
    inner = CollectingOutputChannel()
    out = OncePerTurn(inner)

    async def turn():
        await out.send_response("u", {"text": "抱歉，我没能确定您的意思"})
        await out.send_response("u", {"text": "抱歉，我没能确定您的意思"})
        await out.send_text_message("u", "抱歉，我没能确定您的意思")
        await out.send_text_with_buttons("u", "请问您在哪个城市？", [{"title": "广州", "payload": "/inform"}])
        await out.send_text_message("u", "好的")

    asyncio.run(turn())
    assert [m["text"] for m in inner.messages] == ["抱歉，我没能确定您的意思", "请问您在哪个城市？", "好的"]
