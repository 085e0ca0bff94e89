"""Browser tests: the real server (waitress, a subprocess) over a tmp index, driven through
Debian's chromium by Playwright. Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.config import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_DIR / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVE = """
import sys
from pathlib import Path
from kb.config import Settings
from cli.serving import build_and_serve
build_and_serve(Settings(index_dir=Path(sys.argv[1]), content_roots=(Path(sys.argv[2]),)), port=0, threads=4)
"""


def pytest_collection_modifyitems(items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """Start `kb serve`'s server (cli.serving.build_and_serve) on a free loopback port; its URL,
    e.g. http://127.0.0.1:PORT/."""
    index_dir = tmp_path_factory.mktemp("browser") / "index"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(index_dir), str(PROJECT_DIR / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_DIR,
    )
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if line.startswith("Serving on "):
                break
        else:
            pytest.fail("the server did not start:\n" + "".join(output))
        yield line.removeprefix("Serving on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


def launch(driver, user_data_dir: Path, **options):
    """A fresh chromium profile (never a downloaded browser: Debian's chromium)."""
    return driver.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1200, "height": 900}, locale="ru-RU", **options,
    )


@pytest.fixture(scope="session")
def browser_context(playwright_driver, tmp_path_factory):
    context = launch(playwright_driver, tmp_path_factory.mktemp("chromium-profile"))
    yield context
    context.close()


@pytest.fixture()
def page(browser_context):
    """A new tab; it records dialogs (dismissing them) and console errors."""
    tab = browser_context.new_page()
    tab.dialogs = []
    tab.console_errors = []

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, name): save test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, name: str, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture()
def no_js_page(playwright_driver, tmp_path):
    context = launch(playwright_driver, tmp_path / "profile", java_script_enabled=False)
    yield context.new_page()
    context.close()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
