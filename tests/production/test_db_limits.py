"""PostgreSQL limits and hygiene: a hung database or a hostile character never hangs or
breaks a turn (issue 14, items 7 and 8)."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.review import store
from knowledge import db

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_engines(postgres_url, monkeypatch):
    """Engines are cached per URL: drop the cached one so the test's env settings apply."""
    db.dispose_engine(postgres_url)
    yield monkeypatch
    db.dispose_engine(postgres_url)


def test_a_slow_statement_is_cancelled(postgres_url, fresh_engines):
    fresh_engines.setenv(db.STATEMENT_TIMEOUT_ENV, "300")
    for engine in (db.get_engine(postgres_url), store._engine(postgres_url)):  # knowledge and review store
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 3


def test_the_default_statement_timeout_applies(postgres_url, fresh_engines):
    fresh_engines.delenv(db.STATEMENT_TIMEOUT_ENV, raising=False)
    with db.get_engine(postgres_url).connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "5s"
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_options_in_the_url_are_kept(postgres_url, fresh_engines):
    fresh_engines.setenv(db.STATEMENT_TIMEOUT_ENV, "1234")
    url = postgres_url + "?options=-c%20application_name%3Dyuefa_probe"
    try:
        with db.get_engine(url).connect() as conn:
            assert conn.execute(text("SHOW application_name")).scalar() == "yuefa_probe"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
    finally:
        db.dispose_engine(url)


def test_a_server_that_never_answers_times_out(monkeypatch):
    """A listening socket that never speaks (a hung database or a black-holed proxy)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"postgresql://yuefa@127.0.0.1:{silent.getsockname()[1]}/yuefa"
    monkeypatch.setenv(db.CONNECT_TIMEOUT_ENV, "2")
    outcome: list = []

    def connect():
        started = time.monotonic()
        try:
            db.get_engine(url).connect().close()
            outcome.append("connected?!")
        except OperationalError as exc:
            outcome.append((time.monotonic() - started, str(exc)))

    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(timeout=10)
    try:
        assert outcome, "connecting to a silent server still hangs after 10 s"
        elapsed, message = outcome[0]
        assert elapsed < 6 and "timeout" in message.lower()
    finally:
        silent.close()
        db.dispose_engine(url)


def test_nul_and_control_characters_are_stored(postgres_url):
    hostile = "欠薪\x00\x01\x1b[2J\u202e\ud800 13812345678"
    row = store.build_row("out_of_scope", sender_id="wechat:o\x00x", text=hostile, channel="re\x00st",
                          ranking=[{"name": "gre\x00et", "confidence": 0.5}], previous_bot_text="\x00",
                          topic="to\x00pic")
    row_id = store.write_row(row, postgres_url)  # PostgreSQL rejects NUL in text: this raised before
    [stored] = [r for r in store.recent(50, url=postgres_url) if r["id"] == row_id]
    assert stored["text"] == "欠薪[2J [手机号]"
    assert stored["channel"] == "rest" and stored["topic"] == "topic" and stored["intent"] == "greet"
    assert store.label(row_id, "mediation\x00", note="备注\x00", by="op\x00", url=postgres_url)


def test_building_the_database_is_not_cut_short(postgres_url, fresh_engines):
    """A replica starting while another builds waits on the advisory lock, longer than the
    citizens' statement limit: that limit is lifted for the build's transaction only."""
    import psycopg2

    from knowledge.loader import ADVISORY_LOCK_KEY, build_database

    fresh_engines.setenv(db.STATEMENT_TIMEOUT_ENV, "100")
    other_replica = psycopg2.connect(postgres_url)
    other_replica.autocommit = True
    with other_replica.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    release = threading.Timer(1.0, lambda: other_replica.cursor().execute(
        "SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,)))
    release.start()
    try:
        build_database(postgres_url)
    finally:
        release.join()
        other_replica.close()
    with db.get_engine(postgres_url).connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "100ms"
