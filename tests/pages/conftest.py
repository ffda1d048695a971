"""End-to-end fixtures: a live `kgtutor serve` on a seeded graph of its own var dir, demo
accounts, and Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from cli.common import store_for
from cli.main import main
from graph.embedded import EmbeddedServer
from services import accounts
from services.settings import Settings
from tests.live_server import serving
from tutor.access import Role

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
STUDENTS = {"amara": "alg-st-amara", "chloe": "alg-st-chloe", "diego": "alg-st-diego",
            "farah": "alg-st-farah", "grace": "alg-st-grace"}
# a fake camera (a moving test pattern, no face) and a fake microphone (a beep), allowed
# without a prompt: live capture without devices
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="session")
def web_var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    var = tmp_path_factory.mktemp("web-var")
    result = CliRunner().invoke(main, ["graph", "seed"], env={"KGTUTOR_VAR": str(var)})
    assert result.exit_code == 0, result.output
    with store_for(Settings(var_dir=var)) as store:
        for name, student in STUDENTS.items():
            accounts.add_user(store, name, PASSWORD, Role.STUDENT, 0, student_id=student)
        accounts.add_user(store, "hpark", PASSWORD, Role.TUTOR, 0, tutor_id="alg-tutor-hpark")
    yield var
    EmbeddedServer(var / "graph").stop(force=True)


@pytest.fixture(scope="session")
def live(web_var: Path) -> Iterator[str]:
    """`kgtutor serve` in its own process."""
    with serving(web_var, web_var / "serve.log", "--no-scheduler",
                 KGTUTOR_AUTH_RATE_LIMIT="1000/minute") as url:
        yield url


@pytest.fixture(scope="session")
def bank(web_var: Path, live: str) -> str:
    """The small "asmt" course (``tests/api/assessment_bank.py``) in the live server's graph,
    for the test and experiment pages; returns its tutor's token."""
    import requests

    from tests.api.assessment_bank import TUTOR, load

    with store_for(Settings(var_dir=web_var)) as store:
        load(store, 0)
    r = requests.post(live + "/auth/login", json={"username": TUTOR, "password": PASSWORD},
                      timeout=10)
    return r.json()["access_token"]


@pytest.fixture(scope="session")
def own_people(web_var: Path, bank: str) -> str:
    """``bank``, plus the accessibility tests' own students and classes
    (``tests/pages/axe.py``); returns the "asmt" tutor's token."""
    from tests.pages.axe import add_people

    with store_for(Settings(var_dir=web_var)) as store:
        add_people(store)
    return bank


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM)
    yield b
    b.close()


@pytest.fixture(scope="session")
def media_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with fake media devices (see ``FAKE_MEDIA``)."""
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=FAKE_MEDIA)
    yield b
    b.close()


class Tab:
    """A browser page that records console errors; a test declares the ones it expects."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.expected: list[re.Pattern[str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def expect_error(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]

    def login(self, username: str) -> None:
        self.page.goto(self.base + "/app/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()

    def shot(self, name: str, of: str | None = None) -> None:
        """The whole page, or the element ``of`` selects; the fixed feelings bar would cover
        part of a tall shot, so a shot of an element leaves it out."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        if of:
            self.page.locator(of).screenshot(path=path, style="#feelings { display: none }")
        else:
            self.page.screenshot(path=path, full_page=True)


def _tabs(browser: Browser, live: str, **context: Any) -> Iterator[Callable[..., Tab]]:
    opened: list[Tab] = []

    def open_tab(width: int = 1280, height: int = 900) -> Tab:
        ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
        t = Tab(ctx.new_page(), live)
        opened.append(t)
        return t

    yield open_tab
    for t in opened:
        t.page.context.close()
    for t in opened:
        assert not t.unexpected(), f"console errors: {t.unexpected()}"


@pytest.fixture
def tab(browser: Browser, live: str) -> Iterator[Callable[..., Tab]]:
    """``tab(width=1280)``: a fresh browser context; fails the test on console errors."""
    yield from _tabs(browser, live)


@pytest.fixture
def media_tab(media_browser: Browser, live: str) -> Iterator[Callable[..., Tab]]:
    """Like ``tab``, with the fake camera and microphone and the permission to use them."""
    yield from _tabs(media_browser, live, permissions=["camera", "microphone"])
