"""The recruiter page end to end, as a person uses it: a real headless chromium (Debian's,
driven by Playwright) against `roleclass serve`'s app on a free loopback port.

Skipped, with the reason, only where no browser can be had: /usr/bin/chromium missing
(`apt-get install chromium`) or the playwright package missing. A browser that is there
but does not start is a failure, not a skip.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TITLE = "Marketing Director"

if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="no browser driver: pip install playwright")
uvicorn = pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install 'roleclass[web]')")

from roleclass.web import create_app  # noqa: E402


@pytest.fixture(scope="module")
def base_url(scorer):
    """The app served by uvicorn in a thread, on a loopback socket bound to a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(scorer), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url)
    yield page
    context.close()
    assert not dialogs, f"the page ran script from a posting: {dialogs}"


def paste(page, title: str, text: str) -> None:
    page.fill("#title", title)
    page.fill("#text", text)
    page.click("#score-button")
    page.wait_for_selector("#verdict")


def test_pasted_posting_shows_the_verdict_and_marks_the_phrases(page, case_posting, scorer):
    expected = scorer.score(case_posting, TITLE)
    paste(page, TITLE, case_posting)

    assert page.inner_text("#verdict") == "Hybrid (mislabeled)"
    assert page.inner_text("#confidence") == f"confidence {expected.confidence * 100:.2f}%"
    assert page.inner_text("#mismatch") == "Mismatch: the title claims marketing, but the duties are sales."
    assert "claims marketing" in page.inner_text("#title-claim")

    marks = page.locator("#posting mark.ev")
    found = [(m.inner_text(), m.get_attribute("data-function")) for m in marks.all()]
    assert sorted(found) == sorted((e.phrase, e.function) for e in expected.evidence)
    assert ("Make at least 50 outbound calls", "sales") in found
    assert ("outbound emails a day", "sales") in found  # numbers carry no weight of their own (issue 9)
    marked = page.locator("#posting mark.ev-sales").first
    assert marked.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"  # really highlighted
    assert page.inner_text("#posting").strip() == expected.text.strip()  # the whole posting, marks in place

    sales = page.inner_text("#duties-sales")
    assert "Make at least 50 outbound calls and 50 outbound emails a day" in sales
    assert "50 outbound calls a day" in sales
    assert "giveaways" in page.inner_text("#duties-marketing")
    assert page.input_value("#title") == TITLE  # the form keeps what was pasted


def test_script_in_a_posting_shows_as_text(page, case_posting):
    title = "<script>alert('title')</script>Marketing Director"
    text = case_posting + "\nUse &lt;script&gt;alert('posting')&lt;/script&gt; tags <img src=x onerror=alert(1)>"
    paste(page, title, text)

    assert page.inner_text("#verdict") == "Hybrid (mislabeled)"
    assert "<script>alert('posting')</script>" in page.inner_text("#posting")
    assert "<script>alert('title')</script>" in page.inner_text("#title-claim")
    assert page.locator("script").count() == 0 and page.locator("main img").count() == 0
    assert page.input_value("#title") == title


def test_upload_downloads_the_mismatch_report(page, case_posting):
    data = io.StringIO()
    writer = csv.writer(data, lineterminator="\n")
    writer.writerows([["id", "title", "description"], ["p1", TITLE, case_posting], ["p2", "Sales Rep", ""]])
    page.set_input_files("#file", files=[{"name": "postings.csv", "mimeType": "text/csv", "buffer": data.getvalue().encode()}])
    with page.expect_download() as download:
        page.click("#report-button")
    assert download.value.suggested_filename == "postings-mismatches.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(r["id"], r["title"], r["title_claim"], r["duties"], r["verdict"]) for r in rows] == [
        ("p1", TITLE, "marketing", "sales", "hybrid")
    ]
    assert "Make at least 50 outbound calls" in rows[0]["phrases"]
