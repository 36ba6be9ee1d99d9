"""Rendering JavaScript-filled lists: which browser, how to wait, and the endpoint learnt from it.

The browser is the slow path. A rendered page's network traffic shows where the
list came from (``/api/related/<article id>`` on the replica); once learnt,
following pages fetch that endpoint over plain HTTP and only go back to the
browser when it stops working.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from glob import glob
from pathlib import Path
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import Settings
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from . import stats as keys
from .extensions import describe_failure
from .items import ArticleItem
from .pages.related import endpoint_links, related_list
from .urls import article_id, same_site

logger = logging.getLogger(__name__)

BROWSER_ON_DEMAND_HANDLER = "alinea_crawler.browser_handler.BrowserOnDemandHandler"
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless Chromium on a closed network, as root, with a fresh profile.
CHROMIUM_ARGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
ARG_SETTING_PRIORITY = "spider"
# Event-loop turns Playwright's client waits after each message from its driver (see bound_turns_per_message).
PLAYWRIGHT_TURNS_PER_MESSAGE = 2
PRIORITY_LOOK_INTERVAL_S = 0.05  # while a page renders: does the crawl still have other pages to fetch?

# Counts the page's fetch/XHR requests in flight (an init script: it runs before the page's own scripts).
COUNT_REQUESTS_IN_FLIGHT = """(() => {
  window.__alineaInFlight = 0;
  const done = () => { window.__alineaInFlight -= 1; };
  const pageFetch = window.fetch;
  window.fetch = function (...args) {
    window.__alineaInFlight += 1;
    return pageFetch.apply(this, args).finally(done);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    window.__alineaInFlight += 1;
    this.addEventListener('loadend', done);
    return send.apply(this, args);
  };
})();"""
QUIET_MS = 1000  # loaded, no fetch/XHR in flight for this long, list still empty: it will not fill
# Resolves true once "Berita Lainnya" holds a same-site article link and is not marked as loading; false
# after maxMs, or as soon as the page has been quiet for QUIET_MS with the list still empty (a list that
# never fills costs about a second, not maxMs). The block is scrolled into view: a list may fill on scroll.
# An off-site link or a "loading" placeholder is no filled list.
WAIT_FOR_RELATED_LIST = """async ([maxMs, quietMs]) => {
  const articlePath = /^\\/[a-z0-9-]+\\/(?:[a-z0-9-]+-)?b[A-Za-z0-9]{8,9}\\/?$/;
  const block = () => document.querySelector('.berita-lainnya, #berita-lainnya')
    || [...document.querySelectorAll('h2, h3, h4')]
         .find(h => h.textContent.trim().toLowerCase() === 'berita lainnya')?.parentElement;
  const loading = el => el.matches('[aria-busy="true"], .loading, .is-loading')
    || el.querySelector('[aria-busy="true"], .loading, .is-loading, .skeleton') !== null;
  const filled = el => [...el.querySelectorAll('a[href]')].some(a =>
    a.host === location.host && articlePath.test(a.pathname) && a.pathname !== location.pathname);
  const busy = () => document.readyState !== 'complete' || (window.__alineaInFlight || 0) > 0;
  let quiet = 0;
  for (let waited = 0; waited <= maxMs; waited += 100) {
    const found = block();
    if (found && !loading(found) && filled(found)) return true;
    if (found && waited === 0) found.scrollIntoView();
    quiet = busy() ? 0 : quiet + 100;
    if (quiet >= quietMs) return false;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return false;
}"""


async def count_requests_in_flight(page, request) -> None:
    """``playwright_page_init_callback``: the wait can tell a list still loading from one that never fills."""
    await page.add_init_script(COUNT_REQUESTS_IN_FLIGHT)


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
    """Route ``meta["playwright"]`` requests to the browser, started when the first of them comes."""
    settings.set("DOWNLOAD_HANDLERS", {"http": BROWSER_ON_DEMAND_HANDLER, "https": BROWSER_ON_DEMAND_HANDLER},
                 priority=ARG_SETTING_PRIORITY)
    if not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"):
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(executable), priority=ARG_SETTING_PRIORITY)


class CrawlBrowser:
    """The crawl's one scrapy-playwright download handler, built and started by the first rendered request,
    stopped when the crawl says it needs it no more (``stop_when_idle``) or at the end.

    Installed as Scrapy's handler for ``http`` and ``https``, scrapy-playwright's handler is built once per
    scheme and each starts a Playwright driver (a Node.js process) before the crawl's first request, rendered
    or not: two drivers, Playwright imported and the crawl held up, even when no page needs the browser.
    """

    _of_crawler: ClassVar[WeakKeyDictionary[Crawler, CrawlBrowser]] = WeakKeyDictionary()

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlBrowser:
        """The same one for every scheme's handler of a crawl."""
        return cls._of_crawler.setdefault(crawler, cls(crawler))

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.handler: Any = None  # scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler once started
        self.starting = asyncio.Lock()  # a start and a stop never overlap
        self.in_flight = 0  # pages being rendered
        self.stop_wanted = False  # stop once no page is being rendered
        self.stopping: asyncio.Task | None = None
        self.prioritising: asyncio.Task | None = None

    async def download(self, request: Request) -> Response:
        handler = await self.started()
        self.in_flight += 1  # no await since started(): a stop cannot close it in between
        if self.prioritising is None:
            self.prioritising = asyncio.ensure_future(self.keep_priority())
        try:
            return await handler.download_request(request)
        finally:
            self.in_flight -= 1
            self.stop_if_wanted()

    async def started(self) -> Any:
        async with self.starting:
            if self.handler is None:
                # Playwright is imported only now
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                bound_turns_per_message()
                handler = ScrapyPlaywrightDownloadHandler.from_crawler(self.crawler)
                # What it runs on engine_started, a signal sent long before this (scrapy-playwright is pinned:
                # tests/test_render.py renders through this path with the real browser).
                await handler._maybe_launch_in_thread()
                self.handler = handler
                self.crawler.stats.inc_value(keys.RENDER.format(what="browser_started"))
        return self.handler

    async def keep_priority(self) -> None:
        """While pages render, the browser stays below the crawl's CPU priority as long as the crawl has other
        pages to fetch, and comes up to it once the crawl has nothing else to do (every page left waits for
        the browser): then the crawl needs no core, and other work on the machine must not starve the
        browser the crawl waits for (``browser_priority``)."""
        handler, background = None, True
        try:
            while self.in_flight and self.handler is not None:
                if self.handler is not handler:  # a browser (re)started: it starts in the background
                    handler, background = self.handler, True
                in_background = getattr(handler.browser_provider, "in_background", None)
                if in_background is None:  # another PLAYWRIGHT_BROWSER_PROVIDER
                    return
                if self.crawl_has_other_work() != background:
                    background = not background
                    in_background(background)
                    if not background:
                        self.crawler.stats.inc_value(keys.RENDER.format(what="browser_foreground"))
                await asyncio.sleep(PRIORITY_LOOK_INTERVAL_S)
            if not background and self.handler is handler:
                handler.browser_provider.in_background(True)  # no page renders: it idles until the next one
        finally:
            self.prioritising = None

    def crawl_has_other_work(self) -> bool:
        engine = self.crawler.engine
        scheduler = engine.scheduler
        return len(engine.downloader.active) > self.in_flight or (
            scheduler is not None and scheduler.has_pending_requests())

    def stop_when_idle(self) -> None:
        """No page is expected to need the browser for now: stop it, in the background, once none is being
        rendered (a page that needs it later starts it again). The crawl goes on without Chromium's memory
        and without its shutdown at the end."""
        self.stop_wanted = True
        self.stop_if_wanted()

    def stop_if_wanted(self) -> None:
        if self.stop_wanted and not self.in_flight and self.handler is not None and self.stopping is None:
            self.stop_wanted = False
            self.stopping = asyncio.ensure_future(self.stop_if_idle())

    async def stop_if_idle(self) -> None:
        try:
            async with self.starting:
                if self.handler is not None and not self.in_flight:
                    handler, self.handler = self.handler, None
                    self.crawler.stats.inc_value(keys.RENDER.format(what="browser_stopped"))
                    await handler.close()
        finally:
            self.stopping = None  # held until done: the event loop keeps only a weak reference to a task

    async def close(self) -> None:
        """Once, whichever scheme's handler asks first."""
        if self.stopping is not None:
            await self.stopping
        async with self.starting:
            handler, self.handler = self.handler, None
        if handler is not None:
            await handler.close()


def bound_turns_per_message() -> None:
    """After each message from its driver, Playwright's client yields until asyncio's ready queue is empty, at
    most 100 turns (``playwright._impl.utils.tasks``). The crawl's loop is never empty while pages come in:
    every message cost 100 turns of parsing, a render took until the crawl ran out of other work, and the
    pages waiting for the endpoint it teaches waited as long. Two turns is what Playwright itself waits on a
    loop whose queue it cannot see (uvloop)."""
    from playwright._impl.utils import tasks

    if hasattr(tasks, "_MAX_TURNS"):  # private (playwright is pinned): say so if an upgrade drops it
        tasks._MAX_TURNS = PLAYWRIGHT_TURNS_PER_MESSAGE
    else:
        logger.warning("this Playwright has no playwright._impl.utils.tasks._MAX_TURNS: a page rendered while "
                       "the crawl is busy may take until the crawl runs out of other work")


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


Finish = Callable[[ArticleItem, int], Iterable[Any]]  # the spider's "export this item, follow its links"


class RelatedListCompleter:
    """Completes a "Berita Lainnya" list that JavaScript fills: the learnt endpoint, else the browser.

    The spider asks ``complete(item, depth)`` and yields what comes back: a request (endpoint or
    render) or, when nothing can complete the list, what ``finish`` yields for the item as it is.
    Answers come back through the spider's callbacks (Scrapy serialises callbacks as spider methods),
    which hand them to ``parsed``/``failed``; the browser's network events to ``learn_endpoint``.

    While the endpoint is unknown, one render at a time tries to learn it and the other pages wait
    for it (``parked``) instead of all opening a browser tab. Renders that keep showing an empty list
    while no endpoint is learnt spend the render budget (``ALINEA_RENDER_BUDGET``); once it is spent
    no page is rendered any more and every page is exported with the links its HTML had.
    """

    def __init__(self, crawler: Crawler, browser: str | None, finish: Finish, on_error: Callable[[Failure], None],
                 callback: Callable, errback: Callable, event_handler: str, priority: int):
        settings = crawler.settings
        self.crawler = crawler
        self.browser = browser
        self.finish, self.on_error = finish, on_error
        self.callback, self.errback, self.event_handler, self.priority = callback, errback, event_handler, priority
        self.wait_ms = settings.getint("ALINEA_RENDER_WAIT_MS")
        self.max_learning_renders = settings.getint("ALINEA_ENDPOINT_MAX_FAILURES")
        self.render_budget = settings.getint("ALINEA_RENDER_BUDGET")  # 0: no budget
        self.endpoint = RelatedEndpoint(settings.getint("ALINEA_ENDPOINT_MAX_FAILURES"))
        self.learning_render = False  # a render that may teach the endpoint is under way
        self.learning_attempts = 0
        self.empty_renders_in_a_row = 0  # rendered, list still empty, no endpoint learnt
        self.parked: list[tuple[ArticleItem, int]] = []  # pages waiting for the learning render

    # -- what the spider asks ---------------------------------------------------

    def complete(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        """The learnt endpoint, else one learning render while the others park, else the item as it is."""
        if endpoint_url := self.endpoint.url_for(item.article_id):
            yield self.request(endpoint_url, "endpoint", item, depth)
        elif self.browser is None:
            self.inc("browser_unavailable")
            yield from self.finish(item, depth)
        elif self.budget_spent:
            yield from self.skip_render(item, depth)
        elif self.learning_render:
            self.parked.append((item, depth))
        else:
            self.learning_render = self.learning_attempts < self.max_learning_renders
            self.learning_attempts += self.learning_render
            yield self.render_request(item, depth)

    def playwright_meta(self) -> dict[str, Any]:
        """Meta of a request rendered in the browser (``render=always`` article requests use it too)."""
        return {
            "playwright": True,
            "playwright_page_init_callback": "alinea_crawler.rendering.count_requests_in_flight",
            "playwright_page_methods": [PageMethod("evaluate", WAIT_FOR_RELATED_LIST, [self.wait_ms, QUIET_MS])],
            "playwright_page_event_handlers": {"response": self.event_handler},
        }

    @property
    def parked_urls(self) -> list[str]:
        """Articles still waiting for a render: not exported if the crawl closes now."""
        return [item.url for item, _ in self.parked]

    @property
    def budget_spent(self) -> bool:
        return bool(self.render_budget) and self.empty_renders_in_a_row >= self.render_budget

    # -- answers ----------------------------------------------------------------

    def parsed(self, response: Response, step: str, item: ArticleItem, depth: int) -> Iterator[Any]:
        if step == "endpoint":
            yield from self.endpoint_answered(response, item, depth)
            return
        self.inc("pages")
        links = related_list(Selector(text=response.text), response.url, exclude=item.article_id)
        if links.pending:
            self.inc("list_still_empty")
            self.count_empty_render()
        else:
            self.empty_renders_in_a_row = 0
            add_related(self.stats, item, links.urls, "rendered")
        if self.learning_render and self.endpoint.template:  # it taught the endpoint: the browser can go
            CrawlBrowser.of(self.crawler).stop_when_idle()
        yield from self.finish(item, depth)
        yield from self.release_parked()

    def failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs
        if kwargs["step"] == "endpoint":
            yield from self.endpoint_failed(kwargs["item"], kwargs["depth"], failure.request.url,
                                            describe_failure(failure))
            return
        # The browser could not render the page: export it with the links it had.
        self.on_error(failure)
        self.inc("failed")
        self.count_empty_render()
        yield from self.finish(kwargs["item"], kwargs["depth"])
        yield from self.release_parked()

    async def learn_endpoint(self, response: Any) -> None:
        """Playwright ``response`` event: a fetch/XHR that names the page's article id and lists articles."""
        request = response.request
        if request.resource_type not in ("fetch", "xhr") or response.status != 200:
            return
        code = article_id(request.frame.url)
        if not code or code not in response.url or not same_site(response.url, request.frame.url):
            return
        if not endpoint_links(await response.text(), response.url, exclude=code):
            return
        if self.endpoint.learn(code, response.url):
            self.empty_renders_in_a_row = 0
            self.inc("endpoint_learned")
            logger.info("learnt the related-list endpoint %s from %s", self.endpoint.template, request.frame.url)

    def closed(self, reason: str) -> str | None:
        """Log what the browser path left undone; a reason to fail the crawl when it never worked."""
        if self.parked:
            self.stats.set_value(keys.RENDER.format(what="parked_unfinished"), len(self.parked))
            logger.warning("%d article(s) waiting for the browser were not exported (crawl closed: %s): %s",
                           len(self.parked), reason, ", ".join(self.parked_urls))
        if skipped := self.stats.get_value(keys.RENDER.format(what="skipped_budget"), 0):
            logger.info("render budget: %d page(s) not rendered after %d rendered page(s) showed an empty "
                        "'Berita Lainnya' list", skipped, self.render_budget)
        render = {what: self.stats.get_value(keys.RENDER.format(what=what), 0)
                  for what in ("pages", "endpoint_used", "failed", "browser_unavailable")}
        needed = render["failed"] + render["browser_unavailable"]
        if needed and not (render["pages"] or render["endpoint_used"]):
            return f"{needed} page(s) needed the browser for their 'Berita Lainnya' list and none could be rendered"
        return None

    # -- steps ------------------------------------------------------------------

    def request(self, url: str, step: str, item: ArticleItem, depth: int, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.callback, errback=self.errback, dont_filter=step == "render",
            priority=self.priority, meta={"kind": "render" if step == "render" else "related_endpoint", **meta},
            cb_kwargs={"step": step, "item": item, "depth": depth},
        )

    def render_request(self, item: ArticleItem, depth: int) -> scrapy.Request:
        return self.request(item.url, "render", item, depth, **self.playwright_meta())

    def render_or_skip(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        if self.budget_spent:
            yield from self.skip_render(item, depth)
        else:
            yield self.render_request(item, depth)

    def skip_render(self, item: ArticleItem, depth: int) -> Iterator[Any]:
        self.inc("skipped_budget")
        yield from self.finish(item, depth)

    def count_empty_render(self) -> None:
        if self.endpoint.template:
            return
        self.empty_renders_in_a_row += 1
        if self.render_budget and self.empty_renders_in_a_row == self.render_budget:
            logger.warning(
                "%d rendered page(s) in a row showed an empty 'Berita Lainnya' list and no list endpoint was "
                "learnt: no more pages are rendered (ALINEA_RENDER_BUDGET=%d); they are exported with the links "
                "their HTML has (alinea/render/skipped_budget)", self.empty_renders_in_a_row, self.render_budget)

    def release_parked(self) -> Iterator[Any]:
        """After a learning render: the pages that waited for it go on (endpoint, browser or as they are)."""
        self.learning_render = False
        parked, self.parked = self.parked, []
        for item, depth in parked:
            yield from self.complete(item, depth)

    def endpoint_answered(self, response: Response, item: ArticleItem, depth: int) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        urls = endpoint_links(text, response.url, exclude=item.article_id)
        if urls is None:
            yield from self.endpoint_failed(item, depth, response.url, "an answer with no list")
            return
        self.endpoint.worked()
        self.inc("endpoint_used")
        add_related(self.stats, item, urls, "endpoint")
        yield from self.finish(item, depth)

    def endpoint_failed(self, item: ArticleItem, depth: int, endpoint_url: str, why: str) -> Iterator[Any]:
        """This page goes to the browser; after repeated failures the endpoint is learnt anew."""
        self.inc("endpoint_failed")
        if self.endpoint.failed(endpoint_url):
            logger.warning("related-list endpoint stopped working (%s from %s); learning it again", why, endpoint_url)
        logger.info("related-list endpoint failed (%s), using the browser: %s", why, item.url)
        if self.endpoint.template is None:
            yield from self.complete(item, depth)
        elif self.browser:
            yield from self.render_or_skip(item, depth)
        else:
            yield from self.finish(item, depth)

    @property
    def stats(self):
        return self.crawler.stats  # set once the crawl starts, after the spider is built

    def inc(self, what: str) -> None:
        self.stats.inc_value(keys.RENDER.format(what=what))


def add_related(stats, item: ArticleItem, urls: list[str], path: str) -> None:
    """Links JavaScript would have added, after the page's own, each once."""
    new = [url for url in urls if url not in item.related_urls]
    item.related_urls = item.related_urls + new
    stats.inc_value(keys.RELATED_FOUND.format(path=path), len(new))
