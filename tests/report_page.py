"""A report page opened in real headless Chromium: what it logged and requested, its tables, its plots.

``python -m tests.report_page report.html docs/img/report.png`` saves a screenshot of the page's top
(the one in docs/report.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from alinea_crawler.rendering import find_browser, launch_options

VIEWPORT = {"width": 1200, "height": 1600}
TABLE_JS = """id => Array.from(document.querySelectorAll(`#${id} tbody tr`)).map(
    tr => Array.from(tr.cells).map(td => td.dataset.value ?? td.textContent))"""
PLOTS_JS = """() => Array.from(document.querySelectorAll('figure svg')).map(svg => ({
    block: svg.closest('section').id,
    shapes: svg.querySelectorAll('path, rect, use').length,
    texts: svg.querySelectorAll('text').length,
    width: svg.getBoundingClientRect().width,
    height: svg.getBoundingClientRect().height}))"""
LINKS_JS = """() => Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
    .filter(a => a.name === 'src' || a.name.endsWith('href')).map(a => a.value))"""


@contextmanager
def chromium() -> Iterator[Browser]:
    executable, how = find_browser(None)
    if executable is None:
        raise RuntimeError(f"no Chromium ({how})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(executable))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OpenedReport:
    page: Page
    url: str
    errors: list[str] = field(default_factory=list)  # console errors, page errors, failed requests
    requests: list[str] = field(default_factory=list)

    def table(self, table_id: str) -> list[list[str]]:
        """Rows of a table, each cell's ``data-value`` (the exact number) or else its text."""
        return self.page.evaluate(TABLE_JS, table_id)

    def plots(self) -> list[dict]:
        return self.page.evaluate(PLOTS_JS)

    def links(self) -> list[str]:
        """Every href/src in the page (the SVGs' included)."""
        return self.page.evaluate(LINKS_JS)


def open_report(browser: Browser, path: Path) -> OpenedReport:
    """Load the page; anything it asks for besides itself is recorded and refused."""
    page = browser.new_page(viewport=VIEWPORT)
    opened = OpenedReport(page, path.resolve().as_uri())
    page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("requestfailed", lambda request: opened.errors.append(f"request failed: {request.url}"))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url == opened.url else route.abort())
    page.goto(opened.url, wait_until="load")
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.report_page", description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    args = parser.parse_args()
    with chromium() as browser:
        opened = open_report(browser, args.report)
        opened.page.screenshot(path=str(args.png))


if __name__ == "__main__":
    main()
