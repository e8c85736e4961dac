"""Make docs/screenshot.png: the recruiter page with the example posting scored.

    .venv/bin/python docs/screenshot.py

Serves the app on a free loopback port and drives Debian's chromium with Playwright,
as tests/test_web_browser.py does.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from roleclass.web import create_app

REPO = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    posting = (REPO / "examples" / "marketing_director_sales_duties.txt").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        page.goto(f"http://127.0.0.1:{sock.getsockname()[1]}/")
        page.fill("#title", "Marketing Director")
        page.fill("#text", posting)
        page.click("#score-button")
        page.wait_for_selector("#verdict")
        page.screenshot(path=str(REPO / "docs" / "screenshot.png"), full_page=True)
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
