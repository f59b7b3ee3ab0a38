"""Debian's Chromium, driven headless by Playwright, for the web chat tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


async def launch_chromium(pw: Playwright) -> Browser:
    """Headless Chromium; a missing one fails the test (never skips it) and says how to install it."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/system-packages test (make test does)")
    return await pw.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )


async def sign_in_on_page(page: Page, url: str, person: str, password: str) -> None:
    """Sign in through the sign-in page, as a person does, and wait for the chat to connect."""
    await page.goto(url + "/")
    await page.wait_for_url("**/sign-in")  # nobody signed in: sent to the sign-in page
    await page.fill("#person", person)
    await page.fill("#password", password)
    await page.click("#sign-in-form button[type=submit]")
    await page.wait_for_selector("#status:has-text('已连接')")
