"""Downloader middlewares for a flaky site: patient retries, clear reasons for pages given up.

* ``BackoffRetryMiddleware``: Scrapy's retries, but never at once. Before a
  retry the site's download slot slows down — to the server's ``Retry-After``
  when it sends one (429, 503), else exponential backoff — and speeds up again,
  halving the delay per good response. Truncated HTML (no ``</html>``) is
  retried like a 5xx and, if it stays truncated, rejected rather than exported.
* ``RedirectMiddleware``: Scrapy's, but a redirect loop is named as such (the
  duplicate filter would drop it silently) and so is a chain that is too long.
* ``PersistentCookiesMiddleware``: Scrapy's cookies, kept in ``JOBDIR`` so a
  resumed crawl goes on with the sessions its queued load-more requests need.

A page given up raises ``PageRejected``; the spider's errback reports its reason.
"""

from __future__ import annotations

import logging
import pickle
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.job import job_dir
from tldextract import TLDExtract

from . import stats as keys

logger = logging.getLogger(__name__)
RECOVERED = 0.05  # seconds: a slowed-down slot this close to its usual delay is back to normal


class PageRejected(IgnoreRequest):
    """A page given up for a reason worth reporting; ``str()`` is that reason."""


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


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("ALINEA_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("ALINEA_RETRY_BACKOFF_MAX")
        self.usual_delay: dict[str, float] = {}  # slowed-down slot -> its delay before
        self.downloader = None  # the engine's, once the crawl starts

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        return middleware

    def engine_started(self) -> None:
        self.downloader = self.crawler.engine.downloader

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if is_truncated_html(response) and not request.meta.get("dont_retry"):
            retry = self._retry(request, "truncated HTML")
            if retry is None:
                self.crawler.stats.inc_value(keys.REJECTED.format(reason="truncated_html"))
                raise PageRejected("truncated HTML: the page ends before </html>")
            return self._slow_down(retry, None)
        result = super().process_response(request, response)
        if isinstance(result, Request):
            return self._slow_down(result, retry_after(response))
        if 200 <= response.status < 400:
            self._recover(request)
        return result

    def process_exception(self, request: Request, exception: Exception, spider=None):
        result = super().process_exception(request, exception)
        return self._slow_down(result, None) if isinstance(result, Request) else result

    def _slot(self, request: Request):
        if self.downloader is None:  # not crawling: nothing to slow down
            return "", None
        downloader = self.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _slow_down(self, retry: Request, asked: float | None) -> Request:
        """Make the whole site wait before the retry: what the server asked, else exponential backoff."""
        wait = asked if asked is not None else self.backoff * 2 ** (retry.meta.get("retry_times", 1) - 1)
        wait = min(wait, self.backoff_max)
        key, slot = self._slot(retry)
        if slot is None:
            return retry
        # The slot randomises its delay by ±jitter: the shortest wait must still be ``wait``.
        delay = wait / (1 - slot.jitter) if slot.jitter < 1 else wait
        if delay > slot.delay:
            self.usual_delay.setdefault(key, slot.delay)
            slot.delay = delay
            self.crawler.stats.inc_value(keys.SLOWED_DOWN)
            logger.info("slowing down %s: %.1f s between requests (%s)", key, delay,
                        "Retry-After" if asked is not None else "backoff")
        return retry

    def _recover(self, request: Request) -> None:
        key, slot = self._slot(request)
        if key not in self.usual_delay:
            return
        usual = self.usual_delay[key]
        if slot is None or slot.delay / 2 <= usual + RECOVERED:
            self.usual_delay.pop(key)
            if slot is not None:
                slot.delay = usual
                logger.info("%s recovered: %.1f s between requests again", key, usual)
            return
        slot.delay /= 2


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
# is enough for cookie domains: no request the user did not ask for, no cache writes.
scrapy_cookies._split_domain = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


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
