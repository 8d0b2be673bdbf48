"""The web chat widget in headless Chromium against the real bot (issue 6)."""
from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.proxy import TcpForwarder
from tests.servers import free_port

pytestmark = [pytest.mark.model, pytest.mark.servers, pytest.mark.browser]

XSS = "<img src=x onerror=alert(1)>"


# ---- helpers ------------------------------------------------------------------------

def bot_messages(page):
    return page.locator(".yf-log .yf-msg--bot")


def wait_for_more(locator, before: int, timeout: float = 45) -> int:
    """Waits until the locator matches more than `before` elements, then for the turn to settle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = locator.count()
        if count > before:
            time.sleep(0.8)  # the rest of the turn's messages
            return locator.count()
        time.sleep(0.2)
    raise AssertionError(f"no new message within {timeout} s (still {before})")


def open_demo(page, server: str):
    page.goto(f"{server}/widget/")
    expect(page.locator(".yf-panel")).to_be_visible()
    # A new conversation starts with the bot's own greeting.
    expect(bot_messages(page).first).to_be_visible(timeout=45_000)
    time.sleep(0.8)
    return page


def ask(page, text: str) -> str:
    """Types a question, sends it with Enter and returns the text of the bot's answer."""
    before = bot_messages(page).count()
    page.locator(".yf-input").fill(text)
    page.locator(".yf-input").press("Enter")
    after = wait_for_more(bot_messages(page), before)
    return "\n".join(bot_messages(page).nth(i).inner_text() for i in range(before, after))


def log_text(page) -> str:
    return page.locator(".yf-log").inner_text()


# ---- serving ------------------------------------------------------------------------

def test_files_are_served_with_types_caching_and_no_traversal(widget_server):
    page = requests.get(f"{widget_server}/widget/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "yuefa-widget.js" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    js = requests.get(f"{widget_server}/widget/yuefa-widget.js", timeout=10)
    assert js.headers["Content-Type"].startswith("application/javascript")
    assert "max-age" in js.headers["Cache-Control"] and js.headers["X-Content-Type-Options"] == "nosniff"
    again = requests.get(f"{widget_server}/widget/yuefa-widget.js", headers={"If-None-Match": js.headers["ETag"]}, timeout=10)
    assert again.status_code == 304

    css = requests.get(f"{widget_server}/widget/yuefa-widget.css", timeout=10)
    assert css.headers["Content-Type"].startswith("text/css")
    client = requests.get(f"{widget_server}/widget/socket.io-4.8.4.min.js", timeout=10)
    assert client.status_code == 200 and "immutable" in client.headers["Cache-Control"]

    for path in ("/widget/..%2Fchannels%2Fwebchat.py", "/widget/%2e%2e/cli.py", "/widget/static/yuefa-widget.js",
                 "/widget/.%2E/.%2E/pyproject.toml", "/widget/index.html"):
        response = requests.get(widget_server + path, timeout=10, allow_redirects=False)
        assert response.status_code in (400, 404), path
        assert "import" not in response.text and "[project]" not in response.text


def test_history_endpoint_needs_a_server_issued_session(widget_server):
    # The id is never in the URL (proxy logs), and an id without its token opens nothing.
    assert requests.get(f"{widget_server}/widget/history/{'0' * 32}", timeout=10).status_code in (404, 405)
    refused = requests.post(f"{widget_server}/widget/history", json={"session_id": "0" * 32}, timeout=10)
    assert refused.status_code == 403
    issued = requests.post(f"{widget_server}/widget/session", json={}, timeout=10).json()
    fresh = requests.post(f"{widget_server}/widget/history", json=issued, timeout=10)
    assert fresh.status_code == 200 and fresh.json() == {"messages": []}


# ---- conversation -------------------------------------------------------------------

def test_question_answer_quick_reply_and_reload_keeps_history(page, widget_server):
    open_demo(page, widget_server)
    assert page.locator(".yf-root").get_attribute("data-transport") == "socket"

    # The bot's greeting offers its services as quick replies; clicking one answers it.
    replies = page.locator(".yf-reply")
    expect(replies.first).to_be_visible()
    choice = replies.first.inner_text()
    before = bot_messages(page).count()
    replies.first.click()
    expect(page.locator(".yf-msg--user").last).to_contain_text(choice)
    wait_for_more(bot_messages(page), before)
    # Used buttons go away; the payload (e.g. "/legal_aid_eligibility") is never shown.
    expect(bot_messages(page).first.locator(".yf-reply")).to_have_count(0)
    assert not [t for t in page.locator(".yf-msg--user .yf-text").all_inner_texts() if t.startswith("/")]

    answer = ask(page, "申请法律援助要带什么材料？")
    assert "援助" in answer, answer
    expect(page.locator(".yf-typing")).to_be_hidden()
    assert re.search(r"\d{2}:\d{2}", page.locator(".yf-msg--bot .yf-time").last.inner_text())

    before_reload = page.locator(".yf-log .yf-text").all_inner_texts()
    session = page.evaluate("() => sessionStorage.getItem('yuefa-widget-session')")
    history_urls = []
    page.on("request", lambda r: "/widget/history" in r.url and history_urls.append((r.method, r.url)))
    page.reload()
    expect(page.locator(".yf-msg--user").first).to_be_visible()
    time.sleep(1)
    after_reload = page.locator(".yf-log .yf-text").all_inner_texts()
    assert after_reload == before_reload
    assert page.evaluate("() => sessionStorage.getItem('yuefa-widget-session')") == session
    assert history_urls and all(m == "POST" and session not in u for m, u in history_urls), history_urls

    # The conversation goes on where it was (same session on the server).
    assert ask(page, "谢谢").strip()


def test_html_in_a_message_is_shown_as_text_and_never_runs(page, widget_server):
    open_demo(page, widget_server)
    ask(page, XSS)
    user_bubble = page.locator(".yf-msg--user .yf-text").last
    assert user_bubble.inner_text() == XSS
    assert page.locator(".yf-log img").count() == 0
    assert page.locator(".yf-log [onerror]").count() == 0
    time.sleep(0.5)
    assert page.dialogs == []
    # The same after a reload, when the message comes back from the server's history.
    page.reload()
    expect(page.locator(".yf-msg--user .yf-text").last).to_have_text(XSS)
    assert page.locator(".yf-log img").count() == 0
    assert page.dialogs == [] and page.errors == []


def test_restart_starts_a_new_conversation(page, widget_server):
    open_demo(page, widget_server)
    ask(page, "怎么办理公证？")
    old = page.evaluate("() => sessionStorage.getItem('yuefa-widget-session')")
    page.get_by_role("button", name="重新开始").click()
    expect(page.locator(".yf-msg--user")).to_have_count(0)
    expect(bot_messages(page).first).to_be_visible(timeout=45_000)  # a fresh greeting
    assert page.evaluate("() => sessionStorage.getItem('yuefa-widget-session')") != old


# ---- embedding, keyboard, accessibility ---------------------------------------------

def test_keyboard_only_on_a_third_party_site(page, widget_server, open_embedding_site):
    open_embedding_site(widget_server, widget_server)
    launcher = page.get_by_role("button", name="在线法律咨询")
    expect(launcher).to_be_visible()
    for _ in range(10):  # Tab through the host page until the launcher has focus
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.classList.contains('yf-launcher')"):
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"
    page.keyboard.press("Enter")
    expect(page.locator(".yf-panel")).to_be_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('yf-input')")
    expect(bot_messages(page).first).to_be_visible(timeout=45_000)
    time.sleep(0.8)

    before = bot_messages(page).count()
    page.keyboard.type("怎么办理公证？")
    page.keyboard.press("Enter")
    wait_for_more(bot_messages(page), before)
    expect(page.locator(".yf-msg--user").last).to_have_text(re.compile("怎么办理公证"))
    assert page.locator(".yf-input").input_value() == ""

    page.keyboard.press("Escape")
    expect(page.locator(".yf-panel")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('yf-launcher')")


def test_log_is_an_accessible_live_region(page, widget_server):
    open_demo(page, widget_server)
    log = page.locator(".yf-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    expect(page.get_by_role("log")).to_be_visible()
    expect(page.get_by_label("输入您的问题")).to_be_visible()
    expect(page.get_by_role("button", name="发送")).to_be_visible()
    expect(page.get_by_role("button", name="关闭对话窗口")).to_be_visible()


def test_large_font_toggle_scales_text_and_is_remembered(page, widget_server):
    open_demo(page, widget_server)
    text = page.locator(".yf-msg--bot .yf-text").first
    normal = float(text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    toggle = page.get_by_role("button", name="大字")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    large = float(text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert large >= normal * 1.2, (normal, large)
    page.reload()
    expect(page.locator(".yf-root")).to_have_class(re.compile("yf-root--large"))


def test_fits_a_375px_phone(browser, widget_server):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        open_demo(page, widget_server)
        answer = ask(page, "我想申请法律援助")
        assert answer.strip()
        box = page.locator(".yf-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375.5, box
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        for selector in (".yf-input", ".yf-send", ".yf-restart", ".yf-font", ".yf-close"):
            element = page.locator(selector).bounding_box()
            assert element["x"] >= 0 and element["x"] + element["width"] <= 375.5, selector
            assert element["y"] >= 0 and element["y"] + element["height"] <= 667.5, selector
        widths = page.locator(".yf-bubble").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)")
        assert max(widths) <= 375.5
    finally:
        context.close()


# ---- failures -----------------------------------------------------------------------

def test_unreachable_server_is_explained_and_retried(page, widget_server, open_embedding_site):
    target = int(widget_server.rsplit(":", 1)[1])
    port = free_port()
    forwarder = TcpForwarder(port, target)  # not started: nothing listens on `port` yet
    try:
        open_embedding_site(widget_server, f"http://127.0.0.1:{port}", 'data-open="true"')
        status = page.get_by_role("status")
        expect(status).to_contain_text("无法连接", timeout=20_000)
        expect(status).to_contain_text("12348")
        assert page.locator(".yf-root").get_attribute("data-transport") == "offline"

        # A question asked while offline waits and is delivered when the server is back.
        page.locator(".yf-input").fill("怎么办理公证？")
        page.locator(".yf-input").press("Enter")
        expect(page.locator(".yf-msg--user").last).to_have_text(re.compile("怎么办理公证"))
        forwarder.start()
        expect(status).to_be_hidden(timeout=40_000)
        expect(page.locator(".yf-msg--bot").first).to_be_visible(timeout=45_000)
        assert page.locator(".yf-root").get_attribute("data-transport") in ("socket", "rest")
    finally:
        forwarder.stop()


def test_rest_fallback_when_the_socket_cannot_connect(page, widget_server):
    page.route(re.compile(r".*/socket\.io/.*"), lambda route: route.abort())
    page.goto(f"{widget_server}/widget/")
    expect(page.locator(".yf-root")).to_have_attribute("data-transport", "rest", timeout=20_000)
    expect(bot_messages(page).first).to_be_visible(timeout=45_000)
    answer = ask(page, "申请法律援助要带什么材料？")
    assert "援助" in answer, answer
    expect(page.get_by_role("status")).to_be_hidden()
    page.reload()
    expect(page.locator(".yf-msg--user .yf-text").last).to_contain_text("申请法律援助要带什么材料")
