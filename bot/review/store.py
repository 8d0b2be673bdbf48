"""Durable store of missed questions (fallbacks, low-confidence parses, out_of_scope,
"not helpful" feedback) for operators to review and label later.

Same database as the knowledge base (DATABASE_URL), own table `missed_questions`,
created on first use. Everything stored is redacted (bot.review.redact) and the
conversation id is only kept as a salted SHA-256 hash.

Writing never blocks or breaks a reply: `record()` hands the row to one background
thread and returns at once; any error there is logged (without the citizen's text)
and dropped. Tests and shutdown call `flush()` to wait for pending writes.
"""
from __future__ import annotations

import atexit
import concurrent.futures
import datetime as dt
import hashlib
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, String, Text, select
from sqlalchemy.orm import declarative_base

from bot.review.redact import redact, strip_controls

log = logging.getLogger(__name__)

KINDS = ("nlu_fallback", "core_fallback", "out_of_scope", "not_helpful")
STATUSES = ("new", "labelled", "ignored")
MAX_RANKING = 5
MAX_PENDING = 1000  # if the database hangs, drop new rows instead of growing without bound
SALT_ENV = "YUEFA_SENDER_SALT"
SALT_FILE = Path(__file__).resolve().parents[2] / "var" / "sender_salt"

Base = declarative_base()


class MissedQuestion(Base):
    """One question the bot could not answer well. Operators fill the label fields."""

    __tablename__ = "missed_questions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    kind = Column(String(32), nullable=False)          # one of KINDS
    channel = Column(String(64), nullable=False, default="")
    sender_hash = Column(String(64), nullable=False)   # salted SHA-256 of the conversation id
    text = Column(Text, nullable=False, default="")    # redacted
    intent = Column(String(64))                        # top predicted intent
    confidence = Column(Float)
    intent_ranking = Column(JSON, nullable=False, default=list)  # [{"name", "confidence"}], best first
    previous_bot_text = Column(Text, nullable=False, default="")  # redacted
    topic = Column(String(64))                         # slot `topic` at that moment
    # Review fields (operators' inbox).
    status = Column(String(16), nullable=False, default="new", index=True)  # one of STATUSES
    label_intent = Column(String(64))                  # the intent it should have been
    label_note = Column(Text)
    labelled_by = Column(String(64))
    labelled_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_missed_questions_status_created", "status", "created_at"),)


_created: set[str] = set()
_create_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_pending: set[concurrent.futures.Future] = set()
_salt: bytes | None = None


def _engine(url: str | None = None):
    from knowledge.db import database_url, get_engine  # one engine per URL, shared with knowledge

    engine = get_engine(url)
    key = database_url(url)
    if key not in _created:
        with _create_lock:
            if key not in _created:
                Base.metadata.create_all(engine, tables=[MissedQuestion.__table__])
                _created.add(key)
    return engine


def _sender_salt() -> bytes:
    """$YUEFA_SENDER_SALT (set it in production, the same on every replica), else a random
    per-installation salt kept in var/sender_salt."""
    global _salt
    if _salt is None:
        env = os.environ.get(SALT_ENV, "")
        if env:
            _salt = env.encode()
        else:
            try:
                if not SALT_FILE.exists():
                    SALT_FILE.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(SALT_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "w") as handle:
                        handle.write(secrets.token_hex(32))
                _salt = SALT_FILE.read_text().strip().encode()
            except OSError:  # read-only disk or a race we lost: a process-wide salt still hides the id
                _salt = secrets.token_hex(32).encode()
    return _salt


def sender_hash(sender_id: object) -> str:
    return hashlib.sha256(_sender_salt() + str(sender_id or "").encode("utf-8", "replace")).hexdigest()


def _short(value: object) -> str:
    """A short label column: at most 64 characters, no control characters (PostgreSQL rejects NUL)."""
    return strip_controls(str(value or "")[:128])[:64]


def clean_ranking(ranking: object) -> list[dict]:
    """The top intents as [{"name": str, "confidence": float}] (garbage dropped)."""
    result = []
    for item in ranking if isinstance(ranking, (list, tuple)) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        try:
            confidence = round(float(item.get("confidence") or 0.0), 4)
        except (TypeError, ValueError):
            confidence = 0.0
        result.append({"name": _short(item["name"]), "confidence": confidence})
        if len(result) == MAX_RANKING:
            break
    return result


def build_row(kind: str, *, sender_id: object, text: object, channel: object = "",
              ranking: object = None, previous_bot_text: object = "", topic: object = None,
              now: dt.datetime | None = None) -> dict[str, Any]:
    """The column values for one missed question, redacted and bounded."""
    ranking = clean_ranking(ranking)
    top = ranking[0] if ranking else {}
    return {
        "created_at": now or dt.datetime.now(dt.timezone.utc),
        "kind": kind if kind in KINDS else "nlu_fallback",
        "channel": _short(channel),
        "sender_hash": sender_hash(sender_id),
        "text": redact(text),
        "intent": top.get("name"),
        "confidence": top.get("confidence"),
        "intent_ranking": ranking,
        "previous_bot_text": redact(previous_bot_text),
        "topic": (_short(topic) or None) if isinstance(topic, str) else None,
        "status": "new",
    }


def write_row(row: dict[str, Any], url: str | None = None) -> int:
    """Insert one row now (in the caller's thread); returns its id."""
    engine = _engine(url)
    with engine.begin() as conn:
        result = conn.execute(MissedQuestion.__table__.insert().values(**row))
        return int(result.inserted_primary_key[0])


def _write_logged(row: dict[str, Any], url: str | None) -> int | None:
    try:
        return write_row(row, url)
    except Exception as exc:  # noqa: BLE001 - storing must never break the bot
        # The row holds citizen text: log only the kind and the error type.
        log.error("could not store missed question (%s): %s", row.get("kind"), type(exc).__name__)
        return None


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="missed-store")
        return _executor


def record(kind: str, *, sender_id: object, text: object, channel: object = "", ranking: object = None,
           previous_bot_text: object = "", topic: object = None,
           url: str | None = None) -> concurrent.futures.Future | None:
    """Queue one missed question for storage and return at once (None if even queuing failed)."""
    if len(_pending) >= MAX_PENDING:
        log.error("missed-question queue full; dropping a %s row", kind)
        return None
    try:
        row = build_row(kind, sender_id=sender_id, text=text, channel=channel, ranking=ranking,
                        previous_bot_text=previous_bot_text, topic=topic)
        future = _pool().submit(_write_logged, row, url)
        _pending.add(future)
        future.add_done_callback(_pending.discard)
        return future
    except Exception as exc:  # noqa: BLE001
        log.error("could not queue missed question: %s", type(exc).__name__)
        return None


def flush(timeout: float = 10.0) -> None:
    """Wait for queued writes (tests, shutdown)."""
    concurrent.futures.wait(list(_pending), timeout=timeout)


atexit.register(flush)


def recent(limit: int = 50, status: str | None = None, url: str | None = None) -> list[dict[str, Any]]:
    """Newest rows first, as dicts (for operators' tools and tests)."""
    query = select(MissedQuestion.__table__).order_by(MissedQuestion.id.desc()).limit(max(1, min(int(limit), 1000)))
    if status:
        query = query.where(MissedQuestion.status == status)
    with _engine(url).connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def label(row_id: int, intent: str | None, note: str | None = None, by: str | None = None,
          url: str | None = None) -> bool:
    """Mark a row as labelled (the start of the operators' workflow). True if the row exists."""
    table = MissedQuestion.__table__
    values = {"status": "labelled", "label_intent": _short(intent) or None,
              "label_note": redact(note) if note else None, "labelled_by": _short(by) or None, "labelled_at": dt.datetime.now(dt.timezone.utc)}
    with _engine(url).begin() as conn:
        result = conn.execute(table.update().where(table.c.id == int(row_id)).values(**values))
        return result.rowcount == 1
