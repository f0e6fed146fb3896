"""Shared pieces for Quad's browser tests: Debian's Chromium driven by Playwright, and axe-core.

The fixtures (``browser``, ``page``, ``phone_page``, ``new_page``) are here so every test under quad/
can ask for them; a browser test module marks itself ``pytestmark = pytest.mark.browser`` and imports
the helpers (``from quad.conftest import check_a11y``). Every page a test visits goes through
``check_a11y(page, name)``, which fails on any serious or critical axe violation. The named cast of
people is in the root conftest.py.

Screenshots for the docs: a test marks the pages the docs show with ``check_a11y(page, name,
screenshot=True)``; run with ``QUAD_SCREENSHOTS=1`` and each is written to ``docs/img/<name>.png``.
``QUAD_SCREENSHOTS=all`` saves every page checked (handy when reviewing a change by eye).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = os.environ.get("QUAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

_axe = Axe()


def screenshot_wanted(marked: bool) -> bool:
    setting = os.environ.get("QUAD_SCREENSHOTS", "").strip().lower()
    return setting == "all" or (marked and setting in {"1", "true", "yes", "on"})


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}")
            lines.append(f"       {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def check_a11y(page: Page, name: str, *, screenshot: bool = False, full_page: bool = True) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    `name` labels the failure and names docs/img/<name>.png; `screenshot=True` marks the page as one
    the docs show (saved when QUAD_SCREENSHOTS asks).
    """
    page.wait_for_load_state("load")
    if screenshot_wanted(screenshot):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => document.activeElement?.blur()")  # no focus ring in the docs
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=full_page)
    results = _axe.run(page)
    violations = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    for minor in (v for v in violations if v not in blocking):
        # Shown with the test's output (pytest -s, or on failure): worth fixing, not worth failing on.
        print(f"axe {minor['impact']} on {name}: {minor['id']} ×{len(minor['nodes'])}: {minor['help']}")
    if blocking:
        pytest.fail(
            f"axe found {len(blocking)} serious/critical problem(s) on {name} ({page.url}):\n"
            + format_violations(blocking),
            pytrace=False,
        )


def assert_no_horizontal_overflow(page: Page, name: str) -> None:
    """The page fits the screen's width. Compared with the viewport Playwright set, not window.innerWidth:
    a mobile browser zooms out to fit content that is too wide, and innerWidth grows with it."""
    viewport = page.viewport_size
    assert viewport is not None
    content = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > limit + 1)
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""",
        viewport["width"],
    )
    assert content <= viewport["width"], (
        f"{name} scrolls sideways on a phone: content {content}px, screen {viewport['width']}px; too wide: {wide}"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


class Tabs:
    """Browser contexts opened for one test; each is one person at their own device (own cookies).
    A JavaScript error on any page fails the test."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.script_errors: list[str] = []

    def open(self, **options: Any) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, locale="en-GB", timezone_id="Europe/London", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        if self.script_errors:
            pytest.fail("JavaScript errors:\n" + "\n".join(self.script_errors), pytrace=False)


@pytest.fixture
def tabs(browser: Browser, live_server: Any) -> Iterator[Tabs]:
    opened = Tabs(browser, live_server.url)
    yield opened
    opened.close()


@pytest.fixture
def page(tabs: Tabs) -> Page:
    """A desktop browser tab (1280×800) on the live server; `page.goto("/path/")` works."""
    return tabs.open(viewport=DESKTOP)


@pytest.fixture
def phone_page(tabs: Tabs) -> Page:
    """A phone-sized touch browser tab (390×844), in its own context (its own cookies)."""
    return tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.fixture
def new_page(tabs: Tabs) -> Callable[[], Page]:
    """A factory for more desktop tabs, each with its own cookies (another person at another computer)."""
    return lambda: tabs.open(viewport=DESKTOP)


def fresh_code(user: Any, used: set[str]) -> str:
    """An authenticator code not used yet: allauth refuses a code twice, so a second sign-in within the same
    30-second period waits for the next code, as a person would."""
    from quad.accounts.totp import current_code

    deadline = time.monotonic() + 35
    while (code := current_code(user)) in used:
        assert time.monotonic() < deadline, "no new authenticator code within a period"
        time.sleep(0.5)
    used.add(code)
    return code


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through allauth's form (no two-factor step)."""
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


class _ASGIServer:
    """Quad's ASGI application (pages and chat sockets) served by uvicorn on a thread of the test
    process, so it shares the test database the way Django's live server does. Django's live server is
    WSGI and has no sockets; pages under it fall back to polling. Static files come from the finders."""

    def __init__(self) -> None:
        import socket
        import threading

        import uvicorn
        from channels.auth import AuthMiddlewareStack
        from channels.layers import channel_layers
        from channels.routing import ProtocolTypeRouter, URLRouter
        from channels.security.websocket import AllowedHostsOriginValidator
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.asgi import get_asgi_application

        from quad.chat import realtime
        from quad.chat.routing import websocket_urlpatterns

        channel_layers.backends.clear()  # a fresh in-memory layer and hub, on this server's event loop
        realtime._hubs.clear()
        application = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(get_asgi_application()),
                "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
            }
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="asgi-test-server", daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test ASGI server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        from channels.layers import channel_layers

        from quad.chat import realtime

        self.server.should_exit = True
        self.thread.join(10)
        channel_layers.backends.clear()
        realtime._hubs.clear()


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[_ASGIServer]:
    server = _ASGIServer()
    yield server
    server.stop()


@pytest.fixture
def asgi_tabs(browser: Browser, asgi_server: _ASGIServer) -> Iterator[Tabs]:
    """Like ``tabs``, on the ASGI server: chat pages open their sockets."""
    opened = Tabs(browser, asgi_server.url)
    yield opened
    opened.close()
