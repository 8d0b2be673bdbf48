"""Unit tests of the widget channel (no model, no server, no browser)."""
from __future__ import annotations

import asyncio
import json
import re
from types import SimpleNamespace

import pytest
from sanic import Sanic

from bot.channels import sessions, webchat
from bot.channels.guarded import SESSION_TOKEN_ERROR
from bot.channels.webchat import SESSION_ID, WidgetChannel, visible_messages

STATIC = webchat.STATIC_DIR


def test_every_allow_listed_file_exists_and_has_a_type():
    files = webchat._load_static()
    assert {"index.html", "yuefa-widget.js", "yuefa-widget.css", webchat.SOCKET_IO_CLIENT} <= set(files)
    for name, item in files.items():
        assert item.body, name
        assert "charset=utf-8" in item.content_type
        assert re.fullmatch(r'"[0-9a-f]{32}"', item.etag)


def test_vendored_socket_io_client_is_v4_with_its_licence():
    head = (STATIC / webchat.SOCKET_IO_CLIENT).read_text()[:200]
    assert "Socket.IO v4." in head
    assert "MIT" in (STATIC / "socket.io-LICENSE.txt").read_text()
    assert webchat.SOCKET_IO_CLIENT in (STATIC / "yuefa-widget.js").read_text()


def test_widget_never_builds_html_from_strings():
    source = (STATIC / "yuefa-widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
    assert 'rel = "noopener noreferrer' in source


def test_demo_page_loads_only_its_own_files():
    html = (STATIC / "index.html").read_text()
    assert "http://" not in html.replace("https://HOST", "") and "//cdn" not in html
    assert '<script src="yuefa-widget.js"' in html
    assert "<script>" not in html  # no inline script, so the page's CSP can forbid it


def test_session_ids():
    assert SESSION_ID.match("0123456789abcdef0123456789abcdef")
    for bad in ("", "../etc/passwd", "o" * 28, "0123456789ABCDEF0123456789ABCDEF", "0" * 33, "0" * 31):
        assert not SESSION_ID.match(bad), bad


def user(text, channel="socketio"):
    return {"event": "user", "text": text, "input_channel": channel, "timestamp": 1.0}


def bot(text, **data):
    return {"event": "bot", "text": text, "data": data, "timestamp": 2.0}


def test_history_shows_button_titles_not_payloads_and_hides_commands():
    events = [
        {"event": "action", "name": "action_session_start"},
        user("/greet"),
        bot("您好", buttons=[{"title": "办理公证", "payload": "/notarization"}]),
        user("/notarization"),
        bot("请问办理哪种公证？", image="https://example.org/a.png"),
        user("<img src=x onerror=alert(1)>"),
    ]
    messages = visible_messages(events)
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("bot", "您好"), ("user", "办理公证"), ("bot", "请问办理哪种公证？"), ("user", "<img src=x onerror=alert(1)>"),
    ]
    assert messages[0]["buttons"] == [{"title": "办理公证", "payload": "/notarization"}]
    assert messages[2]["image"] == "https://example.org/a.png"


def test_history_starts_after_a_restart():
    events = [user("旧问题"), bot("旧回答"), {"event": "restart"}, user("新问题"), bot("新回答")]
    assert [m["text"] for m in visible_messages(events)] == ["新问题", "新回答"]


def test_history_refuses_conversations_from_other_channels():
    # A WeChat conversation must not be readable through the widget's endpoint.
    assert visible_messages([user("你好", channel="wechat"), bot("您好")]) is None
    assert visible_messages([user("你好", channel="rest"), bot("您好")]) is not None


def test_history_is_bounded():
    events = [e for i in range(400) for e in (user(f"问{i}"), bot(f"答{i}"))]
    messages = visible_messages(events)
    assert len(messages) == webchat.MAX_HISTORY_MESSAGES
    assert messages[-1]["text"] == "答399"


def test_url_prefix_puts_the_widget_at_slash_widget():
    from urllib.parse import urljoin

    # rasa.core.channels.channel.register joins the prefix onto "/webhooks/".
    assert urljoin("/webhooks/", WidgetChannel().url_prefix()) == "/widget"


class FakeTrackerStore:
    def __init__(self, trackers, down):
        self.trackers, self.down = trackers, down

    async def retrieve(self, sender_id):
        if sender_id == self.down:
            raise ConnectionError("redis down")
        return self.trackers.get(sender_id)


def make_app(trackers, down=None):
    app = Sanic(f"widget_test_{len(trackers)}_{id(trackers)}")
    channel = WidgetChannel()
    app.blueprint(channel.blueprint(None), url_prefix=channel.url_prefix())
    app.ctx.agent = SimpleNamespace(tracker_store=FakeTrackerStore(trackers, down))
    return app


def call(app, path, headers=None, method="GET", body=None):
    """Runs one request through Sanic's router and handler, without a socket."""
    from sanic.request import Request

    async def run():
        request = Request(path.encode(), headers or {}, "1.1", method, None, app)
        if body is not None:
            request.body = json.dumps(body).encode()
        if not app.router.finalized:
            app.router.finalize()
        route, handler, kwargs = app.router.get(request.path, request.method, request.headers.getone("host", None))
        request._match_info = kwargs
        request.route = route
        return await handler(request, **kwargs)

    return asyncio.new_event_loop().run_until_complete(run())


A_SESSION = sessions.new_session()
DOWN_SESSION = sessions.new_session()


@pytest.fixture
def app():
    events = [user("我被拖欠工资", channel="rest"), bot("可以申请劳动仲裁")]
    tracker = SimpleNamespace(events=[SimpleNamespace(as_dict=lambda e=e: e) for e in events])
    return make_app({A_SESSION[0]: tracker}, down=DOWN_SESSION[0])


def history(app, session):
    return call(app, "/widget/history", method="POST", body={"session_id": session[0], "session_token": session[1]})


def test_history_endpoint_needs_the_session_token(app):
    ok = history(app, A_SESSION)
    assert ok.status == 200 and ok.headers["Cache-Control"] == "no-store"
    assert [m["text"] for m in json.loads(ok.body)["messages"]] == ["我被拖欠工资", "可以申请劳动仲裁"]
    assert json.loads(history(app, sessions.new_session()).body) == {"messages": []}
    # The id alone (guessed, or seen somewhere) opens nothing.
    assert history(app, (A_SESSION[0], "0" * 64)).status == 403
    assert history(app, (A_SESSION[0], None)).status == 403
    down = history(app, DOWN_SESSION)
    assert down.status == 200 and "暂时无法" in json.loads(down.body)["error"]


def test_history_is_not_served_with_the_id_in_the_path(app):
    from sanic.exceptions import NotFound

    with pytest.raises(NotFound):
        call(app, "/widget/history/" + A_SESSION[0])


def test_session_endpoint_keeps_an_owned_session_and_replaces_any_other(app):
    same = json.loads(call(app, "/widget/session", method="POST",
                           body={"session_id": A_SESSION[0], "session_token": A_SESSION[1]}).body)
    assert same == {"session_id": A_SESSION[0], "session_token": A_SESSION[1]}
    stolen = json.loads(call(app, "/widget/session", method="POST", body={"session_id": A_SESSION[0]}).body)
    assert stolen["session_id"] != A_SESSION[0] and sessions.owns(stolen["session_id"], stolen["session_token"])


def test_static_routes(app):
    js = call(app, "/widget/yuefa-widget.js")
    assert js.status == 200 and js.content_type.startswith("application/javascript")
    assert call(app, "/widget/yuefa-widget.js", {"If-None-Match": js.headers["ETag"]}).status == 304
    page = call(app, "/widget/")
    assert page.status == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert call(app, "/widget/index.html").status == 404
    assert call(app, "/widget/webchat.py").status == 404


def test_credentials_use_the_widget_socket_channel():
    """Rasa's own SocketIOInput loses every reply with session persistence (see below)."""
    import yaml

    from bot import paths

    credentials = yaml.safe_load(paths.CREDENTIALS.read_text())
    assert "rasa.core.channels.socketio.SocketIOInput" not in credentials and "socketio" not in credentials
    assert "bot.channels.guarded.GuardedSocketIOInput" not in credentials
    assert credentials["bot.channels.webchat.WidgetSocketIOInput"]["session_persistence"] is True


def socket_channel():
    """The widget's socket.io channel with its handlers and a recording `emit`."""
    channel = webchat.WidgetSocketIOInput(session_persistence=True)
    channel.blueprint(None)
    sio = channel.sio
    emitted = []

    async def emit(event, data=None, room=None, namespace=None, **kwargs):
        emitted.append((event, data, room))

    sio.emit = emit
    return sio, sio.handlers["/"], emitted


def owner_and_thief(thief_events):
    """An owner's socket joined to its session, then a thief's socket sending `thief_events`
    (handler name, data) about that session."""
    sio, handlers, emitted = socket_channel()
    owned = sessions.new_session()

    async def run():
        # Connected clients, as python-socketio registers them on connect.
        owner = await sio.manager.connect("engineio-owner", "/")
        thief = await sio.manager.connect("engineio-thief", "/")
        await handlers["session_request"](owner, {"session_id": owned[0], "session_token": owned[1]})
        for name, data in thief_events(owned):
            await handlers[name](thief, data)
        return owner, thief

    owner, thief = asyncio.new_event_loop().run_until_complete(run())
    return sio, emitted, owned, owner, thief


def test_session_request_joins_only_an_owned_session():
    """Replies go to the room named after the session; only its owner's socket is in it."""
    sio, emitted, owned, owner, thief = owner_and_thief(lambda owned: [
        ("session_request", {"session_id": owned[0]}), ("session_request", {"session_id": "<script>"})])
    assert [s for s, _ in sio.manager.get_participants("/", owned[0])] == [owner]
    assert emitted[0] == ("session_confirm", {"session_id": owned[0], "session_token": owned[1]}, owner)
    for _, confirmed, room in emitted[1:]:
        assert room == thief and confirmed["session_id"] != owned[0]
        assert SESSION_ID.match(confirmed["session_id"]) and sessions.owns(confirmed["session_id"], confirmed["session_token"])


def test_user_uttered_only_in_the_session_this_socket_joined():
    _, emitted, _, _, thief = owner_and_thief(lambda owned: [
        ("user_uttered", {"message": "你好", "session_id": owned[0]}), ("user_uttered", "not a dict")])
    emitted[:] = emitted[1:]  # the owner's own session_confirm
    # The thief is told, on its own socket; nothing goes to the owner's room.
    assert [(event, room) for event, _, room in emitted] == [("bot_uttered", thief)] * 2
    assert all(data["text"] == SESSION_TOKEN_ERROR for _, data, _ in emitted)
