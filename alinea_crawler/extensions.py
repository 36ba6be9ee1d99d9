"""Crawl report: every page that failed (URL, kind, reason), in the log and in a JSON file.

Failures arrive through the ``page_failed`` signal (sent by the spider's
errback once retries are exhausted, its reason from ``describe_failure``),
Scrapy's own ``spider_error``, and ``item_dropped`` for articles dropped as
broken (no title, body or date; a duplicate or an article out of the date range
is no failure). They are counted as they come (``alinea/failures``), logged at
close, and — when ``ALINEA_REPORT_FILE`` is set — written with the final stats
as JSON next to the exports.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.python.failure import Failure

from .stats import FAILED, FAILURES

logger = logging.getLogger(__name__)

page_failed = object()  # signal: send_catch_log(page_failed, url=..., kind=..., reason=...)


def describe_failure(failure: Failure) -> str:
    """Why a request failed, in words: ``HTTP 503 (after 3 retries)``, ``redirect loop: …``, a timeout…"""
    error, request = failure.value, failure.request
    response = getattr(error, "response", None)
    if response is not None:
        reason = f"HTTP {response.status}"
    elif type(error).__name__ == "PageRejected":
        reason = str(error)
    else:  # Scrapy's messages name the request: the report already does
        url = re.escape(request.url)
        detail = re.sub(rf"Cancelling download of {url}: |\s*(in request )?<{request.method} {url}>", "", str(error))
        reason = f"{type(error).__name__}: {detail}".rstrip(": ")
    retries = request.meta.get("retry_times")
    return f"{reason} (after {retries} {'retry' if retries == 1 else 'retries'})" if retries else reason


def describe_drop(item, exception: Exception) -> str | None:
    """Why an article was dropped as broken, or ``None`` if the drop is no failure."""
    reason = getattr(exception, "reason", "dropped")  # the pipelines' ArticleDropped names it
    if not reason.startswith("missing_"):
        return None
    raw = ItemAdapter(item).get("published_at_raw")
    return f"unparseable date {raw!r}" if reason == "missing_published" and raw else reason.replace("_", " ")


def expand_path(template: str, spider) -> Path:
    """``%(name)s``, ``%(time)s`` and ``%(job_id)s`` filled in, like FEEDS URIs (Scrapyd's ``_job``)."""
    values = {
        "name": spider.name,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S"),
        "job_id": spider.job_id,
    }
    return Path(template % values).expanduser()


class CrawlReport:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.path_template = crawler.settings.get("ALINEA_REPORT_FILE")
        self.failures: list[dict[str, Any]] = []
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlReport:
        return cls(crawler)

    def on_page_failed(self, url: str, kind: str, reason: str) -> None:
        self.failures.append({"url": url, "kind": kind, "reason": reason})
        self.crawler.stats.inc_value(FAILURES)

    def on_spider_error(self, failure, response, spider) -> None:
        self.on_page_failed(response.url, response.meta.get("kind", "other"), f"{failure.type.__name__}: {failure.value}")

    def on_item_dropped(self, item, response, exception: DropItem, spider) -> None:
        if reason := describe_drop(item, exception):
            self.on_page_failed(ItemAdapter(item).get("url") or response.url, "article", reason)

    def on_spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats
        stats.set_value(FAILURES, len(self.failures))
        if self.failures:
            lines = "\n".join(f"  {f['url']} ({f['kind']}): {f['reason']}" for f in self.failures)
            logger.warning("%d page(s) failed:\n%s", len(self.failures), lines)
        if not self.path_template:
            return
        path = expand_path(self.path_template, spider)
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "spider": spider.name,
            "finish_reason": reason,
            "failed": stats.get_value(FAILED),
            "failures": self.failures,
            "stats": stats.get_stats(),
        }
        path.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
        logger.info("crawl report written: %s", path)
