"""Browser fixtures: Debian's chromium driven headless by Playwright against the live server.

One browser per session, one desktop and one phone context, one page each, reused by every test.
Every context records what its pages do: each request (none may leave the server), console errors,
uncaught exceptions, Content-Security-Policy violations and failed or 4xx/5xx subresource loads.
A test's `page` fixture checks that record when the test ends.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`; .ci/run
does it). Without chromium the browser tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Request, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Belt and braces: a name other than the loopback server's cannot even be resolved.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Runs in every document before its own scripts; CDP-injected, so the page's CSP does not block it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""
LOCAL_SCHEMES = ("data", "blob", "about")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless chromium (deselect with -m 'not browser')")


def chromium_path() -> str | None:
    """Return Debian's chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@dataclass
class Record:
    """What the pages of one context did since the last reset."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.requests.clear()
        self.foreign.clear()
        self.errors.clear()

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"console: {message.text} ({where})")

    def on_page_error(self, error: PlaywrightError) -> None:
        self.errors.append(f"uncaught: {error}")

    def on_response(self, response: Response) -> None:
        # A page a test opens on purpose may be a 4xx (the editor's 400 for a bad query); anything it
        # loads (scripts, styles, fetches) must not be.
        if response.status >= 400 and response.request.resource_type != "document":
            self.errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def on_request_failed(self, request: Request) -> None:
        self.errors.append(f"failed: {request.method} {request.url} ({request.failure})")

    def problems(self) -> list[str]:
        """Return every request to another host and every error, for an assertion message."""
        return [f"request to another host: {url}" for url in self.foreign] + self.errors


@dataclass
class Tab:
    """A reused page, its context's record, and the server it talks to."""

    page: Page
    record: Record
    base: str

    def open(self, path: str) -> Response:
        """Go to a path on the server; return the response of the page itself."""
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None, path
        return response

    def assert_clean(self) -> None:
        problems = self.record.problems()
        assert not problems, "the browser saw:\n" + "\n".join(problems)
        assert self.record.requests, "no request was recorded"


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    """Headless Debian chromium, launched once for the session."""
    executable = chromium_path()
    if executable is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright_session.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _context(browser: Browser, server: Any, **options: Any) -> tuple[BrowserContext, Record]:
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    record = Record(server.url)
    context.on("request", record.on_request)
    context.on("console", record.on_console)
    context.on("weberror", lambda error: record.on_page_error(error.error))
    context.on("response", record.on_response)
    context.on("requestfailed", record.on_request_failed)
    return context, record


@pytest.fixture(scope="session")
def desktop_tab(browser: Browser, live_server: Any) -> Iterator[Tab]:
    context, record = _context(browser, live_server, viewport=DESKTOP, locale="vi-VN")
    yield Tab(context.new_page(), record, live_server.url)
    context.close()


@pytest.fixture(scope="session")
def phone_tab(browser: Browser, live_server: Any) -> Iterator[Tab]:
    context, record = _context(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True,
                               locale="vi-VN")
    yield Tab(context.new_page(), record, live_server.url)
    context.close()


@pytest.fixture()
def tab(desktop_tab: Tab) -> Iterator[Tab]:
    """The desktop page, its record cleared; when the test passes, nothing it did went wrong."""
    desktop_tab.page.set_viewport_size(DESKTOP)
    desktop_tab.record.reset()
    yield desktop_tab
    desktop_tab.assert_clean()


@pytest.fixture()
def phone(phone_tab: Tab) -> Iterator[Tab]:
    phone_tab.record.reset()
    yield phone_tab
    phone_tab.assert_clean()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """test-output/screenshots/, created (it is gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
