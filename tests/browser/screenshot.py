"""Takes docs/widget.png: the real widget after a real exchange with the real bot.

    .venv/bin/python -m tests.browser.screenshot                 # starts its own servers
    .venv/bin/python -m tests.browser.screenshot --server http://127.0.0.1:5005   # after `make run`

Without --server it trains the model if it is stale, builds a throw-away SQLite knowledge
database from the seed data, starts the action and Rasa servers on free loopback ports
(as the test fixtures do), takes the screenshot and stops them again.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "老板拖欠我三个月工资，我能申请法律援助吗？"


@contextlib.contextmanager
def own_servers() -> Iterator[str]:
    """Action + Rasa servers for the screenshot; yields the Rasa server's base URL."""
    from bot import modelstate
    from knowledge.loader import build_database
    from tests.servers import running_bot

    modelstate.train()
    with tempfile.TemporaryDirectory(prefix="yuefa-screenshot-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'yuefa.db'}"
        build_database(database_url)
        print("==> starting the action and Rasa servers (about a minute) …", flush=True)
        with running_bot(Path(tmp), {"DATABASE_URL": database_url}) as bot:
            yield bot.bases[0]


def warn_without_chinese_font() -> None:
    """Without a CJK font Chromium draws every Chinese character as an empty box."""
    if not shutil.which("fc-list"):
        return
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout.strip()
    if not found:
        print("warning: no Chinese font installed, the screenshot will show boxes "
              "(Debian: apt-get install fonts-noto-cjk)", file=sys.stderr)


def wait_for_bot_messages(page, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while page.locator(".yf-msg--bot").count() < at_least:
        if time.monotonic() > deadline:
            raise SystemExit("the bot did not answer; is the server running?")
        time.sleep(0.3)
    time.sleep(1.5)  # the rest of the turn's messages


def take(server: str, out: str, question: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800}, locale="zh-CN", device_scale_factor=1)
            page.goto(server.rstrip("/") + "/widget/")
            wait_for_bot_messages(page, 1)  # the greeting
            transport = page.locator(".yf-root").get_attribute("data-transport")
            before = page.locator(".yf-msg--bot").count()
            page.locator(".yf-input").fill(question)
            page.locator(".yf-input").press("Enter")
            wait_for_bot_messages(page, before + 1)
            page.locator(".yf-input").blur()
            # Show the question and the start of the answer (not just the answer's end).
            page.locator(".yf-msg--user").last.evaluate("m => m.scrollIntoView({block: 'start'})")
            time.sleep(0.3)
            page.screenshot(path=out)
        finally:
            browser.close()
    print(f"wrote {out} (transport: {transport})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="a running bot server (default: start one for the screenshot)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "widget.png"))
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    warn_without_chinese_font()
    if args.server:
        take(args.server, args.out, args.question)
    else:
        with own_servers() as server:
            take(server, args.out, args.question)
    return 0


if __name__ == "__main__":
    sys.exit(main())
