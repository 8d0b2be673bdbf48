"""No log line carries a citizen's words or a WeChat OpenID (issue 14, item 7): action
errors in the action server, Rasa's REST failure log (structlog, both renderers), Sanic's
access log and chained exceptions."""
from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import logsafe, paths

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWx123"  # 28 characters, like a real one
SENDER = f"wechat:{OPENID}"
CITIZEN_TEXT = "我叫张三，老板欠我工资，手机13812345678"
ASCII_TEXT = "my name is john smith"
SECRETS = (OPENID, "张三", "老板欠我工资", "13812345678", ASCII_TEXT)


@pytest.fixture(autouse=True)
def installed():
    logsafe.install()  # in the servers: actions/__init__.py, bot/nlu/normalizer.py, the channel modules


def assert_clean(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{leaked} leaked into the log:\n{text}"


def tracker(text: str = CITIZEN_TEXT) -> Tracker:
    return Tracker(SENDER, {}, {"text": text, "intent": {}, "entities": []}, [], False, None, {}, "action_listen")


def test_an_action_error_logs_neither_text_nor_openid(caplog, monkeypatch):
    from actions.services import ActionMediationGuide
    from knowledge import api

    def broken():
        raise ValueError(f"could not answer '{CITIZEN_TEXT}' ({ASCII_TEXT!r}) for {SENDER}")

    monkeypatch.setattr(api, "mediation_guide", broken)
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.INFO):
        asyncio.run(ActionMediationGuide().run(dispatcher, tracker(), {}))
    assert "12348" in dispatcher.messages[0]["text"]
    assert "action_mediation_guide failed (conversation wechat:#" in caplog.text
    assert "ValueError" in caplog.text and "Traceback" in caplog.text
    assert_clean(caplog.text)


def _rest_webhook(on_new_message):
    from rasa.core.channels.rest import RestInput

    blueprint = RestInput().blueprint(on_new_message)
    [route] = [r for r in blueprint._future_routes if r.uri == "/webhook"]
    return route.handler


@pytest.fixture(params=["json", "console"])
def rasa_structlog(request, monkeypatch):
    """structlog configured exactly as `rasa run` does (JSON when stderr is no terminal)."""
    import structlog
    from rasa.utils.log_utils import configure_structlog

    saved = structlog.get_config()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: request.param == "console", raising=False)
    configure_structlog(logging.INFO)  # after install(): the processor is put back in
    yield request.param
    structlog.configure(**saved)


def test_rasa_rest_failure_log_is_scrubbed(rasa_structlog, caplog):
    async def failing_bot(message):
        raise RuntimeError(f"processor failed on {message.text!r} for {message.sender_id}")

    body = {"sender": SENDER, "message": f"{CITIZEN_TEXT} {ASCII_TEXT}"}
    request = SimpleNamespace(json=body, args={})
    with caplog.at_level(logging.INFO):
        reply = asyncio.run(_rest_webhook(failing_bot)(request))
    assert reply.status == 200
    assert "rest.message.received.failure" in caplog.text and "RuntimeError" in caplog.text
    assert_clean(caplog.text)


def test_access_log_extras_and_chained_exceptions_are_scrubbed(caplog):
    log = logging.getLogger("sanic.access")
    with caplog.at_level(logging.INFO):
        log.info("", extra={"request": f"GET /conversations/wechat%3A{OPENID}/tracker", "status": 200})
        try:
            try:
                raise KeyError(ASCII_TEXT)
            except KeyError as exc:
                raise ValueError(f"slot 'person_group' got {CITIZEN_TEXT}") from exc
        except ValueError:
            logging.getLogger("rasa.core.processor").exception("Encountered an exception while running action "
                                                               "'action_find_office'")
    assert "KeyError: '[text]'" in caplog.text and "ValueError" in caplog.text
    assert "'action_find_office'" in caplog.text  # names the operator needs stay
    assert "/conversations/wechat:#" in caplog.records[0].request
    assert_clean(caplog.text + caplog.records[0].request)


def test_pseudonyms_are_stable_and_reveal_nothing():
    first = logsafe.pseudonym(SENDER)
    assert first == logsafe.pseudonym(SENDER) != logsafe.pseudonym(SENDER + "x")
    assert first.startswith("wechat:#") and first[8:].isalpha() and OPENID not in first
    assert logsafe.scrub(logsafe.scrub(f"user {SENDER}")) == f"user {first}"  # idempotent
    assert logsafe.scrub(f'{{"text": "\\u6211\\u53eb", "n": 1}}') == '{"text": "[text]", "n": 1}'


@pytest.mark.servers
def test_a_real_action_server_logs_no_citizen_data(tmp_path):
    from tests.servers import free_port, wait_for

    port = free_port()
    log_path = tmp_path / "actions.log"
    cmd = [sys.executable, "-m", "rasa_sdk", "--actions", "tests.foundation.log_probe_actions",
           "--port", str(port), "--debug"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(paths.ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "YUEFA_SENDER_SALT": "log-test"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=paths.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", [proc], timeout=120)
        for action in ("action_probe_caught", "action_probe_escapes"):
            call = {"next_action": action, "sender_id": SENDER, "version": "3.6.2", "domain": {},
                    "tracker": {"sender_id": SENDER, "slots": {}, "events": [], "paused": False,
                                "latest_message": {"text": f"{CITIZEN_TEXT} {ASCII_TEXT}", "intent": {},
                                                   "entities": []},
                                "latest_event_time": time.time(), "followup_action": None,
                                "active_loop": {}, "latest_action_name": "action_listen"}}
            reply = requests.post(f"http://127.0.0.1:{port}/webhook", data=json.dumps(call), timeout=30)
            if action == "action_probe_caught":
                assert reply.status_code == 200 and "12348" in reply.json()["responses"][0]["text"]
            else:
                assert reply.status_code == 500  # rasa_sdk's handler; Rasa turns it into the 12348 reply
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    logged = log_path.read_text(errors="replace")
    assert "action_probe_caught failed (conversation wechat:#" in logged
    assert "RuntimeError" in logged and "Received request to run 'action_probe_escapes'" in logged
    assert_clean(logged)


def test_a_record_that_cannot_be_scrubbed_is_withheld(caplog, monkeypatch):
    def broken(_value):
        raise RuntimeError("scrubber bug")

    monkeypatch.setattr(logsafe, "scrub", broken)
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("citizen said %s", CITIZEN_TEXT)  # must not raise
    assert caplog.records[-1].getMessage() == logsafe.WITHHELD


def test_the_channels_own_operational_warnings_stay_readable(caplog):
    # Scrubbing must not turn the bot's own log lines ("[wechat] plaintext mode …") into
    # redaction placeholders: the operator has to be able to read what went wrong.
    import logging

    from bot import logsafe
    from bot.channels.wechat import WeChatInput
    from bot.channels.wx_store import MemoryStore

    logsafe.install()
    caplog.set_level(logging.WARNING)
    WeChatInput(token="t", app_id="wxapp", store=MemoryStore())
    assert "[wechat] plaintext mode" in caplog.text and "[微信号]" not in caplog.text
