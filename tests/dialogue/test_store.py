"""The missed-question store: redacted, hashed, durable, and never in the way of a reply."""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, inspect

from bot.review import store


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'review.db'}"


def test_record_stores_a_redacted_row(url):
    future = store.record("not_helpful", sender_id="user-1", channel="rest",
                          text="没用！我电话13812345678，身份证44010619900101123X",
                          ranking=[{"name": "notarization", "confidence": 0.41},
                                   {"name": "mediation", "confidence": 0.2}],
                          previous_bot_text="请拨打12348，或联系 020-83331234", topic="notarization", url=url)
    row_id = future.result(timeout=10)
    [row] = store.recent(5, url=url)
    assert row["id"] == row_id
    assert row["kind"] == "not_helpful" and row["channel"] == "rest" and row["status"] == "new"
    assert "13812345678" not in row["text"] and "123X" not in row["text"]
    assert row["text"].startswith("没用！")
    assert "83331234" not in row["previous_bot_text"] and "12348" in row["previous_bot_text"]
    assert row["intent"] == "notarization" and row["confidence"] == pytest.approx(0.41)
    assert [r["name"] for r in row["intent_ranking"]] == ["notarization", "mediation"]
    assert row["topic"] == "notarization"
    assert row["created_at"] is not None


def test_sender_is_only_kept_as_a_salted_hash(url, monkeypatch):
    monkeypatch.setattr(store, "_salt", b"salt-one")
    first = store.sender_hash("user-1")
    assert len(first) == 64 and "user-1" not in first
    assert store.sender_hash("user-1") == first != store.sender_hash("user-2")
    monkeypatch.setattr(store, "_salt", b"salt-two")
    assert store.sender_hash("user-1") != first


def test_table_is_designed_for_review(url):
    store.record("out_of_scope", sender_id="x", text="今天天气怎么样", url=url).result(timeout=10)
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("missed_questions")}
    assert {"status", "label_intent", "label_note", "labelled_by", "labelled_at", "intent_ranking",
            "previous_bot_text", "sender_hash", "channel", "created_at", "kind"} <= columns
    [row] = store.recent(1, status="new", url=url)
    assert store.label(row["id"], "mediation", note="应为调解 13812345678", by="op1", url=url)
    [labelled] = store.recent(1, status="labelled", url=url)
    assert labelled["label_intent"] == "mediation" and "13812345678" not in labelled["label_note"]
    assert not store.label(999_999, "x", url=url)


def test_garbage_input_is_stored_safely(url):
    store.record("made_up_kind", sender_id=None, text=None, channel=None,
                 ranking=[None, {"name": 5}, {"name": "greet", "confidence": "high"}], url=url).result(timeout=10)
    [row] = store.recent(1, url=url)
    assert row["kind"] == "nlu_fallback" and row["text"] == ""
    assert row["intent_ranking"] == [{"name": "greet", "confidence": 0.0}]


def test_a_broken_database_never_raises_and_never_blocks(caplog):
    started = time.monotonic()
    future = store.record("nlu_fallback", sender_id="x", text="秘密13812345678",
                          url="postgresql://nobody@127.0.0.1:1/none")
    assert time.monotonic() - started < 0.5  # queued, not written in the caller's thread
    assert future.result(timeout=30) is None
    assert "could not store" in caplog.text and "13812345678" not in caplog.text


@pytest.mark.postgres
def test_postgres(monkeypatch):
    pytest.importorskip("psycopg2")
    base = os.environ.get("YUEFA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        create_engine(base).connect().close()
    except Exception:  # noqa: BLE001
        pytest.skip("PostgreSQL not reachable")
    row_id = store.record("core_fallback", sender_id="pg", text="你好13812345678", url=base).result(timeout=10)
    rows = store.recent(20, url=base)
    assert any(r["id"] == row_id and "[手机号]" in r["text"] for r in rows)
