"""A real browser (Debian's Chromium driven by Playwright) against the app served for real by
pytest-django's ``live_server``. Test modules skip themselves when either is missing."""

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def browser_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is not None


@pytest.fixture(scope="package")
def orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread, and Django refuses
    ORM calls under a running loop: allow them while the browser is up (tests and fixtures
    only touch the database between two browser steps). Up for this package's tests only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(orm_beside_playwright):
    """One Chromium for every browser test of this package (each test opens its own contexts:
    cookies and storage are not shared), closed when the package's last test is done."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def contexts_closed(request):
    """Each browser test leaves the shared browser as it found it: the contexts it opened (and
    their pages) are closed after it, so none of them still talks to the server afterwards."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()


@pytest.fixture
def demo(db):
    """The Loire demo, loaded in the test database."""
    from backend.demo.loader import load_demo

    return load_demo()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def signed_in(browser, live_server):
    """``signed_in(user, **context_options)`` → a new page already signed in as ``user``
    (a real session made by Django's test client, its cookie given to the browser)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user, **options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
