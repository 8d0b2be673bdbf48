"""Log records never carry a citizen's words or a channel's user id.

`install()` (idempotent; call it once per process, early) makes every log record safe
before any handler sees it, whoever configured logging and whichever logger wrote it:

* stdlib logging: `logging.Logger.makeRecord` is wrapped, so the message (msg % args),
  string `extra` fields (Sanic's access log `request`) and the exception text are scrubbed
  and the exception is stored as that scrubbed text (`exc_info` is cleared);
* structlog (Rasa 3.6 logs user text as `text=`, `parse_data_text=` ... fields): a
  processor before the renderer blanks Rasa's user-data fields and scrubs the rest.

Scrubbing (`scrub`) pseudonymises WeChat/WeCom ids (`wechat:oAbc…` → `wechat:#kqhdmfbeta`,
the same salted hash as the review store, so one conversation can still be followed),
replaces every run of Chinese text with [text] (log messages are English; Chinese in a
log line is a citizen's or the bot's words) and then redacts what is left
(bot.review.redact: phone numbers, ID numbers, e-mail ...). In exception messages quoted
values are replaced too (KeyError: '[text]'), except snake_case names (action_find_office),
and free-form messages (ValueError, RuntimeError, our own and third-party exceptions)
are hidden; the exception type and the traceback's frames stay.

The action server installs it in actions/__init__.py; the Rasa server must call it at
import time of the channel modules (bot/channels/guarded.py, wx_core.py) and it is also
installed when the NLU pipeline loads (bot/nlu/normalizer.py).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import sys
import threading
import traceback
from typing import Any

from bot.review import redact as _redact
from bot.review.redact import redact

TEXT = "[text]"
HIDDEN = "[message hidden]"
WITHHELD = "[log record withheld: it could not be scrubbed]"
# Exceptions whose messages libraries write (no citizen data but the odd quoted value);
# the interpreter's own errors (KeyError: 'x', 'NoneType' object has no attribute 'get')
# keep their text with quoted values replaced; messages our code or others format freely
# (ValueError(f"... {text}")) are hidden: the type and the traceback locate the bug.
TRUSTED_EXCEPTION_MODULES = frozenset({"sqlalchemy", "psycopg2", "redis", "aiohttp", "sanic", "asyncio",
                                       "concurrent", "socket", "ssl", "rasa", "rasa_sdk", "jwt"})
FREE_TEXT_EXCEPTIONS = frozenset({Exception, BaseException, ValueError, RuntimeError, AssertionError,
                                  Warning, UserWarning})
MAX_LOG_CHARS = 20_000

# A channel user id: wechat:/wecom: (also URL-encoded, as in Sanic's access log), and a bare
# OpenID / UnionID (28 characters starting with "o").
_CHANNEL_ID = re.compile(r"(?<![A-Za-z])(wechat|wecom)(:|%3A)([A-Za-z0-9_\-@.]{1,128})", re.IGNORECASE)
_OPENID = re.compile(r"(?<![A-Za-z0-9_\-])o[A-Za-z0-9_\-]{27}(?![A-Za-z0-9_\-])")
# Chinese (and Japanese / full-width) text, also as the escapes json.dumps writes for it.
_CJK_RUN = re.compile("[\u2e80-\u2fdf\u3000-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f"
                      "\uff00-\uffef\U00020000-\U0003ffff]+")
_CJK_ESCAPED_RUN = re.compile(r"(?:\\u(?:[3-9][0-9a-fA-F]{3}|[fF][9a-fA-F][0-9a-fA-F]{2}"
                              r"|[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}))+")
# Rasa's structlog fields that hold user data (rasa.utils.log_utils._anonymizer) and ours.
USER_DATA_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message", "metadata", "request_body", "sender_id", "tracker",
})
_KEYS = "|".join(sorted(USER_DATA_KEYS, key=len, reverse=True))
_QUOTED = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
# The same fields once rendered: text='...' (console) or "text": "..." (JSON).
_RENDERED_FIELD = re.compile(rf"""(?<![\w"])((?:{_KEYS})=|"(?:{_KEYS})":\s*){_QUOTED}""")
_QUOTED_VALUE = re.compile(_QUOTED)
_SNAKE_NAME = re.compile(r"""['"][a-z][a-z0-9]*(?:_[a-z0-9]+)+['"]""")
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

_PLACEHOLDERS = frozenset(v for k, v in vars(_redact).items() if k.isupper() and isinstance(v, str)
                          and v.startswith("[") and v.endswith("]"))

_install_lock = threading.Lock()
_installed = False


def pseudonym(sender_id: object) -> str:
    """A stable, salted stand-in for a conversation id (letters only, so no redaction
    pattern ever eats part of it): 'wechat:#kqhdmfbeta'."""
    from bot.review.store import sender_hash  # lazy: the store imports SQLAlchemy

    text = str(sender_id or "")
    prefix, sep, _ = text.partition(":")
    digest = hashlib.sha256(sender_hash(text).encode()).hexdigest()[:10]
    letters = "".join(chr(ord("a") + int(c, 16)) for c in digest)
    return f"{prefix}:#{letters}" if sep and prefix.isalpha() and len(prefix) <= 16 else f"#{letters}"


def _pseudonymise(text: str) -> str:
    text = _CHANNEL_ID.sub(lambda m: pseudonym(f"{m.group(1).lower()}:{m.group(3)}"), text)
    return _OPENID.sub(lambda m: pseudonym(m.group(0)), text)


def _keep_placeholder(match: re.Match, text: str) -> str:
    """[手机号] from an earlier scrub stays; any other Chinese run becomes [text]."""
    bracketed = text[match.start() - 1:match.end() + 1]
    return match.group(0) if bracketed in _PLACEHOLDERS else TEXT


def _blank_field(match: re.Match) -> str:
    key = match.group(1)
    return key + (f'"{TEXT}"' if key.startswith('"') else f"'{TEXT}'")  # JSON stays JSON


def scrub(value: object) -> str:
    """Any value as log-safe text (see the module docstring)."""
    text = value if isinstance(value, str) else _safe_str(value)
    text = _pseudonymise(text[: MAX_LOG_CHARS * 2])
    text = _RENDERED_FIELD.sub(_blank_field, text)
    text = _CJK_ESCAPED_RUN.sub(TEXT, _CJK_RUN.sub(lambda m: _keep_placeholder(m, text), text))
    return redact(text, MAX_LOG_CHARS)


def scrub_exception_message(message: str) -> str:
    """Quoted values replaced ('[text]'), except snake_case names; then scrubbed."""
    kept = {m.start(): m.group(0) for m in _SNAKE_NAME.finditer(message)}
    message = _QUOTED_VALUE.sub(lambda m: kept.get(m.start(), f"'{TEXT}'"), message)
    return scrub(message)


def exception_message(exc_type: object, message: str) -> str:
    """What an exception's message may show in a log (see the module docstring)."""
    module = str(getattr(exc_type, "__module__", ""))
    if module.split(".")[0] in TRUSTED_EXCEPTION_MODULES or (
            isinstance(exc_type, type) and issubclass(exc_type, OSError)):
        return scrub(message)
    if module == "builtins" and exc_type not in FREE_TEXT_EXCEPTIONS:
        return scrub_exception_message(message)
    return HIDDEN if message else ""


def format_exception(exc_info: Any) -> str:
    """A traceback whose exception messages (of the whole chain) are scrubbed."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or exc_info[0] is None:
        return ""
    try:
        error = traceback.TracebackException(*exc_info)
        pending, seen = [error], set()
        while pending:  # every exception of the chain, once
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            current._str = exception_message(current.exc_type, str(getattr(current, "_str", "")))
            pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
            if isinstance(current.exc_type, type) and issubclass(current.exc_type, SyntaxError):
                current.text = None  # the offending source line could be anything
        return scrub("".join(error.format()).rstrip("\n"))
    except Exception:  # noqa: BLE001 - never let logging fail; keep only the type
        return f"{getattr(exc_info[0], '__name__', 'Exception')}: {TEXT}"


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001
        return f"<unprintable {type(value).__name__}>"


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Make one record safe in place: message, string extras, exception text."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: keep the template only
        message = _safe_str(record.msg)
    record.msg, record.args = scrub(message), ()
    for key, value in list(vars(record).items()):
        if key not in _STANDARD_ATTRIBUTES and isinstance(value, str):
            setattr(record, key, scrub(value))
    if record.exc_info:
        record.exc_text = format_exception(record.exc_info)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text)
    return record


def structlog_processor(_logger: Any, _method: str, event_dict: dict) -> dict:
    """structlog: user-data fields blanked, every other value and the exception scrubbed."""
    for key, value in list(event_dict.items()):
        if key in ("exc_info", "exception"):
            continue
        event_dict[key] = TEXT if key in USER_DATA_KEYS else (value if isinstance(value, (int, float, bool))
                                                              or value is None else scrub(value))
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        event_dict["exception"] = format_exception(exc_info)
    elif isinstance(event_dict.get("exception"), str):
        event_dict["exception"] = scrub(event_dict["exception"])
    return event_dict


def _install_logging() -> None:
    original = logging.Logger.makeRecord

    def make_record(self, *args, **kwargs):
        record = original(self, *args, **kwargs)
        try:
            return scrub_record(record)
        except Exception:  # noqa: BLE001 - a logging call must never raise; withhold, don't leak
            record.msg, record.args, record.exc_info, record.exc_text = WITHHELD, (), None, None
            return record

    make_record.scrubs = True
    logging.Logger.makeRecord = make_record


def install_structlog() -> None:
    """Put the processor just before structlog's renderer, in place (loggers that cached the
    processor list see it too), and again after every later structlog.configure() (Rasa
    configures structlog at start-up, possibly after this ran)."""
    try:
        import structlog
    except ImportError:
        return
    processors = structlog.get_config()["processors"]
    if structlog_processor not in processors:
        position = max(len(processors) - 1, 0)  # the last processor renders
        renderer_helpers = (getattr(structlog.processors, "ExceptionRenderer", ()),)
        while position > 0 and isinstance(processors[position - 1], renderer_helpers):
            position -= 1  # dict_tracebacks & co. format exc_info: scrub before them
        processors.insert(position, structlog_processor)
    configure = structlog.configure
    if not getattr(configure, "scrubs", False):
        @functools.wraps(configure)
        def configure_then_scrub(*args, **kwargs):
            configure(*args, **kwargs)
            install_structlog()

        configure_then_scrub.scrubs = True
        structlog.configure = configure_then_scrub


def install() -> None:
    """Scrub every log record of this process from now on (safe to call many times)."""
    global _installed
    with _install_lock:
        if not _installed and not getattr(logging.Logger.makeRecord, "scrubs", False):
            _install_logging()
        _installed = True
        install_structlog()
