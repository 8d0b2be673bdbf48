"""Headless Chromium (Debian's package) driven by Playwright, against a real bot server.

Set YUEFA_TEST_SERVER=http://127.0.0.1:5005 to run these tests against a server you
started yourself (`make run`) instead of the session's `bot_server`.
"""
from __future__ import annotations

import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("YUEFA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-extensions", "--mute-audio",
]
# The third-party site runs on its own origin (another port) on loopback: Chromium lets
# only loopback pages call the loopback bot server (Local Network Access).


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent and item.get_closest_marker("browser"):
            if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} missing (apt-get install chromium)"))


@pytest.fixture(scope="session")
def widget_server(request) -> str:
    """Base URL of the bot server the widget talks to."""
    external = os.environ.get("YUEFA_TEST_SERVER")
    if external:
        return external.rstrip("/")
    return str(request.getfixturevalue("bot_server"))


# Package scope: Playwright's sync API owns the thread's event loop while it runs, so it
# must be closed before other test packages use asyncio.
@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile per test (own sessionStorage / localStorage)."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


class Dialogs(list):
    """Every alert/confirm/prompt the page tried to open (and that was dismissed)."""


@pytest.fixture
def page(context):
    page = context.new_page()
    page.dialogs = Dialogs()

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def embed_snippet(script_host: str, data_server: str, extra: str = "") -> str:
    """The two-line snippet from docs/widget.md, as a third-party page would embed it."""
    return (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>某区司法局</title></head><body><h1>某区司法局</h1><a href=\"#top\">首页</a>\n"
        f"<link rel=\"stylesheet\" href=\"{script_host}/widget/yuefa-widget.css\">\n"
        f"<script src=\"{script_host}/widget/yuefa-widget.js\" data-server=\"{data_server}\" {extra} defer></script>\n"
        "</body></html>"
    )


class EmbeddingSite:
    """A tiny web server on its own port serving one page: a site that embeds the widget."""

    def __init__(self) -> None:
        self.html = b""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.html)))
                self.end_headers()
                self.wfile.write(site.html)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/sfj/index.html"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def open_embedding_site(page):
    """open_embedding_site(script_host, data_server) → the page, showing a third-party site."""
    site = EmbeddingSite()

    def _open(script_host: str, data_server: str, extra: str = ""):
        site.html = embed_snippet(script_host, data_server, extra).encode()
        page.goto(site.url)
        return page

    yield _open
    site.close()
