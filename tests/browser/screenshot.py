"""Takes docs/widget.png: the real widget talking to a running bot.

    make run                                   # in one terminal
    .venv/bin/python -m tests.browser.screenshot --server http://127.0.0.1:5005
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "老板拖欠我三个月工资，我能申请法律援助吗？"


def wait_for_bot_messages(page, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while page.locator(".yf-msg--bot").count() < at_least:
        if time.monotonic() > deadline:
            raise SystemExit("the bot did not answer; is the server running?")
        time.sleep(0.3)
    time.sleep(1.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="http://127.0.0.1:5005")
    parser.add_argument("--out", default=str(ROOT / "docs" / "widget.png"))
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="zh-CN", device_scale_factor=1)
        page.goto(args.server.rstrip("/") + "/widget/")
        wait_for_bot_messages(page, 1)
        before = page.locator(".yf-msg--bot").count()
        page.locator(".yf-input").fill(args.question)
        page.locator(".yf-input").press("Enter")
        wait_for_bot_messages(page, before + 1)
        page.locator(".yf-input").blur()
        page.screenshot(path=args.out)
        browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
