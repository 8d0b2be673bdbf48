"""Turn the bot's messages into WeChat text messages.

WeChat text has no buttons, so buttons become numbered lines ("回复 1：法律援助初筛")
and the payloads are remembered per user: a later "1" is sent to Rasa as that
payload. The platform caps each text at 2048 bytes (passive replies, WeCom
message/send) and allows few customer-service messages per user message, so all of
the bot's messages for one turn are merged and then split at paragraph or line
boundaries under the byte limit.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

# Passive reply Content and WeCom message/send text.content: at most 2048 bytes
# (WeCom documents truncation beyond that; for Official Account customer-service
# text the same number is used as the safe bound). See docs/wechat.md.
MAX_TEXT_BYTES = 2048
MAX_OPTIONS = 20
TRUNCATED_NOTE = "……（内容较长，未能全部显示。可拨打12348公共法律服务热线咨询。）"
# A passive reply is one message; without customer-service credentials nothing else can follow.
PASSIVE_ONLY_NOTE = (
    "……（内容较长，这里只显示了第一部分。您可以把问题问得更具体一些再发给我，"
    "或拨打12348公共法律服务热线咨询。）"
)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_OPTION_CHOICE = re.compile(r"^\s*(?:回复|选|选择|第)?\s*(\d{1,2})\s*(?:个|项|号)?\s*[.。!！]?\s*$")


@dataclass
class Rendered:
    """What to send for one user message: texts (already split) and options to remember."""

    texts: List[str]
    options: List[Dict[str, str]] = field(default_factory=list)


def _button_lines(buttons: Iterable[Dict[str, Any]], options: List[Dict[str, str]]) -> List[str]:
    lines = []
    for button in buttons or []:
        if not isinstance(button, dict) or len(options) >= MAX_OPTIONS:
            continue
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if not title:
            continue
        options.append({"title": title, "payload": payload})
        lines.append(f"回复 {len(options)}：{title}")
    return lines


def render_messages(messages: Iterable[Dict[str, Any]]) -> Rendered:
    """Rasa's collected messages → one merged text (split later) and the numbered options."""
    paragraphs: List[str] = []
    options: List[Dict[str, str]] = []
    for message in messages:
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            paragraphs.append(text.strip())
        if message.get("image"):
            paragraphs.append(f"图片：{message['image']}")
        if message.get("attachment"):
            attachment = message["attachment"]
            paragraphs.append(attachment if isinstance(attachment, str) else json.dumps(attachment, ensure_ascii=False))
        for key in ("buttons", "quick_replies"):
            lines = _button_lines(message.get(key) or [], options)
            if lines:
                paragraphs.append("\n".join(lines))
    return Rendered(texts=["\n\n".join(paragraphs)] if paragraphs else [], options=options)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_split(text: str, limit: int) -> List[str]:
    """Split on character boundaries so no piece exceeds `limit` bytes."""
    pieces, current, size = [], [], 0
    for char in text:
        n = _utf8_len(char)
        if size + n > limit and current:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += n
    if current:
        pieces.append("".join(current))
    return pieces


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> List[str]:
    """Pack paragraphs, then lines, then characters into pieces of at most `limit` bytes."""
    if _utf8_len(text) <= limit:
        return [text] if text else []
    units: List[str] = []
    for paragraph in text.split("\n\n"):
        if _utf8_len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            units.extend([line] if _utf8_len(line) <= limit else _hard_split(line, limit))
    pieces: List[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}\n\n{unit}" if current else unit
        if _utf8_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def fit_messages(texts: List[str], max_messages: int, limit: int = MAX_TEXT_BYTES,
                 note: str = TRUNCATED_NOTE) -> List[str]:
    """Split under the byte limit and keep at most `max_messages` pieces (the last one says so)."""
    pieces = [piece for text in texts for piece in split_text(text, limit)]
    if len(pieces) <= max_messages:
        return pieces
    kept = pieces[:max_messages]
    room = limit - _utf8_len(note)
    last = kept[-1]
    while _utf8_len(last) > room:
        last = last[: max(0, len(last) - max(1, (_utf8_len(last) - room) // 3))]
    kept[-1] = last + note
    return kept


def option_choice(text: str) -> Optional[int]:
    """The 1-based option number in a reply like "1", "１", "回复2", "第3个"; else None."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    match = _OPTION_CHOICE.match(text.translate(_FULLWIDTH_DIGITS))
    return int(match.group(1)) if match else None
