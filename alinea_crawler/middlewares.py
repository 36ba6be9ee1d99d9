"""Downloader middlewares for a flaky site: polite, quick retries; a fast stop for a dead site.

* ``BackoffRetryMiddleware``: Scrapy's retries, never at once, and only an
  overload slows the whole site. A 429, a 503 or any answer with
  ``Retry-After`` pauses the site's download slot for as long as the server
  asked (else ``ALINEA_RETRY_BACKOFF`` doubled per retry), at most
  ``ALINEA_RETRY_AFTER_MAX``. Any other failure (a 500, a dropped
  connection, a timeout, truncated HTML) retries just that page after its own
  short wait (``ALINEA_RETRY_BACKOFF`` doubled per retry, at most
  ``ALINEA_RETRY_BACKOFF_MAX``) while the rest of the crawl goes on. Truncated
  HTML (no ``</html>``) is retried like a 5xx and, if it stays truncated,
  rejected rather than exported.
* ``SiteBreakerMiddleware``: stops the crawl when the site is gone.
  ``site_unreachable``: ``ALINEA_UNREACHABLE_AFTER`` connection failures
  (DNS, refused, TLS, timeouts) before the site ever answered.
  ``site_unavailable``: of the last ``ALINEA_BREAKER_WINDOW`` downloads
  (every attempt: responses and errors), at least
  ``ALINEA_BREAKER_FAILURE_RATE`` failed (5xx, 429, no response). One line
  names the host and the cause, ``alinea/failed`` is set (exit 1), and the
  requests still queued are dropped without a line each.
* ``RedirectMiddleware``: Scrapy's, but a redirect loop is named as such (the
  duplicate filter would drop it silently) and so is a chain that is too long.
* ``PersistentCookiesMiddleware``: Scrapy's cookies, kept in ``JOBDIR`` so a
  resumed crawl goes on with the sessions its queued load-more requests need.

A page given up raises ``PageRejected``; the spider's errback reports its reason.
"""

from __future__ import annotations

import logging
import pickle
from collections import deque
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from time import monotonic
from urllib.parse import urlsplit

from OpenSSL.SSL import Error as TLSError
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (DontCloseSpider, CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               IgnoreRequest)
from scrapy.http import Response
from scrapy.utils.asyncio import call_later, sleep
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.job import job_dir
from tldextract import TLDExtract
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.web._newclient import ResponseNeverReceived

from . import stats as keys

logger = logging.getLogger(__name__)
OVERLOAD_STATUSES = frozenset({429, 503})  # "too busy": the whole site waits
FAILED_STATUSES = frozenset({429, *range(500, 600)})  # what the breaker counts as a failed download
# Scrapy's own, and Twisted's beneath them (ConnectError: refused, connect timeout, no route; TLS handshake).
# Before the site ever answered, a timeout counts too: a host that swallows every request is unreachable.
CONNECTION_ERRORS = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError, DNSLookupError,
                     ConnectError, TLSError)


class PageRejected(IgnoreRequest):
    """A page given up for a reason worth reporting; ``str()`` is that reason."""


class SiteDown(IgnoreRequest):
    """A request not made: the circuit breaker stopped the crawl (said once, in one line)."""


def retry_after(response: Response) -> float | None:
    """Seconds the server asks to wait (``Retry-After``: seconds or an HTTP date), or ``None``."""
    value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def is_truncated_html(response: Response) -> bool:
    """An HTML document that starts but never ends: the server stopped half-way."""
    if response.status != 200 or b"html" not in (response.headers.get("Content-Type") or b"").lower():
        return False
    head, tail = response.body[:1024].lower(), response.body[-1024:].lower()
    return b"<html" in head and b"</html>" not in tail


def is_overload(response: Response) -> bool:
    return response.status in OVERLOAD_STATUSES or b"Retry-After" in response.headers


def connection_failure(exception: Exception) -> Exception | None:
    """The connection-level cause of a download error (DNS, refused, TLS), else ``None``."""
    causes, seen = [exception], 0
    while seen < len(causes) < 10:  # Scrapy wraps Twisted's errors (``raise ... from``), TLS failures come in lists
        error = causes[seen]
        seen += 1
        if isinstance(error, CONNECTION_ERRORS):
            return error
        causes += [error.__cause__] if error.__cause__ else []
        causes += [failure.value for failure in getattr(error, "reasons", [])] if isinstance(error, ResponseNeverReceived) else []
    return None


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("ALINEA_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("ALINEA_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("ALINEA_RETRY_AFTER_MAX")
        self.paused_until: dict[str, float] = {}  # download slot -> monotonic time its pause ends
        self.downloader = None  # the engine's, once the crawl starts
        self.waiting = 0  # retries waiting out their backoff

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def engine_started(self) -> None:
        self.downloader = self.crawler.engine.downloader

    def spider_idle(self) -> None:
        """Nothing else to do while retries wait out their backoff: the crawl is not over."""
        if self.waiting:
            raise DontCloseSpider

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if is_truncated_html(response) and not request.meta.get("dont_retry"):
            retry = self._retry(request, "truncated HTML")
            if retry is None:
                self.crawler.stats.inc_value(keys.REJECTED.format(reason="truncated_html"))
                raise PageRejected("truncated HTML: the page ends before </html>")
            return await self._wait_alone(request, retry)
        result = super().process_response(request, response)
        if not isinstance(result, Request):
            return result
        if is_overload(response):
            self._pause_site(result, retry_after(response))
            return result
        return await self._wait_alone(request, result)

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        result = super().process_exception(request, exception)
        return await self._wait_alone(request, result) if isinstance(result, Request) else result

    def _backoff(self, retry: Request) -> float:
        return self.backoff * 2 ** (retry.meta.get("retry_times", 1) - 1)

    async def _wait_alone(self, request: Request, retry: Request) -> Request:
        """Wait before retrying this one page; other pages keep downloading meanwhile.

        While it waits the page gives its place among the downloader's active requests back
        (``Downloader.active`` caps them at ``CONCURRENT_REQUESTS``): a few pages that fail for
        good must not starve the rest. Scrapy judges a crawl idle by that same set, so while
        any retry waits, ``spider_idle`` keeps the crawl open.
        """
        active = self.downloader.active if self.downloader is not None else set()
        active.discard(request)
        self.waiting += 1
        try:
            await sleep(min(self._backoff(retry), self.backoff_max))
        finally:
            self.waiting -= 1
            active.add(request)
        return retry

    def _pause_site(self, retry: Request, asked: float | None) -> None:
        """Hold the site's download queue for as long as the server asked (the retry waits in it too)."""
        wait = min(asked if asked is not None else self._backoff(retry), self.retry_after_max)
        if self.downloader is None:  # not crawling: nothing to pause
            return
        key = self.downloader.get_slot_key(retry)
        slot = self.downloader.slots.get(key)
        until = monotonic() + wait
        if slot is None or until <= self.paused_until.get(key, 0):
            return
        self.paused_until[key] = until
        if slot.latercall:
            slot.latercall.cancel()
        # The downloader's own "process the queue later" hook: the slot sends nothing until then.
        slot.latercall = call_later(wait, self.downloader._latercall, slot)
        self.crawler.stats.inc_value(keys.SLOWED_DOWN)
        self.crawler.stats.inc_value(keys.PAUSED_SECONDS, wait)
        logger.info("site %s paused for %.1f s (%s)", key, wait,
                    "Retry-After" if asked is not None else "overloaded, no Retry-After")


class SiteBreakerMiddleware:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.recent: deque[bool] = deque(maxlen=settings.getint("ALINEA_BREAKER_WINDOW"))  # True: failed
        self.failure_rate = settings.getfloat("ALINEA_BREAKER_FAILURE_RATE")
        self.unreachable_after = settings.getint("ALINEA_UNREACHABLE_AFTER")
        self.connection_failures = 0
        self.answered = False  # the site has answered at least once
        self.tripped = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBreakerMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        if self.tripped:
            raise SiteDown("the crawl is stopping: the site is down")

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        self.answered = True
        self._record(request, response.status in FAILED_STATUSES, f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception, spider=None) -> None:
        if isinstance(exception, IgnoreRequest):
            return
        cause = connection_failure(exception)
        if cause is not None and not self.answered:
            self.connection_failures += 1
            if self.connection_failures >= self.unreachable_after:
                self._trip("site_unreachable", f"site unreachable: {_host(request)}: {_describe(cause)}")
                raise SiteDown(f"{_host(request)} is unreachable") from None
        self._record(request, True, _describe(exception))
        if self.tripped:
            raise SiteDown("the site is down") from None

    def _record(self, request: Request, failed: bool, what: str) -> None:
        """One entry per page, its first download: the retries of one broken page are not a broken site."""
        if request.meta.get("retry_times"):
            return
        self.recent.append(failed)
        window = self.recent.maxlen
        failures = sum(self.recent)
        if len(self.recent) == window and failures >= self.failure_rate * window and not self.tripped:
            self._trip("site_unavailable", f"site unavailable: {_host(request)}: {failures} of the last {window} "
                                           f"downloads failed (last: {what})")

    def _trip(self, reason: str, message: str) -> None:
        if self.tripped:
            return
        self.tripped = True
        stats = self.crawler.stats
        stats.inc_value(keys.SITE_DOWN.format(what=reason.removeprefix("site_")))
        stats.set_value(keys.FAILED, message)
        logger.error("%s", message)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))


def _host(request: Request) -> str:
    return urlsplit(request.url).netloc


def _describe(error: Exception) -> str:
    """``DNSLookupError: no results for hostname lookup: nowhere.invalid`` without Scrapy's request echo."""
    text = str(error).split(": <")[0].rstrip(".") or type(error).__name__
    return f"{type(error).__name__}: {text}" if type(error).__name__ not in text else text


class RedirectMiddleware(ScrapyRedirectMiddleware):
    def _redirect(self, redirected: Request, request: Request, reason) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            self.crawler.stats.inc_value(keys.REJECTED.format(reason="redirect_loop"))
            raise PageRejected("redirect loop: " + " -> ".join([*chain, redirected.url]))
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            self.crawler.stats.inc_value(keys.REJECTED.format(reason="too_many_redirects"))
            raise PageRejected(f"too many redirects (REDIRECT_MAX_TIMES {self.max_redirect_times})") from None


# Scrapy's cookie handling asks tldextract for public suffixes, and tldextract downloads the
# Public Suffix List on first use (and caches it under ~/.cache). The list the package bundles
# is enough for cookie domains: no request the user did not ask for, no cache writes. It asks
# for every cookie of every response, about one host: the answers are cached.
scrapy_cookies._split_domain = lru_cache(maxsize=256)(
    TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True))


class PersistentCookiesMiddleware(CookiesMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler):
        middleware = super().from_crawler(crawler)
        jobdir = job_dir(crawler.settings)
        middleware.path = Path(jobdir, "cookies.pickle") if jobdir else None
        if middleware.path and middleware.path.exists():
            for jar_key, cookies in pickle.loads(middleware.path.read_bytes()).items():
                for cookie in cookies:
                    middleware.jars[jar_key].set_cookie(cookie)
        crawler.signals.connect(middleware.save, signal=signals.spider_closed)
        return middleware

    def save(self) -> None:
        if self.path:
            self.path.write_bytes(pickle.dumps({key: list(jar) for key, jar in self.jars.items()}))
