"""How far a long crawl has come: one line every ``LOGSTATS_INTERVAL`` seconds, from the article ledger.

``ProgressLog`` replaces Scrapy's ``LogStats`` ("Crawled N pages (at N pages/min), scraped N items …") with::

    articles 1,234 exported / 1,560 discovered (290 queued, 36 failed) · 41/min · pages 2,010 · listing: politik page 14

*exported*, *discovered* and *failed* are the ledger's (``ledger.py``); *queued* is what it has found and
not yet settled (waiting, or being fetched); */min* is articles exported per minute over the last interval;
*pages* is responses received; *listing* the listing page read last (a section's page 1 is its index page,
each load-more one more; *home feed* is the home page's load-more). One more line at close gives the final
account (its rate is the whole crawl's). It goes wherever the log goes — under Scrapyd, the job's log.
Like ``LogStats`` it is off with ``LOGSTATS_INTERVAL = 0``, and keeps its ``responses_per_minute`` and
``items_per_minute`` stats.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.logstats import LogStats

from .ledger import ArticleLedger

logger = logging.getLogger(__name__)

LISTING_KINDS = ("home", "section", "more")


def progress_line(exported: int, discovered: int, queued: int, failed: int, per_minute: float, pages: int,
                  listing: tuple[str, int] | None) -> str:
    line = (f"articles {exported:,} exported / {discovered:,} discovered ({queued:,} queued, {failed:,} failed)"
            f" · {per_minute:,.0f}/min · pages {pages:,}")
    if listing:
        line += f" · listing: {listing[0]} page {listing[1]}"
    return line


def listing_page(request) -> tuple[str, int] | None:
    """(listing, page) of a listing request: ``("politik", 1)`` for /politik, ``("home feed", 3)``, …"""
    kind = request.meta.get("kind")
    if kind not in LISTING_KINDS:
        return None
    if kind == "home":
        return "home", 1
    section = request.cb_kwargs.get("section")
    return (section or "home feed"), request.cb_kwargs.get("page", 1)


class ProgressLog(LogStats):
    def __init__(self, crawler: Crawler, interval: float):
        super().__init__(crawler.stats, interval)
        self.crawler = crawler
        self.listing: tuple[str, int] | None = None
        self.exported_at_start = self.exported_before = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured("LOGSTATS_INTERVAL is 0")
        progress = cls(crawler, interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.on_response, signal=signals.response_received)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider) -> None:
        """A resumed crawl (JOBDIR) starts with the first run's exports: rates count this run's only."""
        self.exported_at_start = self.exported_before = ArticleLedger.of(self.crawler).fate_counts()["exported"]
        super().spider_opened(spider)

    def on_response(self, response, request, spider) -> None:
        self.listing = listing_page(request) or self.listing

    def log(self, spider) -> None:
        fates, unsettled = ArticleLedger.of(self.crawler).fates_so_far()
        self.log_line(fates, unsettled, (fates["exported"] - self.exported_before) * self.multiplier)
        self.exported_before = fates["exported"]

    def spider_closed(self, spider, reason: str) -> None:
        """The final account, after the ledger settled what the close left (this runs after it)."""
        super().spider_closed(spider, reason)
        ledger = ArticleLedger.of(self.crawler)
        fates = ledger.fate_counts()
        elapsed = self.stats.get_value("elapsed_time_seconds") or 0
        self.log_line(fates, len(ledger.unaccounted()),
                      (fates["exported"] - self.exported_at_start) * 60 / elapsed if elapsed else 0.0)

    def log_line(self, fates: Counter[str], unsettled: int, per_minute: float) -> None:
        logger.info("%s", progress_line(fates["exported"], len(ArticleLedger.of(self.crawler).entries), unsettled,
                                        fates["failed"], per_minute,
                                        self.stats.get_value("response_received_count", 0), self.listing))
