"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.audit import Audit, AuditedBrowser

# Fixtures of the commitments suite, reused by journeys that start from published pledges.
from tests.commitments.conftest import draft, published, world  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"没有找到 Chromium（{CHROMIUM}），跳过浏览器测试；.ci/run 会安装它。")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not HAVE_CHROMIUM:
                item.add_marker(skip)


def pytest_report_header(config):
    if not HAVE_CHROMIUM:
        return f"浏览器测试将被跳过：没有找到 Chromium（{CHROMIUM}）。"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--lang=zh-CN",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chinese browser chrome (file pickers, validation bubbles), as the users have it.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def shot():
    """Save a screenshot under test-artifacts/ so a person can look at each step."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def audit():
    """axe-core and the 375 px fit for the pages of this test (tests/browser/audit.py); `audit.check(page)` checks a
    page in a state a revisit would not show (a form with its errors)."""
    return Audit()


@pytest.fixture
def browser(browser, audit, live_server):
    """The session's Chromium, whose contexts check every page the test loaded before they close (issue 14: every
    page passes axe-core with no serious or critical violation and fits its viewport). It asks for the live server
    so that the server is still up when the pages are opened again at the end."""
    audited = AuditedBrowser(browser, audit)
    yield audited
    audited.finish()
    audit.assert_clean()
