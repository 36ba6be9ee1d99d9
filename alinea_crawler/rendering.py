"""Rendering JavaScript-filled lists: which browser, how to wait, and the endpoint learnt from it.

The browser is the slow path. A rendered page's network traffic shows where the
list came from (``/api/related/<article id>`` on the replica); once learnt,
following pages fetch that endpoint over plain HTTP and only go back to the
browser when it stops working.
"""

from __future__ import annotations

import os
import shutil
from glob import glob
from pathlib import Path

from scrapy.settings import Settings

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless Chromium on a closed network, as root, with a fresh profile.
CHROMIUM_ARGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ARG_SETTING_PRIORITY = "spider"

# Resolves once "Berita Lainnya" holds a link, or after maxMs: a bounded wait, not a sleep.
WAIT_FOR_RELATED_LIST = """async (maxMs) => {
  const block = () => document.querySelector('.berita-lainnya, #berita-lainnya')
    || [...document.querySelectorAll('h2, h3, h4')]
         .find(h => h.textContent.trim().toLowerCase() === 'berita lainnya')?.parentElement;
  for (let waited = 0; waited <= maxMs; waited += 100) {
    const found = block();
    if (found && found.querySelector('a[href]')) return true;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return false;
}"""


def skip_heavy_resources(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media never hold the list."""
    return request.resource_type in ("image", "font", "media")


def playwright_own_chromium() -> str | None:
    """Chromium downloaded by ``playwright install``, if any."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    found = sorted(glob(os.path.join(root, "chromium-*", "chrome-linux*", "chrome")))
    return found[-1] if found else None


def find_browser(configured: str | None) -> tuple[str | None, str]:
    """(executable, how it was chosen); executable ``None`` when there is none."""
    if configured:
        path = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        return path, f"ALINEA_BROWSER_PATH={configured}"
    own = playwright_own_chromium()
    if own:
        return own, "Playwright's own Chromium"
    system = next(filter(None, map(shutil.which, SYSTEM_BROWSERS)), None)
    return system, "system Chromium"


def launch_options(executable: str) -> dict:
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return {"executable_path": executable, "headless": True, "args": args}


def enable_rendering(settings: Settings, executable: str) -> None:
    """Route requests through scrapy-playwright (only ``meta["playwright"]`` ones use the browser)."""
    settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
                 priority=ARG_SETTING_PRIORITY)
    if not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"):
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(executable), priority=ARG_SETTING_PRIORITY)


class RelatedEndpoint:
    """A URL template such as ``https://host/api/related/{article_id}``, learnt from the browser."""

    PLACEHOLDER = "{article_id}"

    def __init__(self, max_failures: int):
        self.template: str | None = None
        self.max_failures = max_failures
        self.failures_in_a_row = 0

    def learn(self, page_article_id: str, request_url: str) -> bool:
        """Keep a request URL that names the page's article id; True when it is new."""
        if self.template or page_article_id not in request_url:
            return False
        self.template = request_url.replace(page_article_id, self.PLACEHOLDER)
        self.failures_in_a_row = 0
        return True

    def url_for(self, article_id: str) -> str | None:
        return self.template.replace(self.PLACEHOLDER, article_id) if self.template else None

    def worked(self) -> None:
        self.failures_in_a_row = 0

    def failed(self, url: str) -> bool:
        """Count a failure of ``url``; True when it made us forget the template (the browser learns anew).

        Requests built from an already forgotten template do not count again.
        """
        if not self.template:
            return False
        before, _, after = self.template.partition(self.PLACEHOLDER)
        if not (url.startswith(before) and url.endswith(after)):
            return False
        self.failures_in_a_row += 1
        if self.failures_in_a_row >= self.max_failures:
            self.template = None
            return True
        return False
