"""Shared pieces for Quad's browser tests: Debian's Chromium driven by Playwright, and axe-core.

The fixtures (``browser``, ``page``, ``phone_page``, ``new_page``) are here so every test under quad/
can ask for them; a browser test module marks itself ``pytestmark = pytest.mark.browser`` and imports
the helpers (``from quad.conftest import check_a11y``). Every page a test visits goes through
``check_a11y(page, name)``, which fails on any serious or critical axe violation. The named cast of
people is in the root conftest.py.

Screenshots for the docs: set ``QUAD_SCREENSHOTS=1`` (or pass ``screenshot=True``) and
``check_a11y`` writes ``docs/img/<name>.png``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def screenshots_wanted() -> bool:
    return os.environ.get("QUAD_SCREENSHOTS", "").strip().lower() in {"1", "true", "yes", "on"}


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


def check_a11y(page: Page, name: str, *, screenshot: bool | None = None, full_page: bool = True) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    `name` labels the failure and, when screenshots are asked for, names docs/img/<name>.png.
    """
    page.wait_for_load_state("load")
    if screenshot or (screenshot is None and screenshots_wanted()):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=full_page)
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"axe found {len(blocking)} serious/critical problem(s) on {name} ({page.url}):\n"
            + format_violations(blocking),
            pytrace=False,
        )


def assert_no_horizontal_overflow(page: Page, name: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways on a phone: content {widths[0]}px, viewport {widths[1]}px"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def serve_media(settings: Any) -> None:
    """Point uploads at the folder the /media/ URL serves: the URLconf captured MEDIA_ROOT when it
    was imported, before the suite's autouse fixture moved MEDIA_ROOT to a per-test folder."""
    from django.urls import resolve

    settings.MEDIA_ROOT = resolve("/media/x.png").kwargs["document_root"]


def _context(browser: Browser, live_server: Any, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server: Any, serve_media: None) -> Iterator[Page]:
    """A desktop browser tab (1280×800) on the live server; `page.goto("/path/")` works."""
    context = _context(browser, live_server, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser, live_server: Any, serve_media: None) -> Iterator[Page]:
    """A phone-sized touch browser tab (390×844), in its own context (its own cookies)."""
    context = _context(browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser: Browser, live_server: Any, serve_media: None) -> Iterator[Any]:
    """A factory for more desktop tabs, each with its own cookies (another person at another computer)."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = _context(browser, live_server, viewport=DESKTOP)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through allauth's form (no two-factor step)."""
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
